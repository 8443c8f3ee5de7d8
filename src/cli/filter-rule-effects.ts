import type { FilterRule } from '../../plugins/filters/index.js';

/** What each rule did to the messages it counted. */
export const RULE_EFFECT: Record<FilterRule, string> = {
  deny: 'dropped (sender denied)',
  allow: 'dropped (sender not allowed)',
  duplicate: 'acked without delivery (duplicate id)',
  'rate-limit': 'held back (rate limit; delivered later)',
  size: 'dropped (text over the size cap)',
  'ping-pong': 'held back a send (ping-pong cap)',
  events: 'dropped (events kept out of the push path)',
};
