import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** How far up the tree to look: client → shell → npx → node is already four levels. */
const MAX_DEPTH = 12;

/**
 * The parent, grandparent, ... of `pid`, nearest first, up to (not including) pid 1.
 * Linux reads `/proc/<pid>/stat`; elsewhere one `ps` call lists every pid's parent.
 * A hook and the server of the same client session share an ancestor (the client's
 * process): that is how a hook finds its server when there is no session id.
 */
export function ancestorsOf(pid: number = process.pid): number[] {
  const parentOf = process.platform === 'linux' ? procParent : psParents();
  const chain: number[] = [];
  let current = pid;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const parent = parentOf(current);
    if (parent === undefined || parent <= 1 || chain.includes(parent)) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

function procParent(pid: number): number | undefined {
  if (pid === process.pid) return process.ppid;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    return Number.isInteger(parent) ? parent : undefined;
  } catch {
    return undefined;
  }
}

function psParents(): (pid: number) => number | undefined {
  const parents = new Map<number, number>();
  try {
    const listing = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    for (const line of listing.split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      if (Number.isInteger(pid) && Number.isInteger(ppid)) parents.set(pid!, ppid!);
    }
  } catch {
    // no ps: only the direct parent is known
  }
  return (pid) => (pid === process.pid ? process.ppid : parents.get(pid));
}
