import { isNumber, row } from './markdown.js';
import type { BenchReport } from './report.js';
import { grouped } from './stats.js';

/** The MCP runs against their floor, one row per storage and spacing (bench/scenarios/mcp-floor.ts). */
const FLOOR_RUNS = [
  { suffix: '', what: 'disk, fsync, back to back' },
  { suffix: '-nosync', what: 'disk, no fsync, back to back' },
  { suffix: '-tmpfs', what: 'tmpfs, back to back' },
  { suffix: '-spaced', what: 'disk, fsync, 250 ms apart' },
  { suffix: '-spaced-tmpfs', what: 'tmpfs, 250 ms apart' },
] as const;

const ms = (value: number | undefined) => (isNumber(value) ? value.toFixed(2) : '');
const times = (value: number | undefined) => (isNumber(value) ? `**${value.toFixed(2)}×**` : 'not run');

/** "### Against the floor": cc2cc's MCP path and the floor's, taking turns in the same run. */
export function renderFloor(report: BenchReport): string[] {
  const scenario = (name: string) => report.scenarios[name];
  const p50 = (name: string) => ms(scenario(name)?.latency?.p50);
  const cpu = (name: string) => {
    const { senderCpuMsPerMessage: sender, receiverCpuMsPerMessage: receiver } = scenario(name)?.figures ?? {};
    return isNumber(sender) && isNumber(receiver) ? `${ms(sender)} / ${ms(receiver)}` : '';
  };
  const ratios = report.ratios as Record<string, number | undefined>;
  const before = report.before !== undefined;
  const runs = FLOOR_RUNS.filter(({ suffix }) => scenario(`latency-mcp${suffix}`) || scenario(`floor-mcp${suffix}`));
  if (runs.length === 0) return [];
  const { storage } = report.machine;
  const cpuHeader = 'CPU ms per message, sender / receiver';
  const header = ['run', '`latency-mcp` p50 ms', '`floor-mcp` p50 ms', 'ratio', cpuHeader, "the floor's"];
  return [
    '### Against the floor',
    '',
    ...(storage ? [`Disk: ${storage.disk}; memory: ${storage.tmpfs ?? 'none (no tmpfs here)'}.`, ''] : []),
    row(before ? [...header, 'before p50 ms'] : header),
    row(['---', ...header.slice(1).map(() => '---:'), ...(before ? ['---:'] : [])]),
    ...runs.map(({ suffix, what }) => {
      const [real, floor] = [`latency-mcp${suffix}`, `floor-mcp${suffix}`];
      const ratio = ratios[`${real} p50 / ${floor} p50`];
      const shownRatio = isNumber(ratio) ? times(ratio) : '';
      const cells = [`${what} (\`${real}\`)`, p50(real), p50(floor), shownRatio, cpu(real), cpu(floor)];
      return row(before ? [...cells, p50(`latency-mcp-before${suffix}`)] : cells);
    }),
    '',
    ...(before ? [`"before" is the build in \`${report.before}\`, taking turns with the two above.`, ''] : []),
  ];
}

/** "### Concurrent senders": sends in flight against one at a time and the plain-Node baseline. */
export function renderConcurrency(report: BenchReport): string[] {
  const rate = (name: string) => report.scenarios[name]?.rate;
  const inFlight = (name: string) => report.scenarios[name]?.figures?.inFlight;
  const lines: string[] = [];
  const fs = report.scenarios['concurrent-fs'];
  if (isNumber(fs?.rate)) {
    const baseline = fs.figures?.baselineFsRate;
    const one = rate('throughput-fs');
    const againstBaseline = isNumber(baseline)
      ? `\`baseline-fs\`'s burst, ${grouped(baseline)} msgs/s, taking turns with it`
      : '`baseline-fs`';
    const againstOne = isNumber(one)
      ? `, ${times(report.ratios['concurrent-fs / throughput-fs'])} one cc2cc sender at a time ` +
        `(\`throughput-fs\`, ${grouped(one)} msgs/s)`
      : '';
    const head = `- \`concurrent-fs\` (folder, fsync, ${inFlight('concurrent-fs')} sends in flight)`;
    const ratio = times(report.ratios['concurrent-fs / baseline-fs']);
    const against = `${ratio} plain Node writing one file at a time (${againstBaseline})${againstOne}`;
    lines.push(`${head}: ${grouped(fs.rate)} msgs/s, ${against}`);
  }
  const redis = rate('concurrent-redis');
  if (isNumber(redis)) {
    const one = rate('throughput-redis');
    const againstOne = isNumber(one) ? ` (one at a time, \`throughput-redis\`: ${grouped(one)} msgs/s)` : '';
    const head = `- \`concurrent-redis\` (${inFlight('concurrent-redis')} sends in flight)`;
    lines.push(`${head}: ${grouped(redis)} msgs/s${againstOne}`);
  }
  return lines.length === 0 ? [] : ['### Concurrent senders', '', ...lines, ''];
}

/** What could not run on the machine, and why. */
export function renderSkipped(report: BenchReport): string[] {
  const skipped = Object.entries(report.skipped ?? {});
  if (skipped.length === 0) return [];
  return ['Not run on this machine:', '', ...skipped.map(([name, reason]) => `- \`${name}\`: ${reason}`), ''];
}
