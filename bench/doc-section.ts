import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderFigures } from './figures-section.js';
import type { BenchReport } from './report.js';

/** Paths relative to the repository. */
export const PERFORMANCE_DOC = 'docs/performance.md';
export const LATEST_REPORT = 'bench/results/latest.json';

export const FIGURES_START = '<!-- bench:figures:start -->';
export const FIGURES_END = '<!-- bench:figures:end -->';

/**
 * `text` with what lies between the two markers replaced by `body`; the rest kept byte for
 * byte. A blank line before the end marker ends a table the body may close with.
 */
export function replaceBetweenMarkers(text: string, body: string, start = FIGURES_START, end = FIGURES_END): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const missing = [from < 0 && start, to < 0 && end].filter(Boolean);
  if (missing.length > 0)
    throw new Error(
      `marker not found: ${missing.join(' and ')} (the generated section goes between ${start} and ${end})`,
    );
  if (to < from) throw new Error(`${end} comes before ${start}`);
  if (text.indexOf(start, from + 1) >= 0 || text.indexOf(end, to + 1) >= 0)
    throw new Error(`${start} and ${end} must appear once each`);
  return `${text.slice(0, from + start.length)}\n${body.trimEnd()}\n\n${text.slice(to)}`;
}

/** Renders the report into docs/performance.md under `repo`. */
export async function writeFiguresSection(repo: string, report: BenchReport): Promise<void> {
  const path = join(repo, PERFORMANCE_DOC);
  const text = await readFile(path, 'utf8');
  const updated = replaceBetweenMarkers(text, renderFigures(report));
  if (updated !== text) await writeFile(path, updated);
}
