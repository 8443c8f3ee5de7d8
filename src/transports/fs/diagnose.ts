import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../../kernel/check.js';
import { describeError } from '../../kernel/errors.js';
import type { FsLayout, InboxPaths } from './layout.js';
import { readRegularFile } from './message-file.js';
import { judgeLockHolder } from './inbox-lock.js';
import type { ProcessIdentity } from './process-identity.js';

export interface FolderDiagnosis {
  layout: FsLayout;
  /** The largest message: the write probe is this big. */
  maxBytes: number;
  /** Temp files older than this belong to dead writers (the transport's `tmpGraceMs`). */
  tmpGraceMs: number;
}

/**
 * What `cc2cc doctor` says about the folder: the root, whether a message fits, its mode, the
 * inboxes' locks and leftovers.
 */
export async function diagnoseFolder({ layout, maxBytes, tmpGraceMs }: FolderDiagnosis): Promise<Finding[]> {
  const root = layout.root;
  // The root may be a symlink the user chose (layout.ts); what it points at must be a folder.
  const info = await stat(root).catch(() => undefined);
  if (!info) {
    return [{ level: 'ok', check: 'root', message: `${root} does not exist yet; it is made on first send or serve` }];
  }
  if (!info.isDirectory()) {
    const fix = 'move it away; cc2cc refuses files where its folder should be';
    return [{ level: 'fail', check: 'root', message: `${root} is not a folder`, fix }];
  }
  const mode = info.mode & 0o777;
  const findings: Finding[] = [
    await checkWritable(root, maxBytes),
    (mode & 0o077) === 0
      ? { level: 'ok', check: 'permissions', message: `root mode ${mode.toString(8)} (only the owner can read it)` }
      : {
          level: 'warn',
          check: 'permissions',
          message: `root mode ${mode.toString(8)}: other users can read messages`,
          fix: `chmod 700 ${root}`,
        },
  ];
  const skipped: Finding[] = [];
  const names = await layout.inboxNames((path, why) => {
    skipped.push({ level: 'warn', check: 'inboxes', message: `${path} is skipped: ${why}`, fix: `move ${path} away` });
  });
  const inboxes = names.map((name) => layout.inbox(name));
  const locks = (await Promise.all(inboxes.map(checkLock))).flat();
  const noStaleLocks: Finding = { level: 'ok', check: 'locks', message: 'no stale inbox locks' };
  findings.push(...skipped, ...(locks.length > 0 ? locks : [noStaleLocks]));
  findings.push(...(await checkLeftovers(inboxes, tmpGraceMs)));
  return findings;
}

/**
 * Writable means a message fits: write (and fsync) a file of the largest message size in the
 * root, then remove it. Permission bits alone say nothing about a full disk, a read-only
 * mount or a quota, and root passes every permission check.
 */
async function checkWritable(root: string, bytes: number): Promise<Finding> {
  const probe = join(root, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const size = `${Math.round(bytes / 1024)} KiB`;
  let handle: FileHandle | undefined;
  try {
    handle = await open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    await handle.writeFile(Buffer.alloc(bytes, 0x20));
    await handle.sync();
    return { level: 'ok', check: 'root', message: `${root} is writable (wrote and removed a ${size} file)` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    const denied = code === 'EACCES' || code === 'EPERM';
    const why = full
      ? 'the disk (or quota) is full'
      : code === 'EROFS'
        ? 'it is on a read-only file system'
        : denied
          ? 'this user may not write there'
          : describeError(error);
    const fix = full
      ? 'free some space: nothing can be sent or acknowledged until then'
      : denied
        ? 'chown it to the user that runs the agents'
        : 'make it writable';
    const message = `${root} is not writable: ${why} (${code ?? 'error'} writing a ${size} test file)`;
    return { level: 'fail', check: 'root', message, fix };
  } finally {
    await handle?.close().catch(() => {});
    await unlink(probe).catch(() => {});
  }
}

/** A lock whose holder is gone, judged by the rules a server uses to take one over (transports.md). */
async function checkLock(paths: InboxPaths): Promise<Finding[]> {
  const name = paths.agent;
  // Never through a link, never a FIFO (reading one would hang doctor), never a huge file.
  const read = await readRegularFile(paths.lock, 4096);
  if (read.missing) return [];
  if (read.reason !== undefined) {
    const message = `${paths.lock} is not a lock file: ${read.reason}`;
    return [{ level: 'warn', check: 'locks', message, fix: `stop ${name}'s server and remove ${paths.lock}` }];
  }
  let holder: { pid?: unknown; host?: unknown; token?: unknown };
  try {
    holder = JSON.parse(read.content);
  } catch {
    const fix = `stop ${name}'s server and delete the lock`;
    return [{ level: 'warn', check: 'locks', message: `${paths.lock} is unreadable`, fix }];
  }
  if (typeof holder.pid !== 'number' || typeof holder.host !== 'string') return [];
  const token = typeof holder.token === 'string' ? holder.token : '';
  const verdict = judgeLockHolder({ ...(holder as ProcessIdentity), token });
  if (verdict.state !== 'gone') return [];
  return [
    {
      level: 'warn',
      check: 'locks',
      message: `stale lock on ${name}'s inbox (pid ${holder.pid}: ${verdict.why})`,
      fix: `harmless: the next \`cc2cc serve --name ${name}\` takes it over; or delete ${paths.lock}`,
    },
  ];
}

/** Half-written messages of writers that died (`tmp/`): harmless, and removed when the inbox is next opened. */
async function checkLeftovers(inboxes: readonly InboxPaths[], graceMs: number): Promise<Finding[]> {
  const now = Date.now();
  const findings: Finding[] = [];
  for (const paths of inboxes) {
    const names = await readdir(paths.tmp).catch(() => [] as string[]);
    const age = (name: string) =>
      lstat(join(paths.tmp, name)).then(
        (info) => now - info.mtimeMs,
        () => 0,
      );
    const ages = await Promise.all(names.map(age));
    const old = ages.filter((age) => age > graceMs).length;
    if (old === 0) continue;
    findings.push({
      level: 'info',
      check: 'leftovers',
      message:
        `${paths.agent}: ${old} unfinished message file${old === 1 ? '' : 's'} in ${paths.tmp} ` +
        'from writers that stopped mid-write',
      fix: `harmless (they queued nothing): ${paths.agent}'s server removes them when it next opens its inbox`,
    });
  }
  return findings;
}
