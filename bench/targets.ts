import type { BenchReport } from './report.js';

type Read = (report: BenchReport) => number | undefined;

/** One goal from the performance issue; whether it is met is computed from a report. */
export interface Target {
  /** Markdown, as the doc shows it. */
  label: string;
  read: Read;
  compare: '<' | '<=' | '>=';
  limit: number;
  format(value: number): string;
  /** Shown beside the figure for information, never judged. */
  aside?: { label: string; read: Read };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const times = (value: number) => `${value.toFixed(2)}×`;
const p50 = (name: string): Read => (report) => report.scenarios[name]?.latency?.p50;
const p99 = (name: string): Read => (report) => report.scenarios[name]?.latency?.p99;
const figure = (name: string, key: string): Read => (report) => report.scenarios[name]?.figures?.[key];
const withoutFsync = (read: Read) => ({ label: 'without fsync', read });

export const TARGETS: readonly Target[] = [
  {
    label: '`latency-fs` p50 within 2× of `baseline-fs` p50',
    read: (report) => report.ratios['latency-fs p50 / baseline-fs p50'],
    compare: '<=',
    limit: 2,
    format: times,
    aside: withoutFsync((report) => report.ratios['latency-fs-nosync p50 / baseline-fs-nosync p50']),
  },
  { label: '`latency-fs` p99 under 10 ms', read: p99('latency-fs'), compare: '<', limit: 10, format: ms, aside: withoutFsync(p99('latency-fs-nosync')) },
  { label: '`latency-mcp` p50 under 2 ms', read: p50('latency-mcp'), compare: '<', limit: 2, format: ms, aside: withoutFsync(p50('latency-mcp-nosync')) },
  {
    label: '`throughput-fs` at least half of `baseline-fs`',
    read: (report) => report.ratios['throughput-fs / baseline-fs'],
    compare: '>=',
    limit: 0.5,
    format: (value) => value.toFixed(2),
  },
  { label: '`fanout-room` p50 under 50 ms', read: p50('fanout-room'), compare: '<', limit: 50, format: ms },
  { label: '`backlog` drained in under 20 s', read: figure('backlog', 'seconds'), compare: '<', limit: 20, format: (value) => `${value.toFixed(1)} s` },
  { label: '`backlog` peak RSS under 300 MB', read: figure('backlog', 'peakRssMb'), compare: '<', limit: 300, format: (value) => `${Math.round(value)} MB` },
  { label: '`hook-latency` p50 at most 100 ms', read: p50('hook-latency'), compare: '<=', limit: 100, format: ms },
  { label: '`cli-startup`: `cc2cc --help` at most 2.5× `node -e 0`', read: figure('cli-startup', 'helpRatio'), compare: '<=', limit: 2.5, format: times },
  { label: '`cli-startup`: `cc2cc agents` (cached `cc2cc.config.ts`) at most 3× `node -e 0`', read: figure('cli-startup', 'agentsRatio'), compare: '<=', limit: 3, format: times },
  { label: '`cli-startup`: `cc2cc hook` (no server) at most 3× `node -e 0`', read: figure('cli-startup', 'hookRatio'), compare: '<=', limit: 3, format: times },
  { label: '`cli-startup`: `cc2cc serve` to `initialize` answered at most 4× `node -e 0`', read: figure('cli-startup', 'serveRatio'), compare: '<=', limit: 4, format: times },
  { label: '`idle` under 50 ms CPU per 10 s', read: figure('idle', 'cpuMsPer10s'), compare: '<', limit: 50, format: (value) => `${Number(value.toFixed(1))} ms` },
];

/** undefined when the figure is missing (the scenario did not run). */
export function isMet(target: Target, value: number | undefined): boolean | undefined {
  if (value === undefined || Number.isNaN(value)) return undefined;
  if (target.compare === '<') return value < target.limit;
  if (target.compare === '<=') return value <= target.limit;
  return value >= target.limit;
}
