import { inject, injectable } from './di.js';
import { assertWithinSize, createEnvelope, isExpired, MAX_RECIPIENTS, withRecipients } from './envelope.js';
import type { Envelope } from './envelope.js';
import { notAddressedTo } from './addressed.js';
import { Cc2ccError, describeError, isCc2ccError } from './errors.js';
import { assertAgentName, parseAddress, type AgentName } from './names.js';
import { isRetired, presenceState, type AgentInfo, type PresenceRecord } from './presence.js';
import { CLOCK, CONFIG, HOOKS, LOGGER, REQUESTS, ROUTER, SERVICES, SINK, STATE, TRANSPORT } from './tokens.js';
import { LivenessCache, localHost } from './process-alive.js';
import type { Clock } from './clock.js';
import type { ChainOutcome, Extensions } from './extensions.js';
import type { Logger } from './logger.js';
import type { KernelConfig } from './options.js';
import type { Directory, Router } from './router.js';
import type { Sink } from './sink.js';
import type { Delivery, Inbox, Transport } from './transport.js';
import type { State } from './state.js';
import type { ServiceLookup } from './services.js';
import { RECENT_LIMIT, RecentMessages } from './recent-messages.js';
import type { RecipientResult, SendDraft, SendResult } from './send-result.js';

export interface RequestOptions {
  /** How long to wait for the reply (default 60 s). */
  timeoutMs?: number;
  /** Queue the request for an agent that is offline instead of failing at once. */
  queueIfOffline?: boolean;
  data?: unknown;
}

/** What the request-reply plugin provides under the REQUESTS token. */
export interface Requests {
  request(bus: Bus, to: string, text: string, options: RequestOptions): Promise<Envelope>;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * The kernel. Send: outbound hooks → router → transport, one result per recipient.
 * Receive: transport → expiry → inbound hooks → sink → ack.
 */
@injectable()
export class Bus implements Directory {
  private self: AgentName | undefined;
  private inbox: Inbox | undefined;
  private record: PresenceRecord | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** For `reply`: the messages received last (bounded in number and text). */
  private readonly recent = new RecentMessages();
  /**
   * Ids the sink took ('delivered': pushed) whose ack failed. The hand-over is final: a
   * re-offer of one is acked, never handed over again, and never counts as a failed delivery.
   */
  private readonly handedOver = new Set<string>();
  /** Whether agents on this host still run: asked on every send, each answer good for a second. */
  private readonly liveness = new LivenessCache();

  constructor(
    @inject(TRANSPORT) readonly transport: Transport,
    @inject(ROUTER) private readonly router: Router,
    @inject(SINK) private readonly sink: Sink,
    @inject(HOOKS) private readonly extensions: Extensions,
    @inject(SERVICES) private readonly services: ServiceLookup,
    @inject(CONFIG) readonly config: KernelConfig,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
    /** The bus state (rooms, topics, session names): the transport's, or this process's. */
    @inject(STATE) readonly state: State,
  ) {}

  /** This agent's name once `attach` ran. */
  get name(): AgentName | undefined {
    return this.self;
  }

