import type { DeliveryState, StateStep, WireEnvelope } from '../protocol.js';

/** `08:45:12` in local time. */
export function clock(iso: string | number): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour12: false });
}

/** `08:45:12.345` in local time. */
export function clockMs(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${clock(iso)}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The creation time inside a ULID (its first 10 characters), in ms. */
export function ulidTime(id: string): number | undefined {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return undefined;
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(char);
  return time;
}

export function messageTime(id: string, envelope?: WireEnvelope): string {
  if (envelope) return envelope.ts;
  const time = ulidTime(id);
  return time === undefined ? '' : new Date(time).toISOString();
}

/**
 * Where one recipient's copy stands now, by the rules of `cc2cc status`: the transport's
 * latest step says where the file is, the ledger's says what the model was given. Dead
 * wins; then seen (a seen message is acked, so also done); then done; then pushed.
 */
export function currentState(steps: StateStep[] | undefined): DeliveryState | undefined {
  let file: DeliveryState | undefined;
  let given: DeliveryState | undefined;
  for (const step of steps ?? []) {
    if (step.state === 'pushed' || step.state === 'seen') given = given === 'seen' ? given : step.state;
    else file = step.state;
  }
  if (file === 'dead') return 'dead';
  if (given === 'seen') return 'seen';
  if (file === 'done') return 'done';
  return given ?? file;
}

/** Shorten one line of text. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}
