import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/kernel/envelope.js';
import { newId } from '../../src/kernel/ids.js';
import type { DeadLetterView, MessageView, SendResponse, TrafficUpdate } from '../../src/ui/protocol.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { runCli } from '../cli/process-helpers.js';
import { builtCli, makeProject, readEvents, startAgent, startUi, startUiProcess } from './helpers.js';

let project: { dir: string; cleanup(): Promise<void> };
const closers: Array<() => unknown> = [];

beforeEach(async () => {
  project = await makeProject({ agents: ['calm-owl', 'brave-fox'], plugins: ['rooms', 'topics'] });
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await project.cleanup();
});

async function ui(options: Parameters<typeof startUi>[1] = {}) {
  const started = await startUi(project.dir, options);
  closers.push(() => started.close());
  return started;
}

/** A stand-in for the built page, so these tests do not depend on `vite build`. */
async function fakeAssets(): Promise<string> {
  const dir = join(project.dir, 'page');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>cc2cc ui</title>');
  await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  return dir;
}

const inboxFiles = async (name: string) =>
  (await readdir(join(project.dir, '.cc2cc', `to-${name}`, 'inbox')).catch(() => [] as string[])).filter((file) =>
    file.endsWith('.json'),
  );

describe('cc2cc ui server: the token', () => {
  it('answers 401 to every request without the token, and 200 with it', async () => {
    const { ui: server } = await ui({ assetsDir: await fakeAssets() });
    const origin = `http://127.0.0.1:${server.port}`;
    expect(server.url).toBe(`${origin}/${server.token}/`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);

    for (const path of [
      '/',
      '/index.html',
      '/assets/app-1234.js',
      '/api/agents',
      '/api/events',
      '/api/dead',
      `/${server.token.slice(1)}/`,
      `/x${server.token}/api/agents`,
    ]) {
      const response = await fetch(origin + path);
      expect(response.status, path).toBe(401);
      expect(await response.text()).not.toContain(server.token);
    }
    const post = await fetch(`${origin}/api/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"to":"calm-owl","text":"x"}',
    });
    expect(post.status).toBe(401);

    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${server.url}assets/app-1234.js`)).status).toBe(200);
    expect((await fetch(`${server.url}assets/missing.js`)).status).toBe(404);
    const agents = await fetch(`${server.url}api/agents`);
    expect(agents.status).toBe(200);
    expect(((await agents.json()) as { agents: Array<{ name: string }> }).agents.map((agent) => agent.name)).toEqual([
      'brave-fox',
      'calm-owl',
    ]);
  });

  it('listens on 127.0.0.1 only', async () => {
    const { ui: server } = await ui();
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });
});

describe('cc2cc ui server: live events', () => {
  it('streams a traffic event for a message sent through the bus, and keeps its states', async () => {
    const { ui: server, runtime } = await ui();
    const stream = readEvents(`${server.url}api/events`);
    closers.push(() => stream.close());
    expect(await stream.status).toBe(200);
    await waitFor(() => stream.events.some((event) => event.event === 'ready'), { what: 'the history to end' });
    expect(stream.events.map((event) => event.event).slice(0, 2)).toEqual(['hello', 'snapshot']);

    const sent = await runtime.bus.send({ from: 'brave-fox', to: 'calm-owl', text: 'hello from the bus' });
    const traffic = await waitFor(
      () => stream.events.find((event) => event.event === 'traffic' && (event.data as TrafficUpdate).id === sent.id),
      { what: 'the traffic event' },
    );
    expect(traffic.data).toMatchObject({
      id: sent.id,
      agent: 'calm-owl',
      step: { state: 'queued' },
      envelope: { from: 'brave-fox', text: 'hello from the bus' },
    });

    // A receiver takes it: the envelope's states go on to done.
    await startAgent(project.dir, 'calm-owl').then((agent) => closers.push(() => agent.kernel.close()));
    const view = await waitFor(
      async () => {
        const response = await fetch(`${server.url}api/messages/${sent.id}`);
        const body = (await response.json()) as MessageView;
        return body.deliveries?.['calm-owl']?.some((step) => step.state === 'done') ? body : undefined;
      },
      { what: 'the done state' },
    );
    expect(view.envelope?.text).toBe('hello from the bus');
    expect(view.deliveries['calm-owl']!.map((step) => step.state)[0]).toBe('queued');
    expect((await fetch(`${server.url}api/messages/${newId()}`)).status).toBe(404);

    // A second page gets the history first.
    const late = readEvents(`${server.url}api/events`);
    closers.push(() => late.close());
    await waitFor(() => late.events.some((event) => event.event === 'ready'), { what: 'the second history' });
    const history = late.events
      .filter((event) => event.event === 'messages')
      .flatMap((event) => event.data as MessageView[]);
    expect(history.map((message) => message.id)).toContain(sent.id);
  });

  it('lists dead letters with their reasons', async () => {
    const { ui: server } = await ui();
    const agent = await startAgent(project.dir, 'calm-owl');
    closers.push(() => agent.kernel.close());
    const id = newId();
    await writeFile(join(project.dir, '.cc2cc', 'to-calm-owl', 'inbox', `${id}.json`), '{ this is not json');
    const letters = await waitFor(
      async () => {
        const body = (await (await fetch(`${server.url}api/dead`)).json()) as DeadLetterView[];
        return body.length > 0 ? body : undefined;
      },
      { what: 'the dead letter' },
    );
    expect(letters).toEqual([
      expect.objectContaining({ agent: 'calm-owl', id, reason: expect.stringMatching(/not valid JSON/) }),
    ]);
  });
});

