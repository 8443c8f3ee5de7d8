import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtCli, makeProject, startUi, startUiProcess } from './helpers.js';
import { rawRequest } from './raw-http.js';

let project: { dir: string; cleanup(): Promise<void> };
const closers: Array<() => unknown> = [];

beforeEach(async () => {
  project = await makeProject({ agents: ['calm-owl'] });
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await project.cleanup();
});

const inboxFiles = async () =>
  (await readdir(join(project.dir, '.cc2cc', 'to-calm-owl', 'inbox')).catch(() => [] as string[])).filter((file) =>
    file.endsWith('.json'),
  );
const sendBody = JSON.stringify({ to: 'calm-owl', text: 'from somewhere' });
const json = { 'content-type': 'application/json' };

async function ui() {
  const started = await startUi(project.dir, { allowSend: true });
  closers.push(() => started.close());
  const port = started.ui.port;
  return { port, base: `/${started.ui.token}/` };
}

describe('cc2cc ui refuses other sites (DNS rebinding, cross-site requests)', () => {
  it('refuses a request whose Host is not the address it listens on, even with the token', async () => {
    const { port, base } = await ui();
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${port + 1}`,
      `127.0.0.1.evil.example:${port}`,
      `localhost`,
    ]) {
      for (const path of [base, `${base}api/agents`, `${base}api/events`, `${base}api/messages`]) {
        const response = await rawRequest(port, { path, headers: { host } });
        expect(response.status, `${host} ${path}`).toBe(403);
        const body = JSON.parse(response.body) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('FOREIGN_HOST');
        expect(body.error.message).toContain(`"${host}"`);
        expect(body.error.message).toMatch(/DNS rebinding/);
        expect(body.error.message).toContain(`127.0.0.1:${port}`);
      }
    }
    const post = await rawRequest(port, {
      method: 'POST',
      path: `${base}api/send`,
      headers: { host: `evil.example:${port}`, ...json },
      body: sendBody,
    });
    expect(post.status).toBe(403);
    expect(await inboxFiles()).toEqual([]);
  });

  it('answers the names of the loopback address at its port', async () => {
    const { port, base } = await ui();
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const response = await rawRequest(port, { path: `${base}api/agents`, headers: { host } });
      expect(response.status, host).toBe(200);
    }
    // The host check comes first; the token check still follows it.
    expect((await rawRequest(port, { path: '/api/agents' })).status).toBe(401);
  });

  it('refuses a POST from another origin, and one the browser marks cross-site', async () => {
    const { port, base } = await ui();
    const post = (headers: Record<string, string>) =>
      rawRequest(port, { method: 'POST', path: `${base}api/send`, headers: { ...json, ...headers }, body: sendBody });

    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      'null',
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${port + 1}`,
    ]) {
      const response = await post({ origin });
      expect(response.status, origin).toBe(403);
      const body = JSON.parse(response.body) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('CROSS_ORIGIN');
      expect(body.error.message).toContain(`POST request: it comes from the origin "${origin}"`);
    }
    const marked = await post({ 'sec-fetch-site': 'cross-site' });
    expect(marked.status).toBe(403);
    expect(marked.body).toMatch(/Sec-Fetch-Site: cross-site/);
    // A cross-site read is refused as well (the page never makes one).
    expect(
      (await rawRequest(port, { path: `${base}api/messages`, headers: { origin: 'http://evil.example' } })).status,
    ).toBe(403);
    expect(await inboxFiles()).toEqual([]);

    // The page itself (its own origin), and a script that sends no Origin, get through.
    expect((await post({ origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await post({ origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await post({})).status).toBe(200);
    expect(await inboxFiles()).toHaveLength(3);
  });
});

describe.skipIf(!builtCli)('cc2cc ui as a process refuses other sites', () => {
  it('refuses a foreign Host and a cross-site Origin', async () => {
    const started = await startUiProcess(project.dir, ['--allow-send']);
    closers.push(() => started.stop());
    const url = new URL(started.url);
    const port = Number(url.port);
    const foreign = await rawRequest(port, {
      path: `${url.pathname}api/agents`,
      headers: { host: `evil.example:${port}` },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatch(/FOREIGN_HOST/);
    const crossSite = await rawRequest(port, {
      method: 'POST',
      path: `${url.pathname}api/send`,
      headers: { origin: 'http://evil.example', ...json },
      body: sendBody,
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toMatch(/CROSS_ORIGIN/);
    expect(await inboxFiles()).toEqual([]);
    expect((await rawRequest(port, { path: `${url.pathname}api/agents` })).status).toBe(200);
  });
});
