import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FIGURES_END,
  FIGURES_START,
  LATEST_REPORT,
  PERFORMANCE_DOC,
  replaceBetweenMarkers,
} from '../../bench/doc-section.js';
import { renderFigures } from '../../bench/figures-section.js';
import { makeReport, type BenchReport } from '../../bench/report.js';
import { isMet, judge, TARGETS } from '../../bench/targets.js';
import { REPO } from '../docs/markdown.js';

const machine = { node: 'v20.1.0', cpus: 4, cpu: 'Test CPU', platform: 'linux' };
const latency = (p50: number, p99: number, max: number) => ({ count: 100, p50, p90: p99, p99, max, mean: p50 });

/** latency-fs within 2× of the baseline (met), its p99 over 10 ms (unmet), fanout-room not run. */
const report: BenchReport = {
  when: '2026-01-02T03:04:05.000Z',
  quick: false,
  machine,
  ratios: { 'latency-fs p50 / baseline-fs p50': 2 },
  scenarios: {
    'baseline-fs': { name: 'baseline-fs', description: 'the limit', latency: latency(1.5, 4, 9), rate: 1234.4 },
    'latency-fs': { name: 'latency-fs', description: 'the bus', latency: latency(3, 12, 15) },
    backlog: {
      name: 'backlog',
      description: 'a drain',
      rate: 2000,
      figures: { messages: 10_000, seconds: 5, peakRssMb: 80.4 },
    },
  },
};

describe('renderFigures', () => {
  const page = renderFigures(report);

  it('says which machine and when, from the report', () => {
    expect(page).toContain('A full run on Test CPU (4 cores, Node 20.1.0, linux), 2026-01-02;');
    expect(page).toContain('[`bench/results/latest.json`](../bench/results/latest.json)');
  });

  it('has a row per scenario in the columns of the doc', () => {
    expect(page).toContain('| scenario | p50 ms | p99 ms | max ms | msgs/s | other |');
    expect(page).toContain('| baseline-fs | 1.50 | 4.00 | 9.0 | 1,234 | |');
    expect(page).toContain('| latency-fs | 3.00 | 12.00 | 15.0 | | |');
    expect(page).toContain('| backlog | | | | 2,000 | 10,000 in 5 s, peak RSS 80 MB |');
  });

  it('computes whether each target is met, and says "not run" for a missing scenario', () => {
    expect(page).toContain('| `latency-fs` p50 within 2× of `baseline-fs` p50 | 2.00× | yes |');
    expect(page).toContain('| `latency-fs` p99 under 10 ms | 12.0 ms | no |');
    expect(page).toContain('| `fanout-room` p50 under 50 ms | not run | not run |');
    expect(page).toContain('| `backlog` peak RSS under 300 MB | 80 MB | yes |');
    expect(page).toContain('- `throughput-fs / baseline-fs`: not run');
  });

  it('shows the figure without fsync beside a target, for information', () => {
    const withNosync = {
      ...report,
      ratios: { ...report.ratios, 'latency-fs-nosync p50 / baseline-fs-nosync p50': 2.5 },
    };
    expect(renderFigures(withNosync)).toContain('| 2.00× (2.50× without fsync) | yes |');
  });
});

/** A run with the MCP scenarios against their floor, the concurrent ones, and a skipped tmpfs. */
const floorReport: BenchReport = {
  ...report,
  machine: { ...machine, storage: { disk: 'ext2/3/4 at /tmp' } },
  ratios: {
    'latency-mcp p50 / floor-mcp p50': 1.25,
    'concurrent-fs / baseline-fs': 2.5,
    'concurrent-fs / throughput-fs': 4,
  },
  scenarios: {
    'latency-mcp': {
      name: 'latency-mcp',
      description: '',
      latency: latency(2.5, 9, 12),
      figures: { senderCpuMsPerMessage: 1.2, receiverCpuMsPerMessage: 0.8, clientCpuMsPerMessage: 0.4 },
    },
    'floor-mcp': {
      name: 'floor-mcp',
      description: '',
      latency: latency(2, 8, 10),
      figures: { senderCpuMsPerMessage: 0.6, receiverCpuMsPerMessage: 0.3, clientCpuMsPerMessage: 0.4 },
    },
    'throughput-fs': { name: 'throughput-fs', description: '', rate: 500, figures: { messages: 20_000, seconds: 40 } },
    'concurrent-fs': {
      name: 'concurrent-fs',
      description: '',
      rate: 2000,
      figures: {
        messages: 10_000,
        seconds: 5,
        inFlight: 16,
        baselineFsRate: 800,
        fsyncsPerMessage: 1.1253,
        baselineFsyncsPerMessage: 2,
      },
    },
    'concurrent-redis': {
      name: 'concurrent-redis',
      description: '',
      rate: 12_345,
      figures: { messages: 20_000, seconds: 1.6, inFlight: 16 },
    },
  },
  skipped: { 'latency-mcp-tmpfs': 'no tmpfs: /dev/shm does not exist on this system' },
};

