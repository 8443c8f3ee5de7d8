// The kernel's own matching rule (it imports nothing Node-only), so the page filters as the router routes.
import { parseAddress } from '../../kernel/names.js';
import { targetMatches } from '../../kernel/patterns.js';
import type { WireKind } from '../protocol.js';
import type { Row } from './store.js';

export interface Filters {
  /** From, to or received by this agent. */
  agent: string;
  /** Sent to a group address (`room:backend`, `topic:ci.build`) or one a pattern covers (`topic:ci.*`). */
  address: string;
  kind: WireKind | '';
  /** In the text, the addresses or the id (case-insensitive). */
  text: string;
}

export const NO_FILTERS: Filters = { agent: '', address: '', kind: '', text: '' };

export function isFiltering(filters: Filters): boolean {
  return Object.values(filters).some((value) => value !== '');
}

export function matches(row: Row, filters: Filters): boolean {
  const envelope = row.envelope;
  if (
    filters.agent &&
    envelope?.from !== filters.agent &&
    envelope?.to !== filters.agent &&
    !row.deliveries.has(filters.agent)
  )
    return false;
  if (filters.address && (!envelope || !addressCovers(filters.address, envelope.to))) return false;
  if (filters.kind && envelope?.kind !== filters.kind) return false;
  if (filters.text) {
    const needle = filters.text.toLowerCase();
    const haystack = envelope ? `${envelope.text}\n${envelope.from}\n${envelope.to}\n${row.id}` : row.id;
    if (!haystack.toLowerCase().includes(needle) && !reasons(row).toLowerCase().includes(needle)) return false;
  }
  return true;
}

function reasons(row: Row): string {
  let text = '';
  for (const steps of row.deliveries.values()) for (const step of steps) if (step.reason) text += `${step.reason}\n`;
  return text;
}

/**
 * A pattern covers an address of its scheme by the kernel's rule (a plugin's own `matches`
 * runs on the server only, so a scheme with one may route a little differently).
 */
function addressCovers(pattern: string, to: string): boolean {
  if (pattern === to) return true;
  try {
    const wanted = parseAddress(pattern);
    const actual = parseAddress(to);
    return (
      wanted.kind === 'scheme' &&
      actual.kind === 'scheme' &&
      wanted.scheme === actual.scheme &&
      targetMatches(wanted.target, actual.target)
    );
  } catch {
    return false;
  }
}
