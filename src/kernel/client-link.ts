import type { Bus } from './bus.js';

/**
 * The MCP client of this `cc2cc serve` process (Claude Code), as a plugin sees it: it can
 * send the client a notification. The kernel knows nothing of MCP; the server adapts this.
 */
export interface ClientLink {
  /** Send `method` with `params`; rejects once the connection is closed. */
  notify(method: string, params: Record<string, unknown>): Promise<void>;
}

/** A plugin's handler of one client notification; a throw is logged, never sent back. */
export type ClientNotificationHandler = (
  params: Record<string, unknown>,
  context: { bus: Bus; client: ClientLink },
) => void | Promise<void>;
