import { lstatSync, watch, type FSWatcher } from 'node:fs';
import { Cc2ccError } from '../../kernel/errors.js';

/**
 * `fs.watch` on one folder, refusing a symlink in its place (watching would follow it).
 * Persistent, like a listening socket: an open inbox or a live observer keeps the process
 * alive until it is closed. After an error the watcher is closed and `onError` runs once;
 * callers fall back on their (unref'd) rescans.
 */
export function watchFolder(
  path: string,
  onChange: (fileName: string | null) => void,
  onError: (error: unknown) => void,
): FSWatcher {
  const info = lstatSync(path);
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new Cc2ccError('UNSAFE_PATH', `${path} should be a folder, not a symlink or file; cc2cc will not watch it`, {
      path,
    });
  }
  const watcher = watch(path, { persistent: true }, (_event, fileName) =>
    onChange(fileName === null ? null : String(fileName)),
  );
  watcher.once('error', (error) => {
    watcher.close();
    onError(error);
  });
  return watcher;
}
