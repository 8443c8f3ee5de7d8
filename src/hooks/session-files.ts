import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAgentName } from '../kernel/names.js';

/**
 * The local files that tie a client session to its running `cc2cc serve`, in
 * `<root>/sessions/` (mode 0700), whatever the transport:
 *
 *   <name>.json     the endpoint: pid, process ancestry, session id, socket path
 *   <name>.sock     the Unix socket hooks ask (mode 0600; see the endpoint's `socket`)
 *   <name>.ledger   what the agent's model was shown: pushed / seen, one JSON line per fact
 *
 * One server holds an agent's inbox, so one endpoint per name. This module stays light
 * (no zod, no SDK): `cc2cc hook` imports it on every call.
 */
export const SESSIONS_FOLDER = 'sessions';

export interface SessionEndpoint {
  v: 1;
  name: string;
  pid: number;
  /** Parent, grandparent, ... of the server (nearest first): a hook shares one with it. */
  ancestors: number[];
  /** `CLAUDE_CODE_SESSION_ID` of the server's environment, when Claude Code started it. */
  claudeSessionId?: string;
  socket: string;
  delivery: string;
  startedAt: string;
}

export function sessionsDir(root: string): string {
  return join(root, SESSIONS_FOLDER);
}

export function endpointPath(root: string, name: string): string {
  return join(sessionsDir(root), `${name}.json`);
}

export function ledgerPath(root: string, name: string): string {
  return join(sessionsDir(root), `${name}.ledger`);
}

/** Unix socket paths are limited to about 104 bytes; a deep project gets one under the temp folder. */
const MAX_SOCKET_PATH = 100;

export function socketPathFor(root: string, name: string): string {
  const local = join(sessionsDir(root), `${name}.sock`);
  if (Buffer.byteLength(local) <= MAX_SOCKET_PATH) return local;
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const folder = join(tmpdir(), `cc2cc-${uid ?? 'user'}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  // The temp folder is shared: only a folder of ours that nobody else can enter may hold the socket.
  const found = lstatSync(folder);
  if (!found.isDirectory() || (uid !== undefined && found.uid !== uid) || (found.mode & 0o077) !== 0) {
    throw new Error(
      `${folder} is not a private folder of this user (mode 0700); remove it, or use a shorter project path`,
    );
  }
  return join(folder, `${createHash('sha256').update(local).digest('hex').slice(0, 20)}.sock`);
}

/** Every endpoint record in `root`, unreadable ones skipped (a server being written, or gone). */
export async function listEndpoints(root: string): Promise<SessionEndpoint[]> {
  let names: string[];
  try {
    names = await readdir(sessionsDir(root));
  } catch {
    return [];
  }
  const found = await Promise.all(
    names
      .filter((file) => file.endsWith('.json') && isAgentName(file.slice(0, -5)))
      .map(async (file) => {
        try {
          return parseEndpoint(JSON.parse(await readFile(join(sessionsDir(root), file), 'utf8')));
        } catch {
          return undefined;
        }
      }),
  );
  return found.filter((endpoint): endpoint is SessionEndpoint => endpoint !== undefined);
}

function parseEndpoint(value: unknown): SessionEndpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<SessionEndpoint>;
  if (
    record.v !== 1 ||
    !isAgentName(record.name) ||
    typeof record.pid !== 'number' ||
    typeof record.socket !== 'string'
  )
    return undefined;
  if (!Array.isArray(record.ancestors) || !record.ancestors.every((pid) => typeof pid === 'number')) return undefined;
  return record as SessionEndpoint;
}
