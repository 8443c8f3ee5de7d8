// npm run bench [-- --quick] [-- --only latency-fs,baseline-fs]: figures on stdout, progress on stderr.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyChart } from './chart.js';
import { PERFORMANCE_DOC, writeFiguresSection } from './doc-section.js';
import { makeReport } from './report.js';
import { baselineFs } from './scenarios/baseline-fs.js';
import { backlog } from './scenarios/backlog.js';
import { cliStartup } from './scenarios/cli-startup.js';
import { fanoutRoom } from './scenarios/fanout-room.js';
import { latencyFs, latencyPoll, throughputFs } from './scenarios/latency-fs.js';
import { hookLatency } from './scenarios/hook-latency.js';
import { idle, latencyMcp } from './scenarios/mcp.js';
import { latencyRedis, throughputRedis } from './scenarios/redis.js';
import { round } from './stats.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const redisUrl = process.env.CC2CC_REDIS_URL;
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(REPO, 'bench', 'results');

const scenarios: Scenario[] = [
  baselineFs(true),
  baselineFs(false),
  latencyFs(true),
  latencyFs(false),
  latencyMcp(true),
  latencyMcp(false),
  latencyPoll,
  throughputFs(true),
  throughputFs(false),
  fanoutRoom,
  backlog,
  idle,
  hookLatency,
  cliStartup,
  ...(redisUrl ? [latencyRedis, throughputRedis] : []),
].filter((scenario) => !only || only.includes(scenario.name));

// Some scenarios wait only on unref'd timers (rescan-only polling): keep the process up.
const keepAlive = setInterval(() => {}, 60_000);
const results: ScenarioResult[] = [];
const runStarted = Date.now();
for (const scenario of scenarios) {
  const dir = await mkdtemp(join(tmpdir(), `cc2cc-bench-${scenario.name}-`));
  const progress = (message: string) => process.stderr.write(`  ${scenario.name}: ${message}\n`);
  process.stderr.write(`running ${scenario.name}${quick ? ' (quick)' : ''}...\n`);
  const started = Date.now();
  try {
    results.push(await scenario.run({ scale: quick ? 0.1 : 1, dir, progress, cli: CLI, ...(redisUrl && { redisUrl }) }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.stderr.write(`  ${scenario.name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
clearInterval(keepAlive);
process.stderr.write(`all scenarios done in ${((Date.now() - runStarted) / 1000).toFixed(1)} s\n`);
if (!redisUrl) process.stderr.write('Redis scenarios skipped: set CC2CC_REDIS_URL to run them\n');

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', platform: process.platform };
const report = makeReport(results, { when: new Date(), quick, machine });

printTable(results);
for (const [label, value] of Object.entries(report.ratios)) process.stdout.write(`${label}: ${value}\n`);

await mkdir(RESULTS, { recursive: true });
// Only a full run of every scenario is "latest": a quick or partial run must not replace it.
const base = quick ? 'quick' : only ? 'partial' : 'latest';
await writeFile(join(RESULTS, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(join(RESULTS, `${base}-latency.svg`), latencyChart(results, `cc2cc delivery latency (${quick ? 'quick run' : only ? 'partial run' : 'full run'}, ${machine.cpus} cores, Node ${machine.node})`));
process.stderr.write(`wrote bench/results/${base}.json and bench/results/${base}-latency.svg\n`);
// Only a full run of every scenario may replace the published figures.
if (!quick && !only) {
  await writeFiguresSection(REPO, report);
  process.stderr.write(`rendered the figures into ${PERFORMANCE_DOC}\n`);
}

function printTable(rows: readonly ScenarioResult[]): void {
  const cell = (value: number | undefined, digits = 2) => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));
  const table = [
    ['scenario', 'p50 ms', 'p99 ms', 'max ms', 'msgs/s', 'other'],
    ...rows.map((row) => [
      row.name,
      cell(row.latency?.p50, 3),
      cell(row.latency?.p99, 3),
      cell(row.latency?.max, 3),
      cell(row.rate, 0),
      Object.entries(row.figures ?? {})
        .map(([key, value]) => `${key}=${round(value, 2)}`)
        .join(' '),
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  for (const line of table) process.stdout.write(`${line.map((text, column) => text.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
}
