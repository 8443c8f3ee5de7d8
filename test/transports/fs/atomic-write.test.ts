import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvelope, decodeEnvelope, encodeEnvelope } from '../../../src/kernel/envelope.js';
import { tempName, writeFileAtomic } from '../../../src/transports/fs/atomic-write.js';
import { envelope, modeOf, names, Scratch, waitFor } from './helpers.js';

describe('atomic write', () => {
  const scratch = new Scratch();
  beforeEach(() => scratch.setUp());
  afterEach(() => scratch.tearDown());

  it('writes a 0600 file by temp + rename and leaves no temp file', async () => {
    const target = join(scratch.dir, 'final.json');
    await writeFileAtomic(join(scratch.dir, tempName('final', '.json')), target, '{"a":1}', { fsync: true });
    expect(await readdir(scratch.dir)).toEqual(['final.json']);
    expect(await readFile(target, 'utf8')).toBe('{"a":1}');
    expect(modeOf(await lstat(target))).toBe('600');
  });

  it('refuses to write through a temp name that already exists', async () => {
    const temp = join(scratch.dir, 'taken.tmp');
    await writeFileAtomic(join(scratch.dir, 'a.tmp'), temp, 'x');
    await expect(writeFileAtomic(temp, join(scratch.dir, 'b.json'), 'y')).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('put leaves exactly one complete file in inbox/ and nothing in tmp/', async () => {
    const transport = scratch.transport();
    const message = envelope();
    await transport.put('calm-owl', message);
    const inbox = join(scratch.root, 'to-calm-owl', 'inbox');
    expect(await names(inbox)).toEqual([`${message.id}.json`]);
    expect(await names(join(scratch.root, 'to-calm-owl', 'tmp'))).toEqual([]);
    expect(await readFile(join(inbox, `${message.id}.json`), 'utf8')).toBe(encodeEnvelope(message));
  });

  it('never lets a reader see a partial message', async () => {
    const transport = scratch.transport();
    const inbox = join(scratch.root, 'to-calm-owl', 'inbox');
    const big = 'x'.repeat(200_000);
    const messages = Array.from({ length: 40 }, () => createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: big }));
    let writing = true;
    const seen = new Set<string>();
    const reader = (async () => {
      while (writing) {
        for (const name of await names(inbox)) {
          // Every name in inbox/ must hold a whole, valid envelope.
          const message = decodeEnvelope(await readFile(join(inbox, name), 'utf8'));
          seen.add(message.id);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(messages.map((message) => transport.put('calm-owl', message)));
    await waitFor(async () => (await names(inbox)).length === messages.length);
    writing = false;
    await reader;
    expect(await names(join(scratch.root, 'to-calm-owl', 'tmp'))).toEqual([]);
  });

  it('gives folders 0700 and files 0600 whatever the umask', async () => {
    let previous: number;
    try {
      previous = process.umask(0o277); // would make files 0400 and folders 0500
    } catch {
      return; // umask cannot be changed in a worker thread; the forks pool can
    }
    try {
      const transport = scratch.transport();
      const message = envelope();
      await transport.put('calm-owl', message);
      await transport.announce({
        name: 'calm-owl',
        state: 'online',
        pid: process.pid,
        host: 'h',
        startedAt: new Date().toISOString(),
        lastSeen: new Date().toISOString(),
        data: {},
      });
      const box = join(scratch.root, 'to-calm-owl');
      for (const dir of [
        scratch.root,
        join(scratch.root, 'agents'),
        box,
        ...['tmp', 'inbox', 'cur', 'done', 'dead'].map((f) => join(box, f)),
      ]) {
        expect(modeOf(await lstat(dir)), dir).toBe('700');
      }
      expect(modeOf(await lstat(join(box, 'inbox', `${message.id}.json`)))).toBe('600');
      expect(modeOf(await lstat(join(scratch.root, 'agents', 'calm-owl.json')))).toBe('600');
    } finally {
      process.umask(previous);
    }
  });
});
