import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURES_END, FIGURES_START, LATEST_REPORT, PERFORMANCE_DOC, replaceBetweenMarkers } from '../../bench/doc-section.js';
import { renderFigures } from '../../bench/figures-section.js';
import { makeReport, type BenchReport } from '../../bench/report.js';
import { isMet, TARGETS } from '../../bench/targets.js';
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
    backlog: { name: 'backlog', description: 'a drain', rate: 2000, figures: { messages: 10_000, seconds: 5, peakRssMb: 80.4 } },
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
    const withNosync = { ...report, ratios: { ...report.ratios, 'latency-fs-nosync p50 / baseline-fs-nosync p50': 2.5 } };
    expect(renderFigures(withNosync)).toContain('| 2.00× (2.50× without fsync) | yes |');
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
    expect(() => replaceBetweenMarkers('# Title\n', 'x')).toThrow(`marker not found: ${FIGURES_START} and ${FIGURES_END}`);
    expect(() => replaceBetweenMarkers(doc.replace(FIGURES_END, ''), 'x')).toThrow(`marker not found: ${FIGURES_END}`);
  });

  it('fails when the markers are out of order or repeated', () => {
    expect(() => replaceBetweenMarkers(`${FIGURES_END}\n${FIGURES_START}\n`, 'x')).toThrow('comes before');
    expect(() => replaceBetweenMarkers(`${doc}${FIGURES_START}\n`, 'x')).toThrow('once each');
  });
});

describe('docs/performance.md', () => {
  it('shows the figures of bench/results/latest.json (run `npm run bench:doc` after changing either)', async () => {
    const [doc, latest] = await Promise.all([readFile(join(REPO, PERFORMANCE_DOC), 'utf8'), readFile(join(REPO, LATEST_REPORT), 'utf8')]);
    const rendered = replaceBetweenMarkers(doc, renderFigures(JSON.parse(latest) as BenchReport));
    expect(doc, `${PERFORMANCE_DOC} is out of date: npm run bench:doc`).toBe(rendered);
  });
});
