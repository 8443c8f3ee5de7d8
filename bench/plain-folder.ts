import { watch } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * The limit cc2cc is measured against, in plain Node: write a file in tmp/, rename it into
 * a watched folder, notice it with fs.watch, read and parse it. With `durable`, the same
 * fsyncs cc2cc's folder transport does (the file before the rename, the folder after).
 */
export async function openPlainFolder(dir: string, durable: boolean) {
  const tmp = join(dir, 'tmp');
  const inbox = join(dir, 'inbox');
  await mkdir(tmp, { recursive: true });
  await mkdir(inbox, { recursive: true });
  /** File name → when it was read and parsed. */
  const arrived = new Map<string, number>();
  let wake: (() => void) | undefined;
  let fsyncs = 0;
  const watcher = watch(inbox, (_event, file) => {
    if (!file || arrived.has(file)) return;
    readFile(join(inbox, file), 'utf8')
      .then((text) => {
        JSON.parse(text);
        arrived.set(file, performance.now());
        wake?.();
      })
      .catch(() => {}); // a rename event for a file already read
  });
  const payload = (i: number) =>
    JSON.stringify({
      v: 1,
      id: String(i).padStart(26, '0'),
      ts: new Date().toISOString(),
      from: 'sender',
      to: 'receiver',
      text: `message ${i}`,
      kind: 'message',
    });
  return {
    arrived,
    /** fsyncs done so far (with `durable`, two per message). */
    fsyncs: () => fsyncs,
    /** Writes message `i` (numbers must not repeat); resolves with its file name once it is in the inbox. */
    async write(i: number): Promise<string> {
      const file = `${String(i).padStart(26, '0')}.json`;
      const handle = await open(join(tmp, file), 'wx', 0o600);
      await handle.writeFile(payload(i));
      if (durable) {
        await handle.sync();
        fsyncs++;
      }
      await handle.close();
      await rename(join(tmp, file), join(inbox, file));
      if (durable) {
        const folder = await open(inbox, 'r');
        await folder.sync();
        fsyncs++;
        await folder.close();
      }
      return file;
    },
    /** Resolves once `count` files have arrived in all. */
    until(count: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const check = () => (arrived.size >= count ? resolve() : (wake = check));
        check();
      });
    },
    close: () => watcher.close(),
  };
}
