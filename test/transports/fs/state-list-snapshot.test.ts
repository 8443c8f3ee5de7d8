import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/kernel/logger.js';
import { FsState } from '../../../src/transports/fs/state-store.js';

/** Runs once, right after the next listing of `folder` and before `list` reads any of its files. */
const afterListing = vi.hoisted(() => ({ folder: '', change: undefined as undefined | (() => Promise<void>) }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = async (...args: Parameters<typeof actual.readdir>) => {
    const listed = await actual.readdir(...args);
    const change = afterListing.change;
    if (change && args[0] === afterListing.folder) {
      afterListing.change = undefined;
      await change();
    }
    return listed;
  };
  return { ...actual, readdir };
});

let dir: string;
let reader: FsState;
let writer: FsState;

function open(): FsState {
  return new FsState({ dir: join(dir, 'state'), ensureParent: async () => {}, logger: silentLogger, fsync: false });
}

/** The next `list` of `reader` lists the folder, then `change` runs, then it reads the files it listed. */
function between(change: () => Promise<void>): void {
  afterListing.folder = join(dir, 'state');
  afterListing.change = change;
}

async function members(state: FsState): Promise<string[]> {
  return (await state.list('agent/')).map((entry) => `${entry.key}=${JSON.stringify(entry.value)}`);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc2cc-state-list-'));
  reader = open();
  writer = open();
});

afterEach(async () => {
  afterListing.change = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('FsState.list while keys change between listing the folder and reading its files', () => {
  it('the hook runs inside list: the test really interleaves', async () => {
    await writer.set('agent/bob/rooms', ['dev']);
    let ran = false;
    between(async () => {
      ran = true;
    });
    await reader.list('agent/');
    expect(ran).toBe(true);
  });

  it('a key deleted after the listing while another was added: one of the two states, never neither', async () => {
    await writer.set('agent/bob/rooms', ['dev']);
    const before = await members(reader);
    between(async () => {
      await writer.set('agent/carol/rooms', ['dev']); // carol joins...
      await writer.delete('agent/bob/rooms'); // ...then bob leaves
    });
    const seen = await members(reader);
    const after = await members(reader);
    expect([before, after]).toContainEqual(seen);
    expect(seen).not.toEqual([]);
  });

  it('a key rewritten after the listing while another was added: one of the two states, not a mix', async () => {
    await writer.set('agent/bob/rooms', ['dev', 'ops']);
    const before = await members(reader);
    between(async () => {
      await writer.set('agent/carol/rooms', ['dev']);
      await writer.set('agent/bob/rooms', ['ops']);
    });
    const seen = await members(reader);
    const after = await members(reader);
    expect(after).toEqual(['agent/bob/rooms=["ops"]', 'agent/carol/rooms=["dev"]']);
    expect([before, after]).toContainEqual(seen);
  });

  it('keeps reading while the keys keep changing, and gives up with TIMEOUT when they never settle', async () => {
    await writer.set('agent/bob/rooms', ['dev']);
    let writes = 0;
    const churn = async () => {
      writes += 1;
      await writer.set('agent/bob/rooms', [`room-${writes}`]);
      between(churn);
    };
    between(churn);
    await expect(reader.list('agent/')).rejects.toMatchObject({ code: 'TIMEOUT' });
    afterListing.change = undefined;
    const settled = await members(reader);
    expect(settled).toEqual([`agent/bob/rooms=["room-${writes}"]`]);
  });
});
