import type { Bus } from './bus.js';

/** `ok` and `info` need nothing; `warn` and `fail` make `cc2cc doctor` exit 1. */
export type Level = 'ok' | 'info' | 'warn' | 'fail';

/** One line of `cc2cc doctor`: what was checked, how it stands, and what to do about it. */
export interface Finding {
  level: Level;
  /** Short name of what was looked at: `root`, `locks`, `claims`. */
  check: string;
  message: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

/** What a plugin's check returns: a finding without its `check`, which is the check's name. */
export type CheckFinding = Omit<Finding, 'check'>;

/** What a check may read: the bus of the project `cc2cc doctor` runs in (not attached to an inbox). */
export interface CheckContext {
  readonly bus: Bus;
}

/**
 * A plugin's contribution to `cc2cc doctor` (`ctx.addCheck(name, run)`). It reads, never
 * changes: doctor may run while agents work. An empty array says nothing (the plugin had
 * nothing to report); a check that throws becomes a `fail` naming the plugin and check.
 */
export type CheckRun = (context: CheckContext) => readonly CheckFinding[] | Promise<readonly CheckFinding[]>;

export function needsAttention(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.level === 'warn' || finding.level === 'fail');
}
