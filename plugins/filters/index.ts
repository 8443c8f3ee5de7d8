import { definePlugin, drop, isAgentName, type Bus, type Envelope } from '../../src/plugin.js';
import { RateLimiter } from './rate-limiter.js';
import { PingPongGuard } from './ping-pong.js';
import { matchesAny } from './sender-patterns.js';
import { FILTER_RULES, type FilterRule } from './rules.js';
import { dropsCheck } from './drops-check.js';
import { dropsMonitor } from './drops-monitor.js';

export interface FiltersOptions {
  /** Only these senders get through (names, or `*` globs such as `ci-*`). Empty: everyone. */
  allow?: string[];
  /** These senders never get through. */
  deny?: string[];
  /** Remember this many ids and push a repeated id once; `false` turns it off. */
  dedupe?: number | false;
  /** Per sender: at most `messages` per `perMs`; more are held back and delivered later. */
  rateLimit?: { messages: number; perMs: number } | false;
  /** Largest `text`, in bytes, that is pushed or sent. */
  maxTextBytes?: number;
  /**
   * After `maxTurns` back-and-forth exchanges with one agent, hold the next send back until a human
   * turn or `quietMs` of silence.
   */
  pingPong?: { maxTurns: number; quietMs?: number } | false;
  /** `drop` keeps `event`s out of the push path (they go to dead letters, counted). */
  events?: 'push' | 'drop';
  /** Senders whose messages count as a human turn (they reset the ping-pong count). */
  humans?: string[];
}

const DEFAULTS: FiltersOptions = {
  dedupe: 10_000,
  rateLimit: false,
  pingPong: false,
  events: 'push',
  humans: ['human'],
};

/**
 * Message filters, each optional. Inbound checks run before every other plugin's
 * (`order: 'pre'`), so a denied sender never reaches a sink. Every drop is counted by
 * rule in this agent's presence record (`filters.dropped`), which `cc2cc agents --json`
 * shows and this plugin's doctor check and tail monitor read (rules.ts says what each rule
 * did); dropped messages go to dead letters with the reason, held-back ones stay in the inbox.
 */
export const filters = definePlugin((options: FiltersOptions = {}) => {
  const settings = { ...DEFAULTS, ...options } as Required<
    Pick<FiltersOptions, 'dedupe' | 'rateLimit' | 'pingPong' | 'events' | 'humans'>
  > &
    FiltersOptions;
  const counts: Partial<Record<FilterRule, number>> = {};
  const seen = new Set<string>();
  const limiter = settings.rateLimit
    ? new RateLimiter(settings.rateLimit.messages, settings.rateLimit.perMs)
    : undefined;
  const pingPong = settings.pingPong
    ? new PingPongGuard(settings.pingPong.maxTurns, settings.pingPong.quietMs ?? 10 * 60_000)
    : undefined;
  let publishTimer: NodeJS.Timeout | undefined;

  const count = (bus: Bus, rule: FilterRule) => {
    counts[rule] = (counts[rule] ?? 0) + 1;
    // Coalesced: a burst of drops rewrites the presence record once.
    if (publishTimer || !bus.name) return;
    publishTimer = setTimeout(() => {
      publishTimer = undefined;
      bus.setPresenceData('filters', { dropped: { ...counts } }).catch(() => {});
    }, 250);
    publishTimer.unref();
  };

  const textTooBig = (envelope: Envelope) =>
    settings.maxTextBytes !== undefined && Buffer.byteLength(envelope.text) > settings.maxTextBytes
      ? `text is ${Buffer.byteLength(envelope.text)} bytes, over the filters cap of ${settings.maxTextBytes}`
      : undefined;

  return {
    name: 'filters',
    setup(ctx) {
      ctx.onReceive(
        (envelope, { bus, attempt }) => {
          const sender = envelope.from;
          if (settings.deny?.length && matchesAny(settings.deny, sender)) {
            count(bus, 'deny');
            return drop(`sender ${sender} is denied (filters.deny)`);
          }
          if (settings.allow?.length && !matchesAny(settings.allow, sender)) {
            count(bus, 'allow');
            return drop(`sender ${sender} is not in filters.allow`);
          }
          if (settings.dedupe !== false && attempt === 1) {
            if (seen.has(envelope.id)) {
              count(bus, 'duplicate');
              return drop(`duplicate id ${envelope.id}`, { then: 'ack' });
            }
            seen.add(envelope.id);
            if (seen.size > settings.dedupe) seen.delete(seen.values().next().value!);
          }
          const tooBig = textTooBig(envelope);
          if (tooBig) {
            count(bus, 'size');
            return drop(tooBig);
          }
          if (settings.events === 'drop' && envelope.kind === 'event') {
            count(bus, 'events');
            return drop('events are kept out of the push path (filters.events = "drop")');
          }
          const waitMs = limiter?.admit(sender, ctx.clock.now().getTime());
          if (waitMs !== undefined) {
            count(bus, 'rate-limit');
            ctx.logger.warn(`filters: holding back ${envelope.id} from ${sender} for ${waitMs} ms (rate limit)`);
            return drop(`rate limit for ${sender}: held back ${waitMs} ms`, { then: 'retry', retryInMs: waitMs });
          }
          pingPong?.received(sender, settings.humans.includes(sender), ctx.clock.now().getTime());
        },
        { order: 'pre' },
      );

      ctx.onSend(
        (envelope, { bus }) => {
          const tooBig = textTooBig(envelope);
          if (tooBig) {
            count(bus, 'size');
            return drop(tooBig);
          }
          if (pingPong && isAgentName(envelope.to)) {
            const held = pingPong.sending(envelope.to, ctx.clock.now().getTime());
            if (held) {
              count(bus, 'ping-pong');
              return drop(held);
            }
          }
        },
        { order: 'pre' },
      );

      ctx.onStop(() => {
        if (publishTimer) clearTimeout(publishTimer);
      });

      ctx.addCheck('filters', dropsCheck(FILTER_RULES));
      ctx.addMonitor('filters', dropsMonitor(FILTER_RULES));
    },
  };
});

export { FILTER_RULES, droppedCounts, type FilterRule, type RuleInfo, type RuleTable } from './rules.js';
export { dropsCheck, dropFindings } from './drops-check.js';
export { dropsMonitor, describeDrop, FilterDropTracker, type FilterDropEvent } from './drops-monitor.js';
