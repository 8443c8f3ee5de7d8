// npm run bench [-- --quick] [-- --only=latency-mcp,floor-mcp] [-- --before=<a built cc2cc checkout>]:
// figures on stdout, progress on stderr.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyChart } from './chart.js';
import { PERFORMANCE_DOC, writeFiguresSection } from './doc-section.js';
import { makeReport, type BenchReport } from './report.js';
import { benchRedis, type BenchRedis } from './redis-server.js';
import { backlog } from './scenarios/backlog.js';
import { cliStartup } from './scenarios/cli-startup.js';
import { concurrentFs, concurrentRedis } from './scenarios/concurrent.js';
import { fanoutRoom } from './scenarios/fanout-room.js';
import { latencyFs, latencyPoll, throughputFs } from './scenarios/latency-fs.js';
import { hookLatency } from './scenarios/hook-latency.js';
import { idle } from './scenarios/idle.js';
import { mcpAgainstFloor } from './scenarios/mcp-floor.js';
import { latencyRedis, throughputRedis } from './scenarios/redis.js';
import { cliPath } from '../src/package-root.js';
import { round } from './stats.js';
import { findStorage } from './storage.js';
import { judge, TARGETS } from './targets.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const quick = process.argv.includes('--quick');
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const beforeDir = process.argv.find((arg) => arg.startsWith('--before='))?.slice('--before='.length);
// The CLI users run (package.json `bin`), here and in the --before checkout, whichever layout that one has.
const CLI = cliPath();
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(REPO, 'bench', 'results');
const beforeCli = beforeDir === undefined ? undefined : cliPath(resolve(beforeDir));
if (beforeCli && !existsSync(beforeCli)) {
  throw new Error(`--before: ${beforeCli} does not exist (build that checkout first: npm run build)`);
}

const redisScenarios = new Set([latencyRedis, throughputRedis, concurrentRedis]);
const mcp = (storage: 'disk' | 'tmpfs', spaced: boolean, fsync = true) => mcpAgainstFloor({ storage, spaced, fsync });
const scenarios: Scenario[] = [
  latencyFs(true),
  latencyFs(false),
  latencyFs(true, 'tmpfs'),
  mcp('disk', false),
  mcp('tmpfs', false),
  mcp('disk', false, false),
  mcp('disk', true),
  mcp('tmpfs', true),
  latencyPoll,
  throughputFs(true),
  throughputFs(false),
  concurrentFs,
  fanoutRoom,
  backlog,
  idle,
  hookLatency,
  cliStartup,
  ...redisScenarios,
].filter((scenario) => !only || [scenario.name, ...(scenario.reports ?? [])].some((name) => only.includes(name)));

const storage = await findStorage(REPO);
const wantsRedis = scenarios.some((scenario) => redisScenarios.has(scenario));
const redis: BenchRedis = wantsRedis ? await benchRedis() : { missing: 'not asked for' };
if ('url' in redis) process.stderr.write(`Redis: ${redis.source}\n`);

// Some scenarios wait only on unref'd timers (rescan-only polling): keep the process up.
const keepAlive = setInterval(() => {}, 60_000);
const results: ScenarioResult[] = [];
const skipped: Record<string, string> = {};
const runStarted = Date.now();
try {
  for (const scenario of scenarios) {
    const place = storage[scenario.storage ?? 'disk'];
    if ('missing' in place) {
      skip(scenario, `no tmpfs: ${place.missing}`);
      continue;
    }
    if (redisScenarios.has(scenario) && 'missing' in redis) {
      skip(scenario, redis.missing);
      continue;
    }
    const dir = await mkdtemp(join(place.path, `cc2cc-bench-${scenario.name}-`));
    const progress = (message: string) => process.stderr.write(`  ${scenario.name}: ${message}\n`);
    process.stderr.write(`running ${scenario.name}${quick ? ' (quick)' : ''}...\n`);
    const started = Date.now();
    const where = `${scenario.storage ?? 'disk'} (${place.fsType} at ${place.path})`;
    try {
      const optional = { ...('url' in redis && { redisUrl: redis.url }), ...(beforeCli && { beforeCli }) };
      const context = { scale: quick ? 0.1 : 1, dir, where, progress, cli: CLI, ...optional };
      results.push(...[await scenario.run(context)].flat());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    process.stderr.write(`  ${scenario.name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
} finally {
  clearInterval(keepAlive);
  if ('stop' in redis) await redis.stop();
}
process.stderr.write(`all scenarios done in ${((Date.now() - runStarted) / 1000).toFixed(1)} s\n`);

const describePlace = (place: { path: string; fsType: string }) => `${place.fsType} at ${place.path}`;
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  platform: process.platform,
  storage: {
    disk: describePlace(storage.disk),
    ...('path' in storage.tmpfs && { tmpfs: describePlace(storage.tmpfs) }),
  },
};
const before = beforeDir === undefined ? {} : { before: resolve(beforeDir) };
const report = makeReport(results, { when: new Date(), quick, machine, skipped, ...before });

printTable(results);
for (const [label, value] of Object.entries(report.ratios)) process.stdout.write(`${label}: ${value}\n`);
printTargets(report);
for (const [name, reason] of Object.entries(skipped)) process.stdout.write(`not run: ${name}: ${reason}\n`);

await mkdir(RESULTS, { recursive: true });
// Only a full run of every scenario is "latest": a quick or partial run must not replace it.
const base = quick ? 'quick' : only ? 'partial' : 'latest';
await writeFile(join(RESULTS, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(
  join(RESULTS, `${base}-latency.svg`),
  latencyChart(
    results,
    `cc2cc delivery latency (${quick ? 'quick run' : only ? 'partial run' : 'full run'}, ` +
      `${machine.cpus} cores, Node ${machine.node})`,
  ),
);
process.stderr.write(`wrote bench/results/${base}.json and bench/results/${base}-latency.svg\n`);
// Only a full run of every scenario may replace the published figures.
if (!quick && !only) {
  await writeFiguresSection(REPO, report);
  process.stderr.write(`rendered the figures into ${PERFORMANCE_DOC}\n`);
}

function skip(scenario: Scenario, reason: string): void {
  for (const name of scenario.reports ?? [scenario.name]) skipped[name] = reason;
  process.stderr.write(`skipping ${scenario.name}: ${reason}\n`);
}

function printTargets(report: BenchReport): void {
  process.stdout.write('\ntargets:\n');
  printColumns([
    ['target', 'figure', 'limit', 'met'],
    ...TARGETS.map((target) => {
      const { figure, limit, met } = judge(target, report);
      return [target.label.replaceAll('`', ''), figure, limit, met];
    }),
  ]);
}

function printTable(rows: readonly ScenarioResult[]): void {
  const cell = (value: number | undefined, digits = 2) =>
    value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
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
  printColumns(table);
}

function printColumns(table: readonly string[][]): void {
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  for (const line of table)
    process.stdout.write(
      `${line
        .map((text, column) => text.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()}\n`,
    );
}
