// The floor's file steps, the same system calls cc2cc's folder transport makes for one message
// (src/transports/fs: atomic-write.ts, inbox-reader.ts, message-file.ts), with nothing around
// them. No cc2cc import: this is what any program must do to pass a durable file between processes.
import { constants } from 'node:fs';
import { open, rename, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;
const READ_SAFELY = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export type InboxFolders = ReturnType<typeof inboxFolders>;

/** `<root>/to-<name>/{tmp,inbox,cur,done}`, as cc2cc lays out an inbox. */
export function inboxFolders(root: string, name: string) {
  const dir = join(root, `to-${name}`);
  return { tmp: join(dir, 'tmp'), inbox: join(dir, 'inbox'), cur: join(dir, 'cur'), done: join(dir, 'done') };
}

/** Sender: a new temp file (0600, chmod alongside the write), fsync, close, rename into inbox/, fsync the folder. */
export async function writeMessage(folders: InboxFolders, file: string, text: string, fsync: boolean): Promise<void> {
  const temp = join(folders.tmp, `${file}.${process.pid}.${Math.random().toString(16).slice(2, 14)}`);
  const handle = await open(temp, CREATE_NEW, 0o600);
  await Promise.all([handle.chmod(0o600), handle.writeFile(text)]);
  if (fsync) await handle.sync();
  await handle.close();
  await rename(temp, join(folders.inbox, file));
  if (!fsync) return;
  const folder = await open(folders.inbox, constants.O_RDONLY);
  await folder.sync();
  await folder.close();
}

/** Receiver: list inbox/ (file types from the listing), in name order. */
export async function listMessages(inbox: string): Promise<string[]> {
  const entries = await readdir(inbox, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort();
}

/** Receiver: open where listed, claim (rename to cur/) while reading through the handle, close in the background. */
export async function claimAndRead(folders: InboxFolders, file: string): Promise<string> {
  const handle = await open(join(folders.inbox, file), READ_SAFELY);
  const claimed = rename(join(folders.inbox, file), join(folders.cur, file));
  claimed.catch(() => {}); // awaited after the read
  try {
    const info = await handle.stat();
    const buffer = Buffer.allocUnsafe(info.size + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    await claimed;
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    handle.close().catch(() => {});
  }
}

/** Receiver: acknowledge (cur/ → done/), no fsync, as cc2cc's ack. */
export function acknowledge(folders: InboxFolders, file: string): Promise<void> {
  return rename(join(folders.cur, file), join(folders.done, file));
}