describe('renderFigures against the floor', () => {
  const page = renderFigures(floorReport);

  it('has a row per storage and spacing that ran, with both p50s, their ratio and the CPU of each side', () => {
    expect(page).toContain('Disk: ext2/3/4 at /tmp; memory: none (no tmpfs here).');
    const row = '| disk, fsync, back to back (`latency-mcp`) | 2.50 | 2.00 | **1.25×** | 1.20 / 0.80 | 0.60 / 0.30 |';
    expect(page).toContain(row);
    expect(page).not.toContain('tmpfs, back to back');
    expect(page).not.toContain('before p50');
  });

  it('adds the --before build as a column when the run had one', () => {
    const withBefore = {
      ...floorReport,
      before: '/work/old',
      scenarios: {
        ...floorReport.scenarios,
        'latency-mcp-before': { name: 'latency-mcp-before', description: '', latency: latency(4, 9, 12) },
      },
    };
    const rendered = renderFigures(withBefore);
    expect(rendered).toContain('| 0.60 / 0.30 | 4.00 |');
    expect(rendered).toContain('"before" is the build in `/work/old`');
  });

  it('states the concurrent throughput against plain Node measured in turns with it, and Redis in msgs/s', () => {
    expect(page).toContain(
      '- `concurrent-fs` (folder, fsync, 16 sends in flight): 2,000 msgs/s, **2.50×** plain Node ' +
        "writing one file at a time (`baseline-fs`'s burst, 800 msgs/s, taking turns with it), " +
        '**4.00×** one cc2cc sender at a time (`throughput-fs`, 500 msgs/s)',
    );
    expect(page).toContain('- `concurrent-redis` (16 sends in flight): 12,345 msgs/s');
  });

  it('gives the fsyncs per message each side of concurrent-fs did, the measure of group commit', () => {
    expect(page).toContain(
      "| concurrent-fs | | | | 2,000 | 10,000 in 5 s, 16 sends in flight, baseline-fs's burst in turns with it " +
        '800 msgs/s, 1.13 fsyncs per message (baseline-fs: 2) |',
    );
  });

  it('judges the new targets from the ratios of the same run, and says why a scenario did not run', () => {
    expect(page).toContain('| `latency-mcp` p50 within 1.5× of `floor-mcp` p50 (disk) | 1.25× | yes |');
    expect(page).toContain('| `latency-mcp-tmpfs` p50 within 1.5× of `floor-mcp-tmpfs` p50 | not run | not run |');
    expect(page).toContain('| `concurrent-fs` at least 2× `baseline-fs` msgs/s | 2.50× | yes |');
    expect(page).toContain('| `concurrent-redis` at least 10,000 msgs/s | 12,345 msgs/s | yes |');
    expect(page).toContain('- `latency-mcp-tmpfs`: no tmpfs: /dev/shm does not exist on this system');
  });
});

describe('targets', () => {
  it('judge "under" strictly and "within" and "at least" inclusively', () => {
    const byLabel = (text: string) => TARGETS.find((target) => target.label.includes(text))!;
    expect(isMet(byLabel('p99 under 10 ms'), 10)).toBe(false);
    expect(isMet(byLabel('within 2×'), 2)).toBe(true);
    expect(isMet(byLabel('at least half'), 0.5)).toBe(true);
    expect(isMet(byLabel('at least half'), 0.49)).toBe(false);
    expect(isMet(byLabel('within 2×'), undefined)).toBeUndefined();
  });

  it('says the figure, the limit and whether it is met, with the aside for information', () => {
    const sender = TARGETS.find((target) => target.label.includes('sender CPU'))!;
    const cpu = (name: string, senderCpuMsPerMessage: number) => ({
      [name]: { name, description: '', figures: { senderCpuMsPerMessage } },
    });
    const tmpfs = { ...floorReport, scenarios: { ...cpu('latency-mcp-tmpfs', 0.71), ...cpu('floor-mcp-tmpfs', 0.5) } };
    expect(judge(sender, tmpfs)).toEqual({ figure: '0.71 ms (0.50 ms the floor)', limit: '<= 0.70 ms', met: 'no' });
    expect(judge(sender, report)).toEqual({ figure: 'not run', limit: '<= 0.70 ms', met: 'not run' });
  });
});

