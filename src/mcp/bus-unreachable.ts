import { type Cc2ccError, isCc2ccError } from '../kernel/errors.js';
import { describeError } from '../kernel/errors.js';
import type { AgentName } from '../kernel/names.js';
import type { ChannelNotification } from '../sinks/channel-sink.js';

/** Longest pause between two attempts to attach while the bus is unreachable. */
export const MAX_REATTACH_WAIT_MS = 10_000;

/** Failures that mean "the bus is not there right now", not "this setup is wrong". */
export function busUnreachable(error: unknown): error is Cc2ccError {
  return (
    isCc2ccError(error) &&
    (error.code === 'TRANSPORT_UNAVAILABLE' || error.code === 'REDIS_LOADING' || error.code === 'REDIS_BUSY')
  );
}

export function unreachableLine(error: Cc2ccError | undefined): string {
  return (
    `the message bus is unreachable (${error ? describeError(error) : 'not attached yet'}); ` +
    `cc2cc keeps trying in the background and says so when it is back`
  );
}

/** The self-wake of a session whose bus did not answer at start. */
export function unreachableWake(agent: AgentName, error: Cc2ccError | undefined): ChannelNotification {
  return {
    content:
      `cc2cc: you are ${agent}. ${unreachableLine(error)}. Until then send, reply, ` +
      `list_agents and check_inbox fail; messages sent to you meanwhile wait in your inbox.`,
    meta: { kind: 'system', to: agent, bus: 'unreachable' },
  };
}
