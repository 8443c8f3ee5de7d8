import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../../kernel/process-alive.js';

/**
 * What a lock records about its holder beyond pid and host, so that a later reader can
 * tell "that process still runs" from "some process now has that pid". On Linux:
 * - `boot`: /proc/sys/kernel/random/boot_id, new on every boot and the same in every
 *   container of one kernel. Equal boot ids mean the same machine, whatever the hostname
 *   says now (laptops change hostnames with the network).
 * - `pidNs`: the pid namespace (/proc/self/ns/pid): a pid means something only inside it.
 * - `procStart`: the holder's start time in clock ticks since boot (/proc/<pid>/stat,
 *   field 22). A process with the recorded pid and another start time reused the pid.
 * Elsewhere these are missing and the host name and pid decide, as before.
 */
export interface ProcessIdentity {
  pid: number;
  host: string;
  boot?: string;
  pidNs?: string;
  procStart?: string;
}

export type HolderVerdict =
  | { state: 'alive' }
  | { state: 'gone'; why: string }
  /** On another machine, or in another pid namespace: its process cannot be checked from here. */
  | { state: 'elsewhere' };

let self: ProcessIdentity | undefined;

/** This process, read once. */
export function thisProcess(): ProcessIdentity {
  if (self) return self;
  const boot = readText('/proc/sys/kernel/random/boot_id');
  const pidNs = readLink('/proc/self/ns/pid');
  const procStart = processStartTicks(process.pid);
  self = {
    pid: process.pid,
    host: hostname(),
    ...(boot !== undefined && { boot }),
    ...(pidNs !== undefined && { pidNs }),
    ...(procStart !== undefined && { procStart }),
  };
  return self;
}

/**
 * Whether the process a lock names still runs. `ownTokens` are the locks this process
 * holds right now: a lock with our pid and another token was left by an earlier process
 * that had our pid (common in containers, where a restarted server is pid 1 again).
 */
export function judgeHolder(
  holder: ProcessIdentity & { token: string },
  ownTokens: ReadonlySet<string>,
  me: ProcessIdentity = thisProcess(),
): HolderVerdict {
  const bootsKnown = holder.boot !== undefined && me.boot !== undefined;
  if (bootsKnown && holder.boot !== me.boot) {
    // Written before this machine's last boot (same host name), or by another machine.
    return holder.host === me.host
      ? { state: 'gone', why: 'it was written before this machine last booted' }
      : { state: 'elsewhere' };
  }
  const sameSpace = bootsKnown ? holder.pidNs === me.pidNs : holder.host === me.host;
  if (!sameSpace) return { state: 'elsewhere' };
  if (holder.pid === me.pid) {
    return ownTokens.has(holder.token)
      ? { state: 'alive' }
      : { state: 'gone', why: 'it names this very process, so it was left by an earlier process with the same pid' };
  }
  if (!processAlive(holder.pid)) return { state: 'gone', why: 'that process is gone' };
  if (holder.procStart !== undefined) {
    const now = processStartTicks(holder.pid);
    if (now !== undefined && now !== holder.procStart)
      return { state: 'gone', why: 'that pid now belongs to a process started later' };
  }
  return { state: 'alive' };
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function processStartTicks(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields[22 - 3];
  return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
