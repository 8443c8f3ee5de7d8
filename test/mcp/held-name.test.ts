import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derivedName } from '../../src/mcp/held-name.js';
import { DELIVERY_TIMEOUT_MS, makeProject, selfWake, startAgent } from './support.js';

const environment = (extra: Record<string, string>) => ({
  ...(Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >),
  ...extra,
});

async function messagesOf(project: string, agent: string): Promise<string[]> {
  const folders = ['inbox', 'cur', 'done', 'dead'].map((folder) => join(project, '.cc2cc', `to-${agent}`, folder));
  const lists = await Promise.all(folders.map((folder) => readdir(folder).catch(() => [] as string[])));
  return lists.flat().filter((file) => file.endsWith('.json'));
}

describe('the same name twice', () => {
  it('derives a name that keeps the length rule', () => {
    expect(derivedName('backend', 2)).toBe('backend-2');
    expect(derivedName('a'.repeat(32), 12)).toBe(`${'a'.repeat(29)}-12`);
    expect(derivedName(`${'a'.repeat(30)}-b`, 2)).toBe(`${'a'.repeat(30)}-2`);
  });

  it('a second session with a held name connects, serves as backend-2, says why; a message to ' +
    'backend reaches only the first', async () => {
    const project = await makeProject();
    const env = environment({ CC2CC_NAME: 'backend' });
    const first = await startAgent(project, ['--delivery', 'push'], { env });
    expect((await selfWake(first)).content).toMatch(/^cc2cc: you are backend\./);

    const second = await startAgent(project, ['--delivery', 'push'], { env });
    const wake = await selfWake(second);
    const note = `backend is held by another live session, pid ${first.pid} since `;
    expect(wake.content).toContain(`cc2cc: ${note}`);
    expect(wake.content).toMatch(/; you are backend-2\. Online: backend\./);
    expect(wake.meta).toMatchObject({ to: 'backend-2', held_name: 'backend' });

    const listed = (await second.call('list_agents')).text;
    expect(listed.split('\n')[0]).toMatch(new RegExp(`^${note}\\S+; you are backend-2\\.$`));
    expect(listed).toMatch(/backend-2 +online +\(you\) heldName="backend"/);
    // For the hooks: the presence record carries the note.
    const record = JSON.parse(await readFile(join(project, '.cc2cc', 'agents', 'backend-2.json'), 'utf8')) as {
      data: { heldName: { name: string; pid: number; note: string } };
    };
    expect(record.data.heldName).toMatchObject({ name: 'backend', pid: first.pid });
    expect(record.data.heldName.note).toMatch(/; you are backend-2$/);

    const sender = await startAgent(project, ['--name', 'alice']);
    await selfWake(sender);
    const sent = await sender.call('send', { to: 'backend', text: 'for the first backend only' });
    expect(sent.text).toMatch(/\n {2}backend: queued$/);
    await first.waitForPush((push) => push.content === 'for the first backend only', DELIVERY_TIMEOUT_MS);
    expect(await messagesOf(project, 'backend-2')).toEqual([]);
    expect(second.pushes.map((push) => push.content)).not.toContain('for the first backend only');

    // backend-2 is an agent of its own.
    await sender.call('send', { to: 'backend-2', text: 'for the second session' });
    await second.waitForPush((push) => push.content === 'for the second session', DELIVERY_TIMEOUT_MS);
  }, 120_000);
});
