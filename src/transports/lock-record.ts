/**
 * What an inbox lock records about its receiver: in the folder transport's lock file and in
 * the Redis lock key alike. `token` tells two locks of one process apart; `boot`, `pidNs` and
 * `procStart` (Linux, folder transport) tell a live holder from a reused pid (fs/process-identity.ts).
 */
export interface LockRecord {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
  boot?: string;
  pidNs?: string;
  procStart?: string;
}

/** The record in `text`; undefined unless it is JSON with a positive integer pid and a host. */
export function parseLockRecord(text: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, host, startedAt, token, boot, pidNs, procStart } = value as Record<string, unknown>;
  // pid 0 or below would name a process group to `kill`, never one process.
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof host !== 'string') return undefined;
  return {
    pid,
    host,
    startedAt: typeof startedAt === 'string' ? startedAt : '?',
    token: typeof token === 'string' ? token : '',
    ...(typeof boot === 'string' && { boot }),
    ...(typeof pidNs === 'string' && { pidNs }),
    ...(typeof procStart === 'string' && { procStart }),
  };
}
