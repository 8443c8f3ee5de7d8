import { round, type LatencySummary } from './stats.js';
import type { ScenarioResult } from './scenario.js';

/** A scenario as the report keeps it: rounded, without the raw samples. */
export type ScenarioFigures = Omit<ScenarioResult, 'samples'>;

export interface Machine {
  node: string;
  cpus: number;
  cpu: string;
  platform: string;
}

/** What bench/results/latest.json (or quick.json) holds. */
export interface BenchReport {
  when: string;
  quick: boolean;
  machine: Machine;
  /** Absent keys: a scenario of the ratio did not run (JSON drops undefined). */
  ratios: Partial<Record<RatioLabel, number>>;
  scenarios: Record<string, ScenarioFigures>;
}

/** cc2cc against the plain-Node limit, like for like. */
export const RATIOS = [
  { label: 'latency-fs p50 / baseline-fs p50', of: (s: Lookup) => [s('latency-fs')?.latency?.p50, s('baseline-fs')?.latency?.p50] },
  { label: 'throughput-fs / baseline-fs', of: (s: Lookup) => [s('throughput-fs')?.rate, s('baseline-fs')?.rate] },
  { label: 'latency-fs-nosync p50 / baseline-fs-nosync p50', of: (s: Lookup) => [s('latency-fs-nosync')?.latency?.p50, s('baseline-fs-nosync')?.latency?.p50] },
  { label: 'throughput-fs-nosync / baseline-fs-nosync', of: (s: Lookup) => [s('throughput-fs-nosync')?.rate, s('baseline-fs-nosync')?.rate] },
] as const;

export type RatioLabel = (typeof RATIOS)[number]['label'];
type Lookup = (name: string) => ScenarioFigures | undefined;

export function makeReport(results: readonly ScenarioResult[], options: { when: Date; quick: boolean; machine: Machine }): BenchReport {
  const scenarios = Object.fromEntries(results.map(({ samples: _samples, ...rest }) => [rest.name, roundAll(rest)]));
  const lookup: Lookup = (name) => scenarios[name];
  const ratios: BenchReport['ratios'] = {};
  for (const { label, of } of RATIOS) {
    const [a, b] = of(lookup);
    if (a !== undefined && b !== undefined && b > 0) ratios[label] = round(a / b, 2);
  }
  return { when: options.when.toISOString(), quick: options.quick, machine: options.machine, ratios, scenarios };
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
