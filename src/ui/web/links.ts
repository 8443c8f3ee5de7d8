import type { Row } from './store.js';

/** A request (or any message) and a reply to it, by their places in the visible list. */
export interface Link {
  from: number;
  to: number;
  /** Which of the gutter's lanes draws it; -1 when all lanes were busy (the row labels still link them). */
  lane: number;
}

export const LANES = 4;

/**
 * Pairs every message that has a `correlationId` with the message it answers, when both
 * are in the list, and gives each pair a lane in the gutter: the first lane free over the
 * whole span, so lines never overlap.
 */
export function computeLinks(rows: readonly Row[], indexOf: ReadonlyMap<string, number>): Link[] {
  const links: Link[] = [];
  rows.forEach((row, to) => {
    const correlation = row.envelope?.correlationId;
    const from = correlation === undefined ? undefined : indexOf.get(correlation);
    if (from !== undefined && from < to) links.push({ from, to, lane: -1 });
  });
  links.sort((a, b) => a.from - b.from || a.to - b.to);
  const laneEnds = Array.from({ length: LANES }, () => -1);
  for (const link of links) {
    const lane = laneEnds.findIndex((end) => end < link.from);
    if (lane >= 0) {
      link.lane = lane;
      laneEnds[lane] = link.to;
    }
  }
  return links;
}

/** The links that pass through rows `first`..`last`. */
export function linksAcross(links: readonly Link[], first: number, last: number): Link[] {
  return links.filter((link) => link.lane >= 0 && link.from <= last && link.to >= first);
}
