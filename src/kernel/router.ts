import type { Envelope } from './envelope.js';
import type { AgentName } from './names.js';
import type { AgentInfo } from './presence.js';

/**
 * Turns one address (`calm-owl`, `*`, `room:backend`, `topic:ci.build`) into recipients.
 * Throws a Cc2ccError (UNKNOWN_RECIPIENT, NO_RECIPIENTS, UNKNOWN_SCHEME) when it cannot.
 *
 * Contract (each clause is a test of `runRouterContract`, `cc2cc/testing`):
 * - an agent name resolves to that agent alone, if the directory knows it (else
 *   UNKNOWN_RECIPIENT, unless the config allows unknown recipients);
 * - `*` resolves to every known agent but the sender, via `*` (nobody else: NO_RECIPIENTS);
 * - `scheme:target` goes to that scheme's resolver with the target and the envelope; each
 *   recipient comes once, never the sender, via the address; nobody left is NO_RECIPIENTS,
 *   a scheme nobody handles UNKNOWN_SCHEME, a name that breaks the naming rule INVALID_NAME.
 */
export interface Router {
  resolve(envelope: Envelope, directory: Directory): Promise<Recipient[]>;
}

export interface Recipient {
  agent: AgentName;
  /** The group address that brought this recipient in, such as `room:backend`. */
  via?: string;
}

/** What the router may know about agents; the bus builds it from the transport and config. */
export interface Directory {
  agents(): Promise<AgentInfo[]>;
}

/**
 * A plugin's resolver for one scheme: `room` gets `backend` for `room:backend`.
 * Returns the recipients; an empty list means nobody is there (the router says so).
 */
export type SchemeResolver = (target: string, context: SchemeContext) => Promise<AgentName[]> | AgentName[];

export interface SchemeContext {
  envelope: Envelope;
  directory: Directory;
}
