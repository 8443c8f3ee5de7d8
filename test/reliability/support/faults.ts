import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEnvelope, type Envelope } from '../../../src/kernel/envelope.js';
import { silentLogger } from '../../../src/kernel/logger.js';
import { FsTransport } from '../../../src/transports/fs/index.js';
import { recordFigures, type Cell } from './report.js';

/**
 * The fault scenarios of the folder transport (test/reliability/faults-fs.test.ts): each
 * adds one row (fault, what the user sees, what was lost) when it passes; the table is
 * recorded once every scenario of the file has passed.
 */
export class FaultTable {
  private readonly rows = new Map<string, Cell[]>();

  constructor(private readonly expected: string[]) {}

  add(fault: string, sees: string, sent: number, received: number, pushedTwice: number): void {
    if (!this.expected.includes(fault))
      throw new Error(`unknown fault row ${JSON.stringify(fault)}: add it to the table's list`);
    this.rows.set(fault, [fault, sees, sent, sent - received, pushedTwice]);
  }

  async record(scenario: string, title: string, proves: string[], command: string): Promise<void> {
    if (this.rows.size !== this.expected.length) return; // a scenario failed or was skipped: nothing recorded
    const rows = this.expected.map((fault) => this.rows.get(fault)!);
    const sent = rows.reduce((sum, row) => sum + (row[2] as number), 0);
    const lost = rows.reduce((sum, row) => sum + (row[3] as number), 0);
    const twice = rows.reduce((sum, row) => sum + (row[4] as number), 0);
    await recordFigures(
      {
        scenario,
        order: 70,
        title,
        proves,
        table: { columns: ['fault', 'what the user sees', 'messages', 'lost', 'pushed twice'], rows },
        summary: { runs: rows.length, messages: sent, kills: 0, delivered: sent - lost, lost, duplicated: twice },
        command,
      },
      { replay: false },
    );
  }
}

/** Queue one message for `to` the way a sender process does (a fresh transport: nothing cached). */
export async function queue(project: string, to: string, text: string, from = 'alice'): Promise<Envelope> {
  const transport = new FsTransport({ root: join(project, '.cc2cc'), logger: silentLogger });
  try {
    const envelope = createEnvelope({ from, to, text });
    await transport.put(to, envelope);
    return envelope;
  } finally {
    await transport.close();
  }
}

export async function readJsonFile<T = Record<string, unknown>>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A process that only waits: a live pid that is not a cc2cc server. */
export async function idleProcess(children: ChildProcess[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child;
}

/** A pid that was just freed. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

/**
 * Make a folder refuse new entries, for root too: root ignores permission bits, so it gets
 * the immutable attribute (chattr +i: EPERM); anyone else gets mode 0500 (EACCES).
 * Undo with `makeWritable` (an immutable folder cannot even be removed). False when root
 * cannot set the attribute here.
 */
export function makeUnwritable(dir: string): boolean {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o500);
    return true;
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // no chattr, or a file system without the attribute (overlayfs, tmpfs): the caller skips
  }
}

export function makeWritable(dir: string): void {
  if (process.getuid?.() === 0) execFileSync('chattr', ['-i', dir]);
  else chmodSync(dir, 0o700);
}