  async send(draft: SendDraft): Promise<SendResult> {
    const from = draft.from ?? this.self;
    if (from === undefined)
      throw new Cc2ccError('BAD_INPUT', 'send needs a sender: attach the bus to an agent or pass "from"');
    const sender = assertAgentName(from, 'sender name');
    parseAddress(draft.to); // a bad address gets the address rule, not a schema dump
    const created = createEnvelope({ ...draft, from: sender }, this.clock.now());
    const outcome = await this.extensions.runOutbound(created, { bus: this, direction: 'outbound' });
    if ('drop' in outcome) {
      return {
        id: created.id,
        to: created.to,
        envelope: created,
        results: [],
        refused: `${outcome.plugin}: ${outcome.drop}`,
      };
    }
    // One look at the directory per send, shared by the router, its plugins and the statuses.
    let known: Promise<AgentInfo[]> | undefined;
    const directory: Directory = { agents: () => (known ??= this.agents()) };
    const recipients = await this.router.resolve(outcome.envelope, directory);
    if (recipients.length === 0) return { id: created.id, to: created.to, envelope: outcome.envelope, results: [] };
    const sealed = await this.seal(
      outcome.envelope,
      recipients.map(({ agent }) => agent),
    );
    if ('drop' in sealed) {
      return {
        id: created.id,
        to: created.to,
        envelope: outcome.envelope,
        results: [],
        refused: `${sealed.plugin}: ${sealed.drop}`,
      };
    }
    const envelope = sealed.envelope;
    // On the envelope as stored, `rcpt` and `sig` included (serialized once, shared with the transport).
    assertWithinSize(envelope, this.config.maxBytes);
    const states = new Map((await directory.agents()).map((agent) => [agent.name, agent.state]));
    const outcomes = await this.putAll(
      recipients.map(({ agent }) => agent),
      envelope,
    );
    const results = recipients.map(({ agent, via }, index): RecipientResult => {
      const outcome = outcomes[index]!;
      if (outcome.status === 'rejected') {
        const status = isCc2ccError(outcome.reason, 'OUTCOME_UNKNOWN') ? 'unknown' : 'refused';
        return { agent, ...(via && { via }), status, reason: describeError(outcome.reason) };
      }
      return { agent, ...(via && { via }), status: states.get(agent) === 'online' ? 'queued' : 'offline (queued)' };
    });
    return { id: envelope.id, to: envelope.to, envelope, results };
  }

  /** Answer a received message: to its `replyTo` (or sender), correlated by its id. */
  async reply(id: string, text: string, extra: Partial<SendDraft> = {}): Promise<SendResult> {
    const original = this.recent.get(id);
    if (!original) {
      throw new Cc2ccError(
        'NOT_FOUND',
        `no received message with id "${id}" among the last ${RECENT_LIMIT} this session received (ids come ` +
          'from the "id" meta of a pushed message or from check_inbox; answer an older one with send to its sender)',
      );
    }
    return this.send({
      ...extra,
      to: original.replyTo ?? original.from,
      text,
      kind: 'reply',
      correlationId: original.id,
    });
  }

  /** Send a request and wait for its reply (needs the "request-reply" plugin). */
  async request(to: string, text: string, options: RequestOptions = {}): Promise<Envelope> {
    const requests = this.services.get<Requests>(REQUESTS);
    if (!requests)
      throw new Cc2ccError(
        'BAD_INPUT',
        'bus.request needs the "request-reply" plugin: add it to "plugins" in the config',
      );
    return requests.request(this, to, text, options);
  }

  /** A message this agent received recently, by id. */
  received(id: string): Envelope | undefined {
    return this.recent.get(id);
  }

  /** Become agent `name`: open its inbox, announce presence, start the plugins. */
  async attach(name: AgentName, options: { delivery?: string; data?: PresenceRecord['data'] } = {}): Promise<void> {
    if (this.self) throw new Cc2ccError('BAD_INPUT', `this bus is already attached as "${this.self}"`);
    const self = assertAgentName(name);
    const now = this.clock.now().toISOString();
    const record: PresenceRecord = {
      name: self,
      state: 'online',
      pid: process.pid,
      host: localHost(),
      startedAt: now,
      lastSeen: now,
      ...(options.delivery && { delivery: options.delivery }),
      data: { ...options.data },
    };
    this.self = self;
    try {
      this.inbox = await this.transport.open(self, (delivery) => this.receive(delivery));
    } catch (error) {
      // Not ours: a refused second receiver must not mark the live holder offline on close.
      this.self = undefined;
      throw error;
    }
    this.inbox.onretaken = () => {
      // The presence records may have gone with the folders: say at once that we are here.
      this.announce().catch((error) => this.logger.warn(`could not announce presence again: ${describeError(error)}`));
    };
    this.inbox.onlost = (error) => this.inboxLost(error);
    this.record = record;
    await this.announce();
    this.heartbeat = setInterval(() => {
      this.announce().catch((error) => this.logger.warn(`heartbeat failed: ${describeError(error)}`));
    }, this.config.heartbeatMs);
    this.heartbeat.unref();
    await this.extensions.runStart(this);
  }