describe('makeReport', () => {
  it('rounds, drops the samples and computes the ratios of the scenarios that ran', () => {
    const made = makeReport(
      [
        { name: 'baseline-fs', description: '', latency: latency(2, 4, 8), samples: [2], rate: 400.4 },
        { name: 'latency-fs', description: '', latency: latency(3.00049, 6, 9), samples: [3] },
      ],
      { when: new Date(report.when), quick: true, machine },
    );
    expect(made.scenarios['latency-fs']).toEqual({ name: 'latency-fs', description: '', latency: latency(3, 6, 9) });
    expect(made.scenarios['baseline-fs']?.rate).toBe(400);
    expect(made.ratios).toEqual({ 'latency-fs p50 / baseline-fs p50': 1.5 });
    expect(made).not.toHaveProperty('skipped');
  });

  it('compares cc2cc with its floor, and concurrent-fs with the baseline it measured in turns with it', () => {
    const made = makeReport(
      [
        { name: 'baseline-fs', description: '', rate: 1000 },
        { name: 'latency-mcp-tmpfs', description: '', latency: latency(3, 6, 9) },
        { name: 'floor-mcp-tmpfs', description: '', latency: latency(2, 6, 9) },
        { name: 'concurrent-fs', description: '', rate: 1500, figures: { baselineFsRate: 500 } },
      ],
      { when: new Date(report.when), quick: true, machine, skipped: { 'concurrent-redis': 'no Redis' }, before: '/o' },
    );
    expect(made.ratios).toEqual({
      'latency-mcp-tmpfs p50 / floor-mcp-tmpfs p50': 1.5,
      'concurrent-fs / baseline-fs': 3,
    });
    expect(made.skipped).toEqual({ 'concurrent-redis': 'no Redis' });
    expect(made.before).toBe('/o');
  });
});

describe('replaceBetweenMarkers', () => {
  const doc = `# Title\n\nBefore.\n\n${FIGURES_START}\nold figures\n${FIGURES_END}\n\nAfter.\n`;

  it('replaces what is between the markers and keeps the text around them', () => {
    const updated = replaceBetweenMarkers(doc, 'new figures\n');
    expect(updated).toBe(`# Title\n\nBefore.\n\n${FIGURES_START}\nnew figures\n\n${FIGURES_END}\n\nAfter.\n`);
    expect(replaceBetweenMarkers(updated, 'new figures')).toBe(updated);
  });

  it('fails, naming the marker, when one is missing', () => {
    expect(() => replaceBetweenMarkers('# Title\n', 'x')).toThrow(
      `marker not found: ${FIGURES_START} and ${FIGURES_END}`,
    );
    expect(() => replaceBetweenMarkers(doc.replace(FIGURES_END, ''), 'x')).toThrow(`marker not found: ${FIGURES_END}`);
  });

  it('fails when the markers are out of order or repeated', () => {
    expect(() => replaceBetweenMarkers(`${FIGURES_END}\n${FIGURES_START}\n`, 'x')).toThrow('comes before');
    expect(() => replaceBetweenMarkers(`${doc}${FIGURES_START}\n`, 'x')).toThrow('once each');
  });
});

describe('docs/performance.md', () => {
  it('shows the figures of bench/results/latest.json (run `npm run bench:doc` after changing either)', async () => {
    const [doc, latest] = await Promise.all([
      readFile(join(REPO, PERFORMANCE_DOC), 'utf8'),
      readFile(join(REPO, LATEST_REPORT), 'utf8'),
    ]);
    const rendered = replaceBetweenMarkers(doc, renderFigures(JSON.parse(latest) as BenchReport));
    expect(doc, `${PERFORMANCE_DOC} is out of date: npm run bench:doc`).toBe(rendered);
  });
});
