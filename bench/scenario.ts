import type { LatencySummary } from './stats.js';
import type { StorageKind } from './storage.js';

/** What every scenario reports. Latency samples are kept for the chart. */
export interface ScenarioResult {
  name: string;
  description: string;
  latency?: LatencySummary;
  samples?: number[];
  /** Messages per second, where the scenario measures throughput. */
  rate?: number;
  /** Other figures: seconds, MB, ms of CPU... with their unit in the key. */
  figures?: Record<string, number>;
}

export interface BenchContext {
  /** 1 for the full run, 0.1 for --quick. */
  scale: number;
  /** A fresh temporary folder for this scenario, on the storage it asked for. */
  dir: string;
  /** That storage in words, for descriptions: "disk (ext2/3/4 at /tmp)". */
  where: string;
  /** Progress for a person watching (stderr). */
  progress(message: string): void;
  /** The built CLI, for scenarios that run real servers. */
  cli: string;
  redisUrl?: string;
  /** The CLI of another cc2cc build (`--before`), measured alongside this one where a scenario can. */
  beforeCli?: string;
}

export interface Scenario {
  name: string;
  /** Where its folder is made; default the disk. Skipped (with the reason) when there is no tmpfs. */
  storage?: StorageKind;
  /** The names of its results when it reports several (or others than its own name). */
  reports?: readonly string[];
  run(context: BenchContext): Promise<ScenarioResult | ScenarioResult[]>;
}

export const scaled = (base: number, scale: number, minimum = 10) => Math.max(minimum, Math.round(base * scale));
