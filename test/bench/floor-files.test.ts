import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acknowledge, claimAndRead, inboxFolders, listMessages, writeMessage } from '../../bench/floor/floor-files.js';

describe("the bench floor's file steps", () => {
  let root: string;
  let folders: ReturnType<typeof inboxFolders>;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cc2cc-floor-'));
    folders = inboxFolders(root, 'receiver');
    for (const folder of Object.values(folders)) await mkdir(folder, { recursive: true });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('moves a message through tmp/, inbox/, cur/ and done/ as the folder transport does', async () => {
    await writeMessage(folders, 'b.json', '{"text":"second"}', true);
    await writeMessage(folders, 'a.json', '{"text":"first"}', false);
    expect(await readdir(folders.tmp)).toEqual([]);
    expect(await listMessages(folders.inbox)).toEqual(['a.json', 'b.json']);
    expect((await stat(join(folders.inbox, 'a.json'))).mode & 0o777).toBe(0o600);

    expect(await claimAndRead(folders, 'a.json')).toBe('{"text":"first"}');
    expect(await readdir(folders.cur)).toEqual(['a.json']);
    await acknowledge(folders, 'a.json');
    expect(await readdir(folders.cur)).toEqual([]);
    expect(await readdir(folders.done)).toEqual(['a.json']);
    expect(await listMessages(folders.inbox)).toEqual(['b.json']);
  });
});
