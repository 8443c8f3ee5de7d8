import type { LatencySummary } from './stats.js';

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
  /** A fresh temporary folder for this scenario. */
  dir: string;
  /** Progress for a person watching (stderr). */
  progress(message: string): void;
  /** The built CLI, for scenarios that run real servers. */
  cli: string;
  redisUrl?: string;
}

export interface Scenario {
  name: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}

export const scaled = (base: number, scale: number, minimum = 10) => Math.max(minimum, Math.round(base * scale));
