// The kernel's own matching rule (it imports nothing Node-only), so the page filters as the router routes.
import { topicMatches } from '../../kernel/patterns.js';
import type { WireKind } from '../protocol.js';
import type { Row } from './store.js';

export interface Filters {
  /** From, to or received by this agent. */
  agent: string;
  /** Sent to `room:<room>`. */
  room: string;
  /** Sent to a topic: a topic (`ci.build`) or a pattern (`ci.*`, `ci.>`). */
  topic: string;
  kind: WireKind | '';
  /** In the text, the addresses or the id (case-insensitive). */
  text: string;
}

export const NO_FILTERS: Filters = { agent: '', room: '', topic: '', kind: '', text: '' };

export function isFiltering(filters: Filters): boolean {
  return Object.values(filters).some((value) => value !== '');
}

export function matches(row: Row, filters: Filters): boolean {
  const envelope = row.envelope;
  if (filters.agent && envelope?.from !== filters.agent && envelope?.to !== filters.agent && !row.deliveries.has(filters.agent)) return false;
  if (filters.room && envelope?.to !== `room:${filters.room}`) return false;
  if (filters.topic) {
    if (!envelope?.to.startsWith('topic:') || !topicMatches(filters.topic, envelope.to.slice('topic:'.length))) return false;
  }
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
