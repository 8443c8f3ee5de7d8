import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from '../../../src/kernel/envelope.js';
import type { PresenceRecord } from '../../../src/kernel/presence.js';
import { createFsTransport, FsTransport } from '../../../src/transports/fs/index.js';
import { envelope, names, recorder, recordingLogger, Scratch, waitFor } from './helpers.js';

function presence(name: string, extra: Partial<PresenceRecord> = {}): PresenceRecord {
  const now = new Date().toISOString();
  return { name, state: 'online', pid: process.pid, host: 'here', startedAt: now, lastSeen: now, data: {}, ...extra };
}

describe('fs transport', () => {
  const scratch = new Scratch();
  beforeEach(() => scratch.setUp());
  afterEach(() => scratch.tearDown());

  it('is made by its factory and says its kind', () => {
    const transport = createFsTransport({ root: scratch.root, logger: recordingLogger() });
    expect(transport).toBeInstanceOf(FsTransport);
    expect(transport.kind).toBe('fs');
  });

  it('refuses a relative root and bad numbers at construction', () => {
    expect(() => new FsTransport({ root: 'relative/.cc2cc', logger: recordingLogger() })).toThrow(/absolute/);
    expect(() => new FsTransport({ root: scratch.root, logger: recordingLogger(), rescanMs: -1 })).toThrow(/rescanMs/);
  });

  it('writes presence by temp + rename and lists agents with records or inboxes', async () => {
    const transport = scratch.transport();
    await transport.announce(presence('calm-owl', { data: { rooms: ['backend'] } }));
    await transport.announce(presence('calm-owl', { state: 'offline' }));
    await transport.put('quiet-owl', envelope('for an agent that never ran', { to: 'quiet-owl' }));
    await writeFile(join(scratch.root, 'agents', 'broken-owl.json'), '{not json');
    await writeFile(join(scratch.root, 'agents', 'Bad.Name.json'), JSON.stringify(presence('calm-owl')));
    await mkdir(join(scratch.root, 'to-NOT_A_NAME'));

    const agents = await transport.agents();
    expect(agents.map((agent) => agent.name)).toEqual(['calm-owl', 'quiet-owl']);
    expect(agents[0]!.presence).toMatchObject({ name: 'calm-owl', state: 'offline' });
    expect(agents[1]!.presence).toBeUndefined();
    expect(await names(join(scratch.root, 'agents'))).toEqual(['Bad.Name.json', 'broken-owl.json', 'calm-owl.json']);
    const warnings = transport.logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);
    expect(warnings.some((line) => line.includes('broken-owl.json'))).toBe(true);
    expect(warnings.some((line) => line.includes('Bad.Name.json'))).toBe(true);
    expect(warnings.some((line) => line.includes('to-NOT_A_NAME'))).toBe(true);
  });

  it('keeps the directory between sends, and sees at once what another process changed', async () => {
    const mine = scratch.transport();
    const theirs = scratch.transport();
    await mine.announce(presence('calm-owl', { data: { rooms: ['backend'] } }));
    // Folders last changed a minute ago: the kept directory is trusted (not a racy read).
    const minuteAgo = new Date(Date.now() - 60_000);
    for (const folder of [scratch.root, join(scratch.root, 'agents')]) await utimes(folder, minuteAgo, minuteAgo);
    expect((await mine.agents()).map((agent) => agent.name)).toEqual(['calm-owl']);

    await theirs.announce(presence('bold-fox', { data: { rooms: ['backend'] } }));
    expect((await mine.agents()).map((agent) => agent.name)).toEqual(['bold-fox', 'calm-owl']);
    await theirs.announce(presence('bold-fox', { data: { rooms: [] } }));
    expect((await mine.agents())[0]!.presence?.data).toEqual({ rooms: [] });
    await theirs.put('quiet-owl', envelope('for an agent that never ran', { to: 'quiet-owl' }));
    expect((await mine.agents()).map((agent) => agent.name)).toEqual(['bold-fox', 'calm-owl', 'quiet-owl']);
  });

  it('refuses an invalid presence record', async () => {
    await expect(scratch.transport().announce({ ...presence('calm-owl'), name: '../x' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
  });

  it('lists nothing, and counts zero, before anything exists', async () => {
    const transport = scratch.transport();
    expect(await transport.agents()).toEqual([]);
    expect(await transport.stats('calm-owl')).toEqual({ queued: 0, claimed: 0, done: 0, dead: 0 });
    expect(await transport.deadLetters('calm-owl')).toEqual([]);
    expect(await names(scratch.dir)).toEqual([]);
  });

  it('counts each state and lists dead letters oldest first with reasons and envelopes', async () => {
    const transport = scratch.transport();
    const messages = Array.from({ length: 5 }, (_, i) => envelope(`m${i}`));
    for (const message of messages) await transport.put('calm-owl', message);
    const verdicts: Record<
      string,
      (delivery: Parameters<ReturnType<typeof recorder>['handler']>[0]) => Promise<void> | void
    > = {
      m0: (delivery) => delivery.ack(),
      m1: (delivery) => delivery.deadLetter('first reason'),
      m2: () => {}, // held
      m3: (delivery) => delivery.deadLetter('second reason'),
      m4: (delivery) => delivery.ack(),
    };
    const seen = recorder((delivery) => verdicts[delivery.envelope.text]!(delivery));
    await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.deliveries.length === 5);
    await waitFor(async () => (await transport.stats('calm-owl')).done === 2);
    expect(await transport.stats('calm-owl')).toEqual({ queued: 0, claimed: 1, done: 2, dead: 2 });
    const dead = await transport.deadLetters('calm-owl');
    expect(dead).toEqual([
      { id: messages[1]!.id, reason: 'first reason', envelope: messages[1] },
      { id: messages[3]!.id, reason: 'second reason', envelope: messages[3] },
    ]);
  });

  it('refuses an oversized or invalid envelope at put, with both sizes', async () => {
    const transport = scratch.transport({ maxBytes: 1000 });
    const big = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'x'.repeat(2000) });
    await expect(transport.put('calm-owl', big)).rejects.toMatchObject({
      code: 'ENVELOPE_TOO_LARGE',
      message: expect.stringMatching(/\d+ bytes.*1000 bytes/),
    });
    const forged = { ...envelope(), v: 2 } as unknown as Envelope;
    await expect(transport.put('calm-owl', forged)).rejects.toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    expect(await names(join(scratch.root, 'to-calm-owl', 'inbox'))).toEqual([]);
  });

  it('close() closes open inboxes and refuses further writes', async () => {
    const transport = scratch.transport();
    await transport.open('calm-owl', recorder().handler);
    expect(await names(join(scratch.root, 'to-calm-owl'))).toContain('lock');
    await transport.close();
    await transport.close();
    expect(await names(join(scratch.root, 'to-calm-owl'))).not.toContain('lock');
    await expect(transport.put('calm-owl', envelope())).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    await expect(transport.open('calm-owl', recorder().handler)).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });

  it('writes each message as its envelope JSON, named by id', async () => {
    const transport = scratch.transport();
    const message = envelope();
    await transport.put('calm-owl', message);
    const text = await readFile(join(scratch.root, 'to-calm-owl', 'inbox', `${message.id}.json`), 'utf8');
    expect(JSON.parse(text)).toEqual(message);
  });
});