describe('cc2cc ui server: sending', () => {
  const send = (url: string, body: unknown) =>
    fetch(`${url}api/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses to send without --allow-send', async () => {
    const { ui: server } = await ui();
    const response = await send(server.url, { to: 'calm-owl', text: 'let me in' });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { message: expect.stringContaining('--allow-send') } });
    expect(await inboxFiles('calm-owl')).toEqual([]);
  });

  it('with --allow-send, a message lands in the inbox as from "human"', async () => {
    const { ui: server } = await ui({ allowSend: true });
    const response = await send(server.url, { to: 'calm-owl', text: 'from the page' });
    expect(response.status).toBe(200);
    const result = (await response.json()) as SendResponse;
    expect(result.results).toEqual([{ agent: 'calm-owl', status: 'offline (queued)' }]);
    const files = await inboxFiles('calm-owl');
    expect(files).toEqual([`${result.id}.json`]);
    const envelope = decodeEnvelope(
      await readFile(join(project.dir, '.cc2cc', 'to-calm-owl', 'inbox', files[0]!), 'utf8'),
    );
    expect(envelope).toMatchObject({ from: 'human', to: 'calm-owl', text: 'from the page', kind: 'message' });

    const bad = await send(server.url, { to: 'calm-owl' });
    expect(bad.status).toBe(400);
    const unknown = await send(server.url, { to: 'nobody-here', text: 'hi' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_RECIPIENT' } });
  });

  it('sends as the name given with --as, and refuses a bad name', async () => {
    const { ui: server } = await ui({ allowSend: true, sender: 'alice' });
    const result = (await (await send(server.url, { to: 'brave-fox', text: 'hi' })).json()) as SendResponse;
    const file = join(project.dir, '.cc2cc', 'to-brave-fox', 'inbox', `${result.id}.json`);
    expect(decodeEnvelope(await readFile(file, 'utf8')).from).toBe('alice');
    await expect(startUi(project.dir, { sender: 'Not A Name' })).rejects.toThrow(/sender name/);
  });
});

describe.skipIf(!builtCli)('cc2cc ui as a process', () => {
  it('prints its address with the token, serves it, and stops on SIGTERM', async () => {
    const started = await startUiProcess(project.dir, ['--port', '0']);
    closers.push(() => started.stop());
    const url = new URL(started.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect((await fetch(`${url.origin}/api/agents`)).status).toBe(401);
    expect((await fetch(`${started.url}api/agents`)).status).toBe(200);
    expect(started.run.stderr.join('\n')).toMatch(/read-only/);
    expect(await started.stop()).toBe(0);
  });

  it('refuses a bad --port', async () => {
    const run = await runCli(['ui', '--port', 'eighty'], project.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/BAD_INPUT: --port "eighty" is not valid/);
  });
});
