import { RATIOS, type BenchReport, type ScenarioFigures } from './report.js';
import { renderConcurrency, renderFloor, renderSkipped } from './comparisons-section.js';
import { isNumber, row } from './markdown.js';
import { grouped } from './stats.js';
import { judge, TARGETS } from './targets.js';

/**
 * The "Figures" section of docs/performance.md from a report: the machine line, the table,
 * the ratios and the targets. Pure, so the docs test can render it again and compare.
 */
export function renderFigures(report: BenchReport): string {
  const base = report.quick ? 'quick' : 'latest';
  const { machine } = report;
  return [
    '<!-- Generated from the bench report by bench/figures-section.ts: a full `npm run bench` rewrites it,',
    '     `npm run bench:doc` renders it again from bench/results/latest.json. Do not edit. -->',
    '',
    `A ${report.quick ? 'quick' : 'full'} run on ${machine.cpu} (${machine.cpus} cores, Node ` +
      `${machine.node.replace(/^v/, '')}, ${machine.platform}), ${report.when.slice(0, 10)};`,
    `the raw figures are in [\`bench/results/${base}.json\`](../bench/results/${base}.json).`,
    '',
    '| scenario | p50 ms | p99 ms | max ms | msgs/s | other |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...Object.values(report.scenarios).map(scenarioRow),
    '',
    'Ratios (like for like):',
    '',
    ...RATIOS.filter(({ label }) => report.before !== undefined || !label.includes('-before')).map(({ label }) => {
      const value = report.ratios[label];
      return `- \`${label}\`: ${isNumber(value) ? `**${value.toFixed(2)}**` : 'not run'}`;
    }),
    '',
    `![Latency distributions](../bench/results/${base}-latency.svg)`,
    '',
    ...renderFloor(report),
    ...renderConcurrency(report),
    ...renderSkipped(report),
    '### Against the targets',
    '',
    '| target | figure | met |',
    '| --- | --- | --- |',
    ...TARGETS.map((target) => {
      const { figure, met } = judge(target, report);
      return row([target.label, figure, met]);
    }),
  ].join('\n');
}

function scenarioRow(scenario: ScenarioFigures): string {
  const fixed = (value: number | undefined, digits: number) => (isNumber(value) ? value.toFixed(digits) : '');
  const { latency, rate } = scenario;
  return row([
    scenario.name,
    fixed(latency?.p50, 2),
    fixed(latency?.p99, 2),
    fixed(latency?.max, 1),
    isNumber(rate) ? grouped(rate) : '',
    other(scenario.figures ?? {}),
  ]);
}

/** The figures other than latency and rate, in words: "20,000 in 82.4 s, peak RSS 135 MB". */
function other(figures: Record<string, number>): string {
  const {
    messages,
    seconds,
    peakRssMb,
    cpuMsPer10s,
    highestWindowCpuMsPer10s,
    firstSeconds,
    firstSecondsCpuMs,
    senderCpuMsPerMessage,
    receiverCpuMsPerMessage,
    clientCpuMsPerMessage,
    inFlight,
    baselineFsRate,
    fsyncsPerMessage,
    baselineFsyncsPerMessage,
    ...rest
  } = figures;
  const parts: string[] = [];
  const secondsText = isNumber(seconds) ? `${Number(seconds.toFixed(1))} s` : '';
  const inFlightText = isNumber(inFlight) ? `, ${inFlight} sends in flight` : '';
  if (isNumber(messages) && secondsText) parts.push(`${grouped(messages)} in ${secondsText}${inFlightText}`);
  if (isNumber(baselineFsRate)) parts.push(`baseline-fs's burst in turns with it ${grouped(baselineFsRate)} msgs/s`);
  if (isNumber(fsyncsPerMessage))
    parts.push(
      `${Number(fsyncsPerMessage.toFixed(2))} fsyncs per message` +
        (isNumber(baselineFsyncsPerMessage) ? ` (baseline-fs: ${Number(baselineFsyncsPerMessage.toFixed(2))})` : ''),
    );
  if (isNumber(peakRssMb)) parts.push(`peak RSS ${Math.round(peakRssMb)} MB`);
  if (isNumber(cpuMsPer10s))
    parts.push(
      `${Number(cpuMsPer10s.toFixed(1))} ms CPU per 10 ` +
        `s${
          isNumber(highestWindowCpuMsPer10s)
            ? ` (median of three windows; the highest ${Number(highestWindowCpuMsPer10s.toFixed(1))} ms)`
            : ''
        }`,
    );
  if (!isNumber(messages) && secondsText) parts.push(`measured over ${secondsText}`);
  if (isNumber(firstSeconds) && isNumber(firstSecondsCpuMs))
    parts.push(`${Number(firstSecondsCpuMs.toFixed(1))} ms in the ${Number(firstSeconds.toFixed(1))} s after startup`);
  if (isNumber(senderCpuMsPerMessage) && isNumber(receiverCpuMsPerMessage) && isNumber(clientCpuMsPerMessage)) {
    parts.push(
      `CPU per message: sender ${senderCpuMsPerMessage.toFixed(2)} ms, receiver ` +
        `${receiverCpuMsPerMessage.toFixed(2)} ms, client ${clientCpuMsPerMessage.toFixed(2)} ms`,
    );
  }
  for (const [key, value] of Object.entries(rest))
    if (isNumber(value)) parts.push(`${key} ${Number(value.toFixed(2))}`);
  return parts.join(', ');
}
