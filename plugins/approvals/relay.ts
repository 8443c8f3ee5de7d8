import { hostname } from 'node:os';
import {
  SKIP,
  describeError,
  updateState,
  type Bus,
  type ClientLink,
  type Logger,
  type StateValue,
} from '../../src/plugin.js';
import { REQUEST_ID, approvalKey, isApprovalRecord, type ApprovalRecord } from './records.js';

export const PERMISSION_REQUEST_METHOD = 'notifications/claude/channel/permission_request';
export const PERMISSION_METHOD = 'notifications/claude/channel/permission';

export interface RelayOptions {
  pendingTtlMs: number;
  keepMs: number;
  /** How often a server with pending requests reads them back for a verdict. */
  pollMs: number;
  logger: Logger;
}

/**
 * The serving side: records each permission request of this process's Claude Code session
 * in the bus state, and sends back the verdict someone wrote there. It notices a verdict by
 * reading its own pending keys every `pollMs`, and only while some are pending: one `get`
 * per pending request, the same on the folder and on Redis, from any process or host.
 */
export class PermissionRelay {
  /** Pending requests of this process: state key → the client to answer. */
  private readonly pending = new Map<string, ClientLink>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly options: RelayOptions) {}

  /** A `permission_request` from the client: write it down as pending. Malformed ones are logged, never guessed at. */
  async request(params: Record<string, unknown>, bus: Bus, client: ClientLink): Promise<void> {
    const { request_id: id, tool_name: tool, description, input_preview: preview } = params;
    const agent = bus.name;
    if (typeof id !== 'string' || !REQUEST_ID.test(id) || typeof tool !== 'string' || !agent) {
      this.options.logger.warn(
        `approvals: ignored a malformed permission request ${JSON.stringify(params).slice(0, 200)}`,
      );
      return;
    }
    const now = Date.now();
    const record: ApprovalRecord = {
      id,
      agent,
      tool,
      description: typeof description === 'string' ? description : '',
      preview: typeof preview === 'string' ? preview : '',
      requestedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.options.pendingTtlMs).toISOString(),
      pid: process.pid,
      host: hostname(),
      status: 'pending',
    };
    const key = approvalKey(agent, id);
    await bus.state.set(key, record as unknown as StateValue, { ttlMs: this.options.keepMs });
    this.pending.set(key, client);
    this.options.logger.info(
      `approvals: ${agent} asks to use ${tool} (request ${id}); answer with "cc2cc approve ${id}" ` +
        `or "cc2cc deny ${id}"`,
    );
    this.schedule(bus);
  }

  /** The session ends: whatever is still pending can no longer be answered. */
  async expireAll(bus: Bus): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const keys = [...this.pending.keys()];
    this.pending.clear();
    await Promise.all(keys.map((key) => this.markExpired(bus, key, 'the session ended')));
  }

  private schedule(bus: Bus): void {
    if (this.timer || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll(bus).finally(() => this.schedule(bus));
    }, this.options.pollMs);
    this.timer.unref();
  }

  private async poll(bus: Bus): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const [key, client] of [...this.pending]) {
        try {
          await this.check(bus, key, client);
        } catch (error) {
          this.options.logger.warn(`approvals: could not check ${key}: ${describeError(error)}`);
        }
      }
    } finally {
      this.polling = false;
    }
  }

  private async check(bus: Bus, key: string, client: ClientLink): Promise<void> {
    const entry = await bus.state.get(key);
    const record = isApprovalRecord(entry?.value) ? entry.value : undefined;
    if (!record || record.status === 'expired') {
      this.pending.delete(key);
      return;
    }
    if (record.status === 'pending') {
      if (Date.now() > Date.parse(record.expiresAt)) {
        this.pending.delete(key);
        await this.markExpired(bus, key, 'nobody answered in time');
      }
      return;
    }
    // Answered: send the verdict on purpose, once, then note that it went out.
    this.pending.delete(key);
    const behavior = record.status === 'allowed' ? 'allow' : 'deny';
    await client.notify(PERMISSION_METHOD, { request_id: record.id, behavior });
    this.options.logger.info(
      `approvals: sent ${behavior} for ${record.tool} (request ${record.id}, answered by ${record.answeredBy ?? '?'})`,
    );
    await updateState(
      bus.state,
      key,
      (current) =>
        isApprovalRecord(current?.value)
          ? ({ ...(current.value as ApprovalRecord), relayedAt: new Date().toISOString() } as unknown as StateValue)
          : SKIP,
      {
        ttlMs: this.options.keepMs,
      },
    );
  }

  private async markExpired(bus: Bus, key: string, reason: string): Promise<void> {
    await updateState(
      bus.state,
      key,
      (current) => {
        if (!isApprovalRecord(current?.value) || current.value.status !== 'pending') return SKIP;
        return {
          ...(current.value as ApprovalRecord),
          status: 'expired',
          expiredReason: reason,
        } as unknown as StateValue;
      },
      { ttlMs: this.options.keepMs },
    ).catch((error: unknown) =>
      this.options.logger.warn(`approvals: could not mark ${key} expired: ${describeError(error)}`),
    );
  }
}
