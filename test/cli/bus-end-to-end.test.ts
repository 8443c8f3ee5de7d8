import { copyFile, lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvelope, decodeEnvelope, encodeEnvelope } from '../../src/kernel/envelope.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { CLI, runCli, spawnNode, startReceiver } from './process-helpers.js';

const SENDER = resolve(import.meta.dirname, '../fixtures/sender.mjs');

let project: string;
const children: Array<{ child: { kill(signal?: NodeJS.Signals): boolean; exitCode: number | null } }> = [];
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'cc2cc-e2e-'));
  await writeFile(
    join(project, '.cc2ccrc.json'),
    JSON.stringify({ agents: ['calm-owl', 'brave-fox'], transport: { use: 'fs', rescanMs: 500 } }),
  );
});
afterEach(async () => {
  for (const { child } of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(project, { recursive: true, force: true });
});

const inbox = (name: string, folder = 'inbox') => join(project, '.cc2cc', `to-${name}`, folder);
const jsonFiles = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((file) => file.endsWith('.json')).sort();

function receiver(name: string, extra: string[] = []) {
  const started = startReceiver(project, name, extra);
  children.push(started);
  return started;
}

describe('the bus end to end, from the command line', () => {
  it('cc2cc send leaves one complete file in the inbox, and a receiver started later gets it', async () => {
    const sent = await runCli(['send', 'calm-owl', 'hi', '--from', 'brave-fox'], project);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/calm-owl: offline \(queued\)/);
    const files = await jsonFiles(inbox('calm-owl'));
    expect(files).toHaveLength(1);
    const envelope = decodeEnvelope(await readFile(join(inbox('calm-owl'), files[0]!), 'utf8'));
    expect(envelope).toMatchObject({ from: 'brave-fox', to: 'calm-owl', text: 'hi', kind: 'message' });
    expect(await jsonFiles(inbox('calm-owl', 'tmp'))).toEqual([]);

    const calm = receiver('calm-owl');
    await calm.ready();
    await waitFor(() => calm.messages().length === 1, { what: 'the offline message' });
    expect(calm.messages()[0]).toMatchObject({ id: envelope.id, from: 'brave-fox', text: 'hi' });
  });

  it('delivers 10 concurrent sender processes × 200 messages once each, each sender in order', async () => {
    const senders = Array.from({ length: 10 }, (_, i) => `sender-${i}`);
    await writeFile(
      join(project, '.cc2ccrc.json'),
      JSON.stringify({ agents: ['calm-owl', ...senders], transport: { use: 'fs', rescanMs: 500 } }),
    );
    const calm = receiver('calm-owl');
    await calm.ready();
    const runs = senders.map((from) => {
      const run = spawnNode([SENDER, project, from, 'calm-owl', '200'], project);
      children.push(run);
      return run;
    });
    const codes = await Promise.all(runs.map((run) => run.exited));
    expect(codes).toEqual(senders.map(() => 0));
    await waitFor(() => calm.messages().length >= 2000, { timeoutMs: 60_000, what: '2,000 messages' });
    const messages = calm.messages();
    expect(messages).toHaveLength(2000);
    expect(new Set(messages.map((message) => message.id)).size).toBe(2000);
    for (const from of senders) {
      const texts = messages.filter((message) => message.from === from).map((message) => message.text);
      expect(texts).toEqual(Array.from({ length: 200 }, (_, i) => `${from}-${i}`));
    }
  });

  it('redelivers after a SIGKILL between claim and ack, and never re-pushes what is done', async () => {
    await runCli(['send', 'calm-owl', 'fragile', '--from', 'brave-fox'], project);
    const first = receiver('calm-owl', ['--hang-on', 'fragile']);
    const hanging = await waitFor(() => first.events().find((event) => event.event === 'hanging'), {
      what: 'the claim',
    });
    expect(await jsonFiles(inbox('calm-owl', 'cur'))).toEqual([`${hanging.id}.json`]);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = receiver('calm-owl');
    await waitFor(() => second.messages().length === 1, { what: 'the redelivery' });
    expect(second.messages()[0]!.id).toBe(hanging.id);
    await waitFor(async () => (await jsonFiles(inbox('calm-owl', 'done'))).includes(`${hanging.id}.json`));

    // The same file showing up again (a replayed copy) is acked, not handed to the sink.
    await copyFile(
      join(inbox('calm-owl', 'done'), `${hanging.id}.json`),
      join(inbox('calm-owl'), `${hanging.id}.json`),
    );
    await runCli(['send', 'calm-owl', 'after', '--from', 'brave-fox'], project);
    await waitFor(() => second.messages().some((message) => message.text === 'after'));
    await waitFor(async () => (await jsonFiles(inbox('calm-owl'))).length === 0);
    expect(second.messages().map((message) => message.text)).toEqual(['fragile', 'after']);
  });

  it('moves broken, wrong-schema, v2 and expired files to dead/ with a reason each, and keeps delivering', async () => {
    await runCli(['send', 'calm-owl', 'warm-up', '--from', 'brave-fox'], project);
    const good = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'good' });
    const bad = {
      broken: createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: '' }).id,
      schema: createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: '' }).id,
      version: createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: '' }).id,
    };
    const expired = createEnvelope({
      from: 'brave-fox',
      to: 'calm-owl',
      text: 'stale',
      expiresAt: '2020-01-01T00:00:00.000Z',
    });
    await writeFile(join(inbox('calm-owl'), `${bad.broken}.json`), '{"v":1,"id":');
    await writeFile(
      join(inbox('calm-owl'), `${bad.schema}.json`),
      JSON.stringify({ v: 1, id: bad.schema, hello: 'world' }),
    );
    await writeFile(
      join(inbox('calm-owl'), `${bad.version}.json`),
      JSON.stringify({
        ...JSON.parse(encodeEnvelope(createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: '' }))),
        id: bad.version,
        v: 2,
      }),
    );
    await writeFile(join(inbox('calm-owl'), `${expired.id}.json`), encodeEnvelope(expired));
    await writeFile(join(inbox('calm-owl'), `${good.id}.json`), encodeEnvelope(good));

    const calm = receiver('calm-owl');
    await waitFor(() => calm.messages().some((message) => message.text === 'good'), { what: 'the good message' });
    const reason = (id: string) => readFile(join(inbox('calm-owl', 'dead'), `${id}.reason`), 'utf8');
    await waitFor(async () => (await jsonFiles(inbox('calm-owl', 'dead'))).length === 4, { what: 'four dead letters' });
    expect(await reason(bad.broken)).toMatch(/not valid JSON/);
    expect(await reason(bad.schema)).toMatch(/does not match wire format v1/);
    expect(await reason(bad.version)).toMatch(/version 2 is not supported/);
    expect(await reason(expired.id)).toMatch(/^expired/);
    expect(calm.messages().map((message) => message.text)).toEqual(['warm-up', 'good']);
  });

  it('refuses a second receiver with the holder pid, and takes over a dead holder lock', async () => {
    const first = receiver('calm-owl');
    const ready = await first.ready();
    const second = receiver('calm-owl');
    const refused = await second.ready();
    expect(refused).toMatchObject({ event: 'error', code: 'INBOX_LOCKED' });
    expect(refused.message).toContain(String(ready.pid));

    first.child.kill('SIGKILL');
    await first.exited;
    const third = receiver('calm-owl');
    expect(await third.ready()).toMatchObject({ event: 'ready' });
  });

  it('refuses bad names, unknown recipients and oversize messages at send, naming the rule', async () => {
    const badName = await runCli(['send', '../x', 'hi', '--from', 'brave-fox'], project);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/INVALID_ADDRESS: invalid address "\.\.\/x"/);
    const badSender = await runCli(['send', 'calm-owl', 'hi', '--from', 'Brave/Fox'], project);
    expect(badSender.stderr).toMatch(/INVALID_NAME: .*lowercase \[a-z0-9\] words joined by single hyphens/);
    const unknown = await runCli(['send', 'shy-elk', 'hi', '--from', 'brave-fox'], project);
    expect(unknown.stderr).toMatch(/UNKNOWN_RECIPIENT: unknown recipient "shy-elk"; known agents: brave-fox, calm-owl/);
    await writeFile(
      join(project, '.cc2ccrc.json'),
      JSON.stringify({ agents: ['calm-owl', 'brave-fox'], maxBytes: 65536 }),
    );
    const big = await runCli(['send', 'calm-owl', 'x'.repeat(70_000), '--from', 'brave-fox'], project);
    expect(big.stderr).toMatch(/ENVELOPE_TOO_LARGE: message is \d+ bytes serialized, over the limit of 65536 bytes/);
    expect(await readdir(join(project, '.cc2cc')).catch(() => [])).not.toContain('to-..');
    expect(await jsonFiles(inbox('calm-owl'))).toEqual([]);
  });

  it('cc2cc tail sees every message of a 100-message run without changing any inbox', async () => {
    await runCli(['send', 'calm-owl', 'before', '--from', 'brave-fox'], project);
    const tail = spawnNode([CLI, 'tail', '--json'], project);
    children.push(tail);
    await waitFor(() => tail.stderr.some((line) => line.includes('watching')), { what: 'tail to start' });
    const before = await jsonFiles(inbox('calm-owl'));
    const sender = spawnNode([SENDER, project, 'brave-fox', 'calm-owl', '100'], project);
    expect(await sender.exited).toBe(0);
    const seen = () =>
      new Set(
        tail.lines
          .map((line) => JSON.parse(line))
          .filter(
            (event) => event.state === 'queued' && event.from === 'brave-fox' && /^brave-fox-\d+$/.test(event.text),
          )
          .map((event) => event.text),
      );
    await waitFor(() => seen().size === 100, { what: '100 messages in tail' });
    const after = await jsonFiles(inbox('calm-owl'));
    expect(after).toHaveLength(before.length + 100);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(await jsonFiles(inbox('calm-owl', 'cur'))).toEqual([]);
    expect(await jsonFiles(inbox('calm-owl', 'done'))).toEqual([]);
    expect((await lstat(join(project, '.cc2cc'))).mode & 0o777).toBe(0o700);
  });
});
