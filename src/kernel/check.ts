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

export function needsAttention(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.level === 'warn' || finding.level === 'fail');
}
