import { round, type LatencySummary } from './stats.js';
import type { ScenarioResult } from './scenario.js';

/** A scenario as the report keeps it: rounded, without the raw samples. */
export type ScenarioFigures = Omit<ScenarioResult, 'samples'>;

export interface Machine {
  node: string;
  cpus: number;
  cpu: string;
  platform: string;
  /** Where the scenarios' folders were: "ext2/3/4 at /tmp"; tmpfs absent when there was none. */
  storage?: { disk: string; tmpfs?: string };
}

/** What bench/results/latest.json (or quick.json) holds. */
export interface BenchReport {
  when: string;
  quick: boolean;
  machine: Machine;
  /** Absent keys: a scenario of the ratio did not run (JSON drops undefined). */
  ratios: Partial<Record<RatioLabel, number>>;
  scenarios: Record<string, ScenarioFigures>;
  /** Scenarios that could not run here, with the reason (no tmpfs, no Redis). */
  skipped?: Record<string, string>;
  /** The other build `--before` measured alongside (its results are named `…-before…`). */
  before?: string;
}

/** The MCP scenarios' variants (bench/scenarios/mcp-floor.ts): storage, fsync, spacing. */
export const MCP_SUFFIXES = ['', '-tmpfs', '-nosync', '-spaced', '-spaced-tmpfs'] as const;

/** cc2cc against the plain-Node limit, like for like. */
export const RATIOS = [
  {
    label: 'latency-fs p50 / baseline-fs p50',
    of: (s: Lookup) => [s('latency-fs')?.latency?.p50, s('baseline-fs')?.latency?.p50],
  },
  {
    label: 'latency-fs-tmpfs p50 / baseline-fs-tmpfs p50',
    of: (s: Lookup) => [s('latency-fs-tmpfs')?.latency?.p50, s('baseline-fs-tmpfs')?.latency?.p50],
  },
  { label: 'throughput-fs / baseline-fs', of: (s: Lookup) => [s('throughput-fs')?.rate, s('baseline-fs')?.rate] },
  {
    label: 'latency-fs-nosync p50 / baseline-fs-nosync p50',
    of: (s: Lookup) => [s('latency-fs-nosync')?.latency?.p50, s('baseline-fs-nosync')?.latency?.p50],
  },
  {
    label: 'throughput-fs-nosync / baseline-fs-nosync',
    of: (s: Lookup) => [s('throughput-fs-nosync')?.rate, s('baseline-fs-nosync')?.rate],
  },
  ...MCP_SUFFIXES.map((suffix) => ({
    label: `latency-mcp${suffix} p50 / floor-mcp${suffix} p50` as const,
    of: (s: Lookup) => [s(`latency-mcp${suffix}`)?.latency?.p50, s(`floor-mcp${suffix}`)?.latency?.p50],
  })),
  // With --before: what the changes since that build gained (above 1: this build is faster).
  ...MCP_SUFFIXES.map((suffix) => ({
    label: `latency-mcp-before${suffix} p50 / latency-mcp${suffix} p50` as const,
    of: (s: Lookup) => [s(`latency-mcp-before${suffix}`)?.latency?.p50, s(`latency-mcp${suffix}`)?.latency?.p50],
  })),
  // baseline-fs's burst as concurrent-fs measured it, in turns with itself (else baseline-fs's own).
  {
    label: 'concurrent-fs / baseline-fs',
    of: (s: Lookup) => {
      const concurrent = s('concurrent-fs');
      return [concurrent?.rate, concurrent?.figures?.baselineFsRate ?? s('baseline-fs')?.rate];
    },
  },
  { label: 'concurrent-fs / throughput-fs', of: (s: Lookup) => [s('concurrent-fs')?.rate, s('throughput-fs')?.rate] },
] as const;

export type RatioLabel = (typeof RATIOS)[number]['label'];
type Lookup = (name: string) => ScenarioFigures | undefined;

export interface ReportOptions {
  when: Date;
  quick: boolean;
  machine: Machine;
  skipped?: Record<string, string>;
  before?: string;
}

export function makeReport(results: readonly ScenarioResult[], options: ReportOptions): BenchReport {
  const scenarios = Object.fromEntries(results.map(({ samples: _samples, ...rest }) => [rest.name, roundAll(rest)]));
  const lookup: Lookup = (name) => scenarios[name];
  const ratios: BenchReport['ratios'] = {};
  for (const { label, of } of RATIOS) {
    const [a, b] = of(lookup);
    if (a !== undefined && b !== undefined && b > 0) ratios[label] = round(a / b, 2);
  }
  const skipped = options.skipped && Object.keys(options.skipped).length > 0 ? { skipped: options.skipped } : {};
  const before = options.before ? { before: options.before } : {};
  const { quick, machine } = options;
  return { when: options.when.toISOString(), quick, machine, ratios, scenarios, ...skipped, ...before };
}

function roundAll(result: ScenarioFigures): ScenarioFigures {
  const latency = result.latency && roundLatency(result.latency);
  return { ...result, ...(latency && { latency }), ...(result.rate !== undefined && { rate: round(result.rate, 0) }) };
}

function roundLatency(latency: LatencySummary): LatencySummary {
  const rounded = { ...latency };
  for (const key of Object.keys(rounded) as Array<keyof LatencySummary>) rounded[key] = round(rounded[key]);
  return rounded;
}
