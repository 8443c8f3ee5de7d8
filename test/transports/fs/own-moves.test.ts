import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OwnMoves } from '../../../src/transports/fs/own-moves.js';
import { envelope, recorder, Scratch, waitFor } from './helpers.js';

// Counts the receiver's listings of inbox/ (a small inbox is listed with readdirSync).
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, readdirSync: vi.fn(actual.readdirSync) };
});

describe('own moves', () => {
  it('passes over one event per noted move, in order, and no more', () => {
    const moves = new OwnMoves();
    moves.expect('A.json');
    expect(moves.seen('B.json')).toBe(false);
    expect(moves.seen('A.json')).toBe(true);
    // The same name back in the folder later (a retry) is news again.
    expect(moves.seen('A.json')).toBe(false);
    moves.expect('C.json');
    moves.expect('C.json');
    expect(moves.seen('C.json')).toBe(true);
    expect(moves.seen('C.json')).toBe(true);
    expect(moves.seen('C.json')).toBe(false);
    moves.expect('D.json');
    moves.clear();
    expect(moves.seen('D.json')).toBe(false);
  });
});

describe('the receiver and its own claims', () => {
  const scratch = new Scratch();
  beforeEach(() => scratch.setUp());
  afterEach(() => scratch.tearDown());

  it('lists inbox/ once per message: the watch event of its own claim does not wake it', async () => {
    const transport = scratch.transport({ rescanMs: 0 });
    const inbox = join(scratch.root, 'to-calm-owl', 'inbox');
    const seen = recorder();
    await transport.open('calm-owl', seen.handler);
    const first = envelope();
    await transport.put('calm-owl', first);
    await waitFor(() => seen.ids().includes(first.id), { what: 'the first message' });
    const before = listings(inbox);
    const count = 20;
    for (let index = 0; index < count; index++) {
      const message = envelope();
      await transport.put('calm-owl', message);
      await waitFor(() => seen.ids().includes(message.id), { what: `message ${index}` });
    }
    // One pass per arrival; a stray extra (an arrival noticed while a pass ran) is allowed,
    // one per claim (2 × count) is what ignoring the claim's event saves.
    expect(listings(inbox) - before).toBeGreaterThanOrEqual(count);
    expect(listings(inbox) - before).toBeLessThanOrEqual(count + 2);
  });
});

function listings(path: string): number {
  return vi.mocked(fs.readdirSync).mock.calls.filter(([listed]) => listed === path).length;
}