  /** Every known agent with its state: presence records, inboxes and configured names; not retired ones. */
  async agents(): Promise<AgentInfo[]> {
    const now = this.clock.now().getTime();
    const found = new Map<AgentName, AgentInfo>();
    for (const name of this.config.agents) found.set(name, { name, state: 'offline' });
    for (const { name, presence } of await this.transport.agents()) {
      // Retired (retire.ts): not a recipient, not listed, not reached by `*`. Configured names never are.
      if (isRetired(presence) && !found.has(name)) continue;
      if (!presence) {
        if (!found.has(name)) found.set(name, { name, state: 'offline' });
        continue;
      }
      let state = presenceState(presence, now, this.config.staleAfterMs);
      if (state === 'online' && presence.host === localHost() && !this.liveness.alive(presence.pid)) state = 'stale';
      found.set(name, { name, state, presence });
    }
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** This session's plugin data in its presence record (gone with the next session; lasting state goes in `state`). */
  presenceData(key: string): unknown {
    return this.record?.data[key];
  }

  async setPresenceData(key: string, value: NonNullable<PresenceRecord['data'][string]>): Promise<void> {
    if (!this.record) throw new Cc2ccError('BAD_INPUT', 'presence data needs an attached agent');
    this.record.data = { ...this.record.data, [key]: value };
    await this.announce();
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const failures = await this.extensions.runStop(this);
    for (const failure of failures) this.logger.warn(failure.message);
    await this.inbox?.close();
    this.inbox = undefined;
    if (this.record) {
      this.record = { ...this.record, state: 'offline' };
      await this.transport
        .announce(this.record)
        .catch((error) => this.logger.warn(`could not mark offline: ${describeError(error)}`));
    }
  }

  /**
   * Another live process took this agent's inbox: this one no longer receives. Its presence
   * record is now the other process's to keep (no heartbeat, no "offline" at close over
   * it), and the agent is told, since otherwise it would wait for messages forever.
   */
  private inboxLost(error: Error): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const record = this.record;
    this.record = undefined;
    this.inbox = undefined;
    if (record) void this.signOffUnlessTaken(record);
    const text =
      `cc2cc: you (${this.self}) no longer receive messages: another process took over your inbox ` +
      `(${describeError(error)}). ` +
      'Sending still works. Restart this session (or stop the other one) to receive again.';
    this.logger.error(text);
    this.sink.notice?.(text);
  }

  /** Say "offline" only while the presence record is still ours: the new holder's stays as it is. */
  private async signOffUnlessTaken(record: PresenceRecord): Promise<void> {
    try {
      const current = (await this.transport.agents()).find((agent) => agent.name === record.name)?.presence;
      if (
        current &&
        (current.pid !== record.pid || current.host !== record.host || current.startedAt !== record.startedAt)
      )
        return;
      await this.transport.announce({ ...record, state: 'offline', lastSeen: this.clock.now().toISOString() });
    } catch (error) {
      this.logger.warn(`could not mark this receiver offline: ${describeError(error)}`);
    }
  }

  private async announce(): Promise<void> {
    if (!this.record) return;
    this.record = { ...this.record, lastSeen: this.clock.now().toISOString() };
    await this.transport.announce(this.record);
  }

  /**
   * Record the routed recipients in `rcpt` (receivers check it), then run the onRouted hooks (a
   * signature covers it).
   */
  private seal(envelope: Envelope, recipients: AgentName[]): Promise<ChainOutcome> {
    if (recipients.length > MAX_RECIPIENTS) {
      throw new Cc2ccError(
        'BAD_INPUT',
        `${envelope.to} resolved to ${recipients.length} agents; one message reaches at most ${MAX_RECIPIENTS}`,
      );
    }
    // The router checked every name: the transport does not validate the sealed envelope again
    // (unless an onRouted hook replaced it with an object of its own).
    return this.extensions.runRouted(withRecipients(envelope, recipients), { bus: this, direction: 'outbound' });
  }

  /** One outcome per recipient; several recipients share one write where the transport can. */
  private putAll(agents: AgentName[], envelope: Envelope): Promise<Array<PromiseSettledResult<void>>> {
    if (agents.length > 1 && this.transport.putMany) {
      const refusedAll = (reason: unknown) =>
        agents.map((): PromiseSettledResult<void> => ({ status: 'rejected', reason }));
      return this.transport.putMany(agents, envelope).catch(refusedAll);
    }
    return Promise.allSettled(agents.map((agent) => this.transport.put(agent, envelope)));
  }

