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

/**
 * Everything a plugin says about its address scheme (`ctx.addScheme(scheme, handler)`; a bare
 * `SchemeResolver` is a handler with `resolve` only). The kernel, the config's routes and the
 * UI ask the handler, so no part of cc2cc outside the plugin knows what a `room:` is.
 */
export interface SchemeHandler {
  resolve: SchemeResolver;
  /**
   * Optional: how to write this scheme's addresses, as the agent's tools and instructions
   * list them, e.g. `a room (room:NAME)`: one line, at most 60 characters. Without it the
   * scheme is listed as `scheme:TARGET`. Only enabled schemes are listed, so an agent is
   * never told of addresses its project cannot send to.
   */
  describe?: string;
  /**
   * Optional: whether the target of a pattern (a route's `match.to`, such as `ci.*` in
   * `topic:ci.*`) covers the target of an address (`ci.build`). Without it, the kernel's
   * pattern rule applies (`targetMatches` in src/kernel/patterns.ts).
   */
  matches?(pattern: string, target: string): boolean;
  /**
   * Optional: the groups this scheme knows now, with the agents each reaches (rooms and
   * their members, topic patterns and their subscribers). `cc2cc ui` shows them; without
   * it, the scheme's groups are not listed.
   */
  list?(): Promise<SchemeGroup[]> | SchemeGroup[];
}

/** One group a scheme lists: `{ target: 'backend', agents: ['calm-owl'] }` for `room:backend`. */
export interface SchemeGroup {
  /** As in `scheme:target`; may be a pattern (`ci.*`). */
  target: string;
  agents: AgentName[];
}

export interface SchemeContext {
  envelope: Envelope;
  directory: Directory;
}
