import type { BenchReport, RatioLabel } from './report.js';
import { grouped } from './stats.js';

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
const p50 =
  (name: string): Read =>
  (report) =>
    report.scenarios[name]?.latency?.p50;
const p99 =
  (name: string): Read =>
  (report) =>
    report.scenarios[name]?.latency?.p99;
const figure =
  (name: string, key: string): Read =>
  (report) =>
    report.scenarios[name]?.figures?.[key];
const withoutFsync = (read: Read) => ({ label: 'without fsync', read });
const ratio =
  (label: RatioLabel): Read =>
  (report) =>
    report.ratios[label];
const perMessage = (value: number) => `${value.toFixed(2)} ms`;
const rate =
  (name: string): Read =>
  (report) =>
    report.scenarios[name]?.rate;
const msgsPerSecond = (value: number) => `${grouped(value)} msgs/s`;

export const TARGETS: readonly Target[] = [
  {
    label: '`latency-fs` p50 within 2× of `baseline-fs` p50',
    read: (report) => report.ratios['latency-fs p50 / baseline-fs p50'],
    compare: '<=',
    limit: 2,
    format: times,
    aside: withoutFsync((report) => report.ratios['latency-fs-nosync p50 / baseline-fs-nosync p50']),
  },
  {
    label: '`latency-fs` p99 under 10 ms',
    read: p99('latency-fs'),
    compare: '<',
    limit: 10,
    format: ms,
    aside: withoutFsync(p99('latency-fs-nosync')),
  },
  {
    label: '`latency-mcp` p50 under 2 ms',
    read: p50('latency-mcp'),
    compare: '<',
    limit: 2,
    format: ms,
    aside: withoutFsync(p50('latency-mcp-nosync')),
  },
  {
    label: '`throughput-fs` at least half of `baseline-fs`',
    read: (report) => report.ratios['throughput-fs / baseline-fs'],
    compare: '>=',
    limit: 0.5,
    format: (value) => value.toFixed(2),
  },
  { label: '`fanout-room` p50 under 50 ms', read: p50('fanout-room'), compare: '<', limit: 50, format: ms },
  {
    label: '`backlog` drained in under 20 s',
    read: figure('backlog', 'seconds'),
    compare: '<',
    limit: 20,
    format: (value) => `${value.toFixed(1)} s`,
  },
  {
    label: '`backlog` peak RSS under 300 MB',
    read: figure('backlog', 'peakRssMb'),
    compare: '<',
    limit: 300,
    format: (value) => `${Math.round(value)} MB`,
  },
  { label: '`hook-latency` p50 at most 100 ms', read: p50('hook-latency'), compare: '<=', limit: 100, format: ms },
  {
    label: '`cli-startup`: `cc2cc --help` at most 2.5× `node -e 0`',
    read: figure('cli-startup', 'helpRatio'),
    compare: '<=',
    limit: 2.5,
    format: times,
  },
  {
    label: '`cli-startup`: `cc2cc agents` (cached `cc2cc.config.ts`) at most 3× `node -e 0`',
    read: figure('cli-startup', 'agentsRatio'),
    compare: '<=',
    limit: 3,
    format: times,
  },
  {
    label: '`cli-startup`: `cc2cc hook` (no server) at most 3× `node -e 0`',
    read: figure('cli-startup', 'hookRatio'),
    compare: '<=',
    limit: 3,
    format: times,
  },
  {
    label: '`cli-startup`: `cc2cc serve` to `initialize` answered at most 4× `node -e 0`',
    read: figure('cli-startup', 'serveRatio'),
    compare: '<=',
    limit: 4,
    format: times,
  },
  {
    label: '`idle` under 50 ms CPU per 10 s',
    read: figure('idle', 'cpuMsPer10s'),
    compare: '<',
    limit: 50,
    format: (value) => `${Number(value.toFixed(1))} ms`,
  },
  // Against the floor (bench/floor/), measured in the same run, taking turns with it.
  {
    label: '`latency-mcp` p50 within 1.5× of `floor-mcp` p50 (disk)',
    read: ratio('latency-mcp p50 / floor-mcp p50'),
    compare: '<=',
    limit: 1.5,
    format: times,
  },
  {
    label: '`latency-mcp-tmpfs` p50 within 1.5× of `floor-mcp-tmpfs` p50',
    read: ratio('latency-mcp-tmpfs p50 / floor-mcp-tmpfs p50'),
    compare: '<=',
    limit: 1.5,
    format: times,
  },
  {
    label: '`latency-mcp-spaced` p50 within 1.5× of `floor-mcp-spaced` p50 (disk)',
    read: ratio('latency-mcp-spaced p50 / floor-mcp-spaced p50'),
    compare: '<=',
    limit: 1.5,
    format: times,
    aside: { label: 'on tmpfs', read: ratio('latency-mcp-spaced-tmpfs p50 / floor-mcp-spaced-tmpfs p50') },
  },
  {
    label: '`latency-mcp-tmpfs` sender CPU at most 0.7 ms per message',
    read: figure('latency-mcp-tmpfs', 'senderCpuMsPerMessage'),
    compare: '<=',
    limit: 0.7,
    format: perMessage,
    aside: { label: 'the floor', read: figure('floor-mcp-tmpfs', 'senderCpuMsPerMessage') },
  },
  {
    label: '`latency-mcp-tmpfs` receiver CPU at most 0.45 ms per message',
    read: figure('latency-mcp-tmpfs', 'receiverCpuMsPerMessage'),
    compare: '<=',
    limit: 0.45,
    format: perMessage,
    aside: { label: 'the floor', read: figure('floor-mcp-tmpfs', 'receiverCpuMsPerMessage') },
  },
  {
    label: '`concurrent-fs` at least 2× `baseline-fs` msgs/s',
    read: ratio('concurrent-fs / baseline-fs'),
    compare: '>=',
    limit: 2,
    format: times,
  },
  {
    label: '`concurrent-redis` at least 10,000 msgs/s',
    read: rate('concurrent-redis'),
    compare: '>=',
    limit: 10_000,
    format: msgsPerSecond,
  },
];

/** undefined when the figure is missing (the scenario did not run). */
export function isMet(target: Target, value: number | undefined): boolean | undefined {
  if (value === undefined || Number.isNaN(value)) return undefined;
  if (target.compare === '<') return value < target.limit;
  if (target.compare === '<=') return value <= target.limit;
  return value >= target.limit;
}

export interface Judged {
  figure: string;
  limit: string;
  met: 'yes' | 'no' | 'not run';
}

/** A target against a report, in words: the figure (with its aside), the limit, and whether it is met. */
export function judge(target: Target, report: BenchReport): Judged {
  const value = target.read(report);
  const met = isMet(target, value);
  const aside = target.aside?.read(report);
  const shown = (figure: number | undefined): figure is number => typeof figure === 'number' && Number.isFinite(figure);
  const asideText = shown(aside) ? ` (${target.format(aside)} ${target.aside!.label})` : '';
  const figure = shown(value) ? `${target.format(value)}${asideText}` : 'not run';
  const limit = `${target.compare} ${target.format(target.limit)}`;
  return { figure, limit, met: met === undefined ? 'not run' : met ? 'yes' : 'no' };
}