  private async receive(delivery: Delivery): Promise<void> {
    const { envelope } = delivery;
    // A copy meant for another inbox is refused first: no receipt, no hook, no push.
    const misaddressed = notAddressedTo(envelope, this.self!);
    if (misaddressed) return delivery.deadLetter(misaddressed);
    if (this.handedOver.has(envelope.id)) return this.acknowledgeHandedOver(delivery);
    if (isExpired(envelope, this.clock.now())) {
      await delivery.deadLetter(`expired: expiresAt ${envelope.expiresAt} passed before delivery`);
      await this.sendReceipt(
        envelope,
        'expired',
        `your message ${envelope.id} to ${this.self} expired before it was delivered`,
      );
      return;
    }
    if (delivery.attempt > this.config.maxAttempts) {
      await delivery.deadLetter(`failed: not delivered after ${this.config.maxAttempts} attempts`);
      await this.sendReceipt(
        envelope,
        'failed',
        `your message ${envelope.id} to ${this.self} could not be delivered after ${this.config.maxAttempts} attempts`,
      );
      return;
    }
    let outcome: ChainOutcome;
    try {
      outcome = await this.extensions.runInbound(envelope, {
        bus: this,
        direction: 'inbound',
        attempt: delivery.attempt,
      });
    } catch (error) {
      return delivery.retry(describeError(error), this.retryDelay(delivery.attempt));
    }
    if ('drop' in outcome) {
      const reason = `${outcome.plugin}: ${outcome.drop}`;
      if (outcome.then === 'ack') return delivery.ack();
      if (outcome.then === 'retry')
        return delivery.retry(reason, outcome.retryInMs ?? this.retryDelay(delivery.attempt));
      return delivery.deadLetter(reason);
    }
    this.recent.remember(outcome.envelope);
    let result: 'delivered' | 'held';
    try {
      result = await this.sink.deliver(outcome.envelope, { ack: () => delivery.ack() });
    } catch (error) {
      this.logger.warn(`sink ${this.sink.name} did not take ${envelope.id}: ${describeError(error)}`);
      return delivery.retry(`sink ${this.sink.name}: ${describeError(error)}`, this.retryDelay(delivery.attempt));
    }
    if (result === 'delivered') {
      this.handedOver.add(envelope.id);
      await this.acknowledgeHandedOver(delivery);
    }
  }

  /**
   * Ack a message the agent already has. A failed ack (done/ not writable, a full disk, an
   * I/O error) is retried as an ack: the message goes back for a later offer, which lands
   * in `receive` above and acks it without pushing it again or counting attempts.
   */
  private async acknowledgeHandedOver(delivery: Delivery): Promise<void> {
    const { id } = delivery.envelope;
    try {
      await delivery.ack();
      this.handedOver.delete(id);
    } catch (error) {
      const delayMs = this.retryDelay(delivery.attempt);
      this.logger.warn(
        `could not acknowledge ${id}, which was delivered: ${describeError(error)}; acknowledging ` +
          `again in ${delayMs} ms (it is not delivered again)`,
      );
      await delivery.retry(`acknowledging a delivered message failed: ${describeError(error)}`, delayMs);
    }
  }

  private retryDelay(attempt: number): number {
    return Math.min(this.config.retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
  }

  /** Tell a sender what became of its message. Receipts are events: they never get receipts. */
  private async sendReceipt(original: Envelope, receipt: 'expired' | 'failed', text: string): Promise<void> {
    if (original.kind === 'event' || !this.self) return;
    try {
      const receiptEnvelope = createEnvelope(
        { from: this.self, to: original.from, kind: 'event', text, correlationId: original.id, meta: { receipt } },
        this.clock.now(),
      );
      // Receipts go through the outbound hooks (a signing plugin must sign them too).
      const outcome = await this.extensions.runOutbound(receiptEnvelope, { bus: this, direction: 'outbound' });
      if ('drop' in outcome) return;
      const sealed = await this.seal(outcome.envelope, [assertAgentName(original.from)]);
      if ('drop' in sealed) return;
      await this.transport.put(assertAgentName(original.from), sealed.envelope);
    } catch (error) {
      this.logger.warn(`could not send ${receipt} receipt for ${original.id}: ${describeError(error)}`);
    }
  }
}
