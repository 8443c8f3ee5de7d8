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

/** "### Against the floor": cc2cc's MCP path and the floor's, taking turns in the same run. */
export function renderFloor(report: BenchReport): string[] {
  const scenario = (name: string) => report.scenarios[name];
  const ms = (value: number | undefined) => (isNumber(value) ? value.toFixed(2) : '');
  const cpu = (name: string) => {
    const figures = scenario(name)?.figures;
    return isNumber(figures?.senderCpuMsPerMessage) && isNumber(figures?.receiverCpuMsPerMessage) ? `${ms(figures.senderCpuMsPerMessage)} / ${ms(figures.receiverCpuMsPerMessage)}` : '';
  };
  const before = report.before !== undefined;
  const runs = FLOOR_RUNS.filter(({ suffix }) => scenario(`latency-mcp${suffix}`) || scenario(`floor-mcp${suffix}`));
  if (runs.length === 0) return [];
  const { storage } = report.machine;
  return [
    '### Against the floor',
    '',
    ...(storage ? [`Disk: ${storage.disk}; memory: ${storage.tmpfs ?? 'none (no tmpfs here)'}.`, ''] : []),
    `| run | \`latency-mcp\` p50 ms | \`floor-mcp\` p50 ms | ratio | CPU ms per message, sender / receiver | the floor's |${before ? ' before p50 ms |' : ''}`,
    `| --- | ---: | ---: | ---: | ---: | ---: |${before ? ' ---: |' : ''}`,
    ...runs.map(({ suffix, what }) => {
      const [real, floor] = [`latency-mcp${suffix}`, `floor-mcp${suffix}`];
      const ratio = (report.ratios as Record<string, number | undefined>)[`${real} p50 / ${floor} p50`];
      const cells = [`${what} (\`${real}\`)`, ms(scenario(real)?.latency?.p50), ms(scenario(floor)?.latency?.p50), isNumber(ratio) ? `**${ratio.toFixed(2)}×**` : '', cpu(real), cpu(floor)];
      return row(before ? [...cells, ms(scenario(`latency-mcp-before${suffix}`)?.latency?.p50)] : cells);
    }),
    '',
    ...(before ? [`"before" is the build in \`${report.before}\`, taking turns with the two above in the same run.`, ''] : []),
  ];
}

/** "### Concurrent senders": sends in flight against one at a time and the plain-Node baseline. */
export function renderConcurrency(report: BenchReport): string[] {
  const rate = (name: string) => report.scenarios[name]?.rate;
  const inFlight = (name: string) => report.scenarios[name]?.figures?.inFlight;
  const times = (value: number | undefined) => (isNumber(value) ? `**${value.toFixed(2)}×**` : 'not run');
  const lines: string[] = [];
  const fs = report.scenarios['concurrent-fs'];
  if (isNumber(fs?.rate)) {
    const baseline = fs.figures?.baselineFsRate;
    const one = rate('throughput-fs');
    lines.push(
      `- \`concurrent-fs\` (folder, fsync, ${inFlight('concurrent-fs')} sends in flight): ${grouped(fs.rate)} msgs/s, ` +
        `${times(report.ratios['concurrent-fs / baseline-fs'])} plain Node writing one file at a time` +
        `${isNumber(baseline) ? ` (\`baseline-fs\`'s burst, ${grouped(baseline)} msgs/s, taking turns with it)` : ' (`baseline-fs`)'}` +
        `${isNumber(one) ? `, ${times(report.ratios['concurrent-fs / throughput-fs'])} one cc2cc sender at a time (\`throughput-fs\`, ${grouped(one)} msgs/s)` : ''}`,
    );
  }
  const redis = rate('concurrent-redis');
  if (isNumber(redis)) {
    const one = rate('throughput-redis');
    lines.push(`- \`concurrent-redis\` (${inFlight('concurrent-redis')} sends in flight): ${grouped(redis)} msgs/s${isNumber(one) ? ` (one at a time, \`throughput-redis\`: ${grouped(one)} msgs/s)` : ''}`);
  }
  return lines.length === 0 ? [] : ['### Concurrent senders', '', ...lines, ''];
}

/** What could not run on the machine, and why. */
export function renderSkipped(report: BenchReport): string[] {
  const skipped = Object.entries(report.skipped ?? {});
  return skipped.length === 0 ? [] : ['Not run on this machine:', '', ...skipped.map(([name, reason]) => `- \`${name}\`: ${reason}`), ''];
}
