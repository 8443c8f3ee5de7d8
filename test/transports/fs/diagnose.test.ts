import { execFileSync } from 'node:child_process';
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/kernel/check.js';
import { Scratch, snapshot } from './helpers.js';

const scratch = new Scratch();
beforeEach(() => scratch.setUp());
afterEach(() => scratch.tearDown());

const checks = (findings: Finding[], check: string) => findings.filter((finding) => finding.check === check);

describe('the folder transport diagnoses itself for cc2cc doctor', () => {
  it('says a root that does not exist yet is fine, and a file in its place is not', async () => {
    const transport = scratch.transport();
    const missing = `${scratch.root} does not exist yet; it is made on first send or serve`;
    expect(await transport.diagnose()).toEqual([{ level: 'ok', check: 'root', message: missing }]);
    await writeFile(scratch.root, 'not a folder');
    const file = `${scratch.root} is not a folder`;
    expect(await transport.diagnose()).toEqual([
      { level: 'fail', check: 'root', message: file, fix: expect.stringMatching(/move it away/) },
    ]);
  });

  it('probes a healthy root with a message-sized write, finds no stale lock, and changes no file', async () => {
    const transport = scratch.transport({ maxBytes: 4096 });
    const inbox = await transport.open('calm-owl', async (delivery) => delivery.ack());
    try {
      const before = await snapshot(scratch.root);
      expect(await transport.diagnose()).toEqual([
        { level: 'ok', check: 'root', message: `${scratch.root} is writable (wrote and removed a 4 KiB file)` },
        { level: 'ok', check: 'permissions', message: 'root mode 700 (only the owner can read it)' },
        { level: 'ok', check: 'locks', message: 'no stale inbox locks' },
      ]);
      expect(await snapshot(scratch.root)).toEqual(before);
    } finally {
      await inbox.close();
    }
  });

  it('warns about a root other users can read, a lock that is not one, and an inbox folder it skips', async () => {
    await mkdir(join(scratch.root, 'to-bob'), { recursive: true });
    await mkdir(join(scratch.root, 'to-ann'), { recursive: true });
    await chmod(scratch.root, 0o755);
    await writeFile(join(scratch.root, 'to-bob', 'lock'), '{ half a lock');
    execFileSync('mkfifo', [join(scratch.root, 'to-ann', 'lock')]);
    await symlink(scratch.dir, join(scratch.root, 'to-eve'));
    const findings = await scratch.transport().diagnose();
    expect(checks(findings, 'permissions')).toEqual([
      {
        level: 'warn',
        check: 'permissions',
        message: 'root mode 755: other users can read messages',
        fix: `chmod 700 ${scratch.root}`,
      },
    ]);
    expect(checks(findings, 'locks')).toEqual([
      {
        level: 'warn',
        check: 'locks',
        message: expect.stringMatching(/to-ann\/lock is not a lock file: .*FIFO/),
        fix: expect.stringMatching(/stop ann's server/),
      },
      {
        level: 'warn',
        check: 'locks',
        message: `${join(scratch.root, 'to-bob', 'lock')} is unreadable`,
        fix: "stop bob's server and delete the lock",
      },
    ]);
    const skipped = `${join(scratch.root, 'to-eve')} is skipped: it is a symlink (never followed)`;
    expect(checks(findings, 'inboxes')).toEqual([
      { level: 'warn', check: 'inboxes', message: skipped, fix: expect.stringMatching(/move .* away/) },
    ]);
  });

  it('notes message files writers left half-written, once they are older than the grace period', async () => {
    const tmp = join(scratch.root, 'to-bob', 'tmp');
    await mkdir(tmp, { recursive: true, mode: 0o700 });
    await chmod(scratch.root, 0o700);
    await writeFile(join(tmp, 'fresh.json'), '{');
    const transport = scratch.transport({ tmpGraceMs: 60_000 });
    expect(checks(await transport.diagnose(), 'leftovers')).toEqual([]);
    const hourAgo = new Date(Date.now() - 3600_000);
    await writeFile(join(tmp, 'old.json'), '{');
    await utimes(join(tmp, 'old.json'), hourAgo, hourAgo);
    expect(checks(await transport.diagnose(), 'leftovers')).toEqual([
      {
        level: 'info',
        check: 'leftovers',
        message: `bob: 1 unfinished message file in ${tmp} from writers that stopped mid-write`,
        fix: expect.stringMatching(/bob's server removes them when it next opens its inbox/),
      },
    ]);
  });
});
