import type { ScenarioResult } from './scenario.js';

const WIDTH = 820;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 230, top: 30, bottom: 50 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
// Past the eighth curve the colors come round again: dashes tell those apart.
const DASHES = ['', ' stroke-dasharray="6 3"', ' stroke-dasharray="2 2"'];

/** The latency distributions as cumulative curves on a log time axis, one per scenario. */
export function latencyChart(results: readonly ScenarioResult[], title: string): string {
  const series = results.filter((result) => result.samples && result.samples.length > 0);
  const all = series.flatMap((result) => result.samples!);
  const low = Math.max(0.01, Math.min(...all));
  const high = Math.max(...all);
  const [logLow, logHigh] = [Math.floor(Math.log10(low)), Math.ceil(Math.log10(high))];
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  // Clamp to the axis start, not to the fastest sample: ticks below it must stay in place.
  const x = (ms: number) =>
    MARGIN.left + ((Math.log10(Math.max(ms, 10 ** logLow)) - logLow) / (logHigh - logLow || 1)) * plotWidth;
  const y = (fraction: number) => MARGIN.top + (1 - fraction) * plotHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
      `font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${MARGIN.left}" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  for (let power = logLow; power <= logHigh; power++) {
    const px = x(10 ** power);
    parts.push(`<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${HEIGHT - MARGIN.bottom}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${px}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${formatMs(10 ** power)}</text>`,
    );
  }
  for (const fraction of [0, 0.5, 0.9, 0.99, 1]) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y(fraction)}" x2="${WIDTH - MARGIN.right}" y2="${y(fraction)}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${y(fraction) + 4}" text-anchor="end">p${Math.round(fraction * 100)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 12}" text-anchor="middle">latency (log scale)</text>`,
  );
  series.forEach((result, index) => {
    const sorted = [...result.samples!].sort((a, b) => a - b);
    const step = Math.max(1, Math.floor(sorted.length / 400));
    const points: string[] = [];
    for (let i = 0; i < sorted.length; i += step)
      points.push(`${x(sorted[i]!).toFixed(1)},${y((i + 1) / sorted.length).toFixed(1)}`);
    points.push(`${x(sorted.at(-1)!).toFixed(1)},${y(1).toFixed(1)}`);
    const color = COLORS[index % COLORS.length];
    const dash = DASHES[Math.floor(index / COLORS.length) % DASHES.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.join(' ')}"/>`);
    const legendY = MARGIN.top + 14 + index * 16;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 12}" y1="${legendY - 4}" ` +
        `x2="${WIDTH - MARGIN.right + 32}" y2="${legendY - 4}" stroke="${color}" stroke-width="3"${dash}/>`,
    );
    parts.push(`<text x="${WIDTH - MARGIN.right + 38}" y="${legendY}">${escapeXml(result.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
