import { Cc2ccError } from './errors.js';

/** An agent name: lowercase [a-z0-9] words joined by single hyphens, 1–32 characters. */
export type AgentName = string & { readonly __agentName?: never };

export const AGENT_NAME_RULE =
  'an agent name is 1–32 characters of lowercase [a-z0-9] words joined by single hyphens, such as "brave-fox"';

const AGENT_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_AGENT_NAME_LENGTH = 32;

export function isAgentName(value: unknown): value is AgentName {
  return typeof value === 'string' && value.length <= MAX_AGENT_NAME_LENGTH && AGENT_NAME.test(value);
}

/** Throws INVALID_NAME unless `value` passes the rule. Run this before a name touches a path. */
export function assertAgentName(value: unknown, what = 'agent name'): AgentName {
  if (isAgentName(value)) return value;
  throw new Cc2ccError('INVALID_NAME', `invalid ${what} ${quote(value)}: ${AGENT_NAME_RULE}`, { value: quote(value) });
}

/** Quotes any value for an error message, even one JSON and String() refuse (a BigInt, a prototype-less object). */
export function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/** A parsed address: a direct agent, everyone (`*`), or `scheme:rest` handled by a plugin. */
export type Address =
  | { kind: 'agent'; name: AgentName }
  | { kind: 'all' }
  | { kind: 'scheme'; scheme: string; target: string };

// A target is plain ASCII: letters, digits and `. _ - * >` (room names, dotted topics, the
// `*`/`>` of route patterns). No quote, `<`, space or control character can reach an
// attribute or a frame through an address, even one read back from a planted file.
const SCHEME = /^([a-z][a-z0-9-]{0,31}):([A-Za-z0-9._*>-]{1,200})$/;
export const ADDRESS_RULE =
  'an address is an agent name ("calm-owl"), "*" for every agent, or "scheme:target" such as ' +
  '"room:backend" or "topic:ci.build" (a target is 1–200 letters, digits and . _ - * >)';

export function parseAddress(value: unknown): Address {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new Cc2ccError('INVALID_ADDRESS', `invalid address ${quote(value)}: ${ADDRESS_RULE}`);
  }
  if (value === '*') return { kind: 'all' };
  const scheme = SCHEME.exec(value);
  if (scheme) return { kind: 'scheme', scheme: scheme[1]!, target: scheme[2]! };
  if (isAgentName(value)) return { kind: 'agent', name: value };
  throw new Cc2ccError('INVALID_ADDRESS', `invalid address ${quote(value)}: ${ADDRESS_RULE}; ${AGENT_NAME_RULE}`);
}

export function isAddress(value: unknown): value is string {
  try {
    parseAddress(value);
    return true;
  } catch {
    return false;
  }
}

export function formatAddress(address: Address): string {
  if (address.kind === 'all') return '*';
  if (address.kind === 'agent') return address.name;
  return `${address.scheme}:${address.target}`;
}
