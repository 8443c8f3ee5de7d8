import { randomBytes } from 'node:crypto';
import { describeError } from '../kernel/errors.js';
import { settleWaitMs } from '../hooks/protocol.js';
import { answerHook, type WakeProbe } from './hook-answers.js';
import { HookEndpoint } from './hook-endpoint.js';
import { sendSeenReceipt } from './receipts.js';
import type { LoadedConfig } from '../config/load.js';
import type { Bus } from '../kernel/bus.js';
import type { Envelope } from '../kernel/envelope.js';
import type { Logger } from '../kernel/logger.js';
import type { AgentName } from '../kernel/names.js';
import type { AgentDelivery, SeenVia } from './delivery.js';
import type { ApprovalsService } from '../kernel/approvals-service.js';
import type { Extensions } from '../kernel/extensions.js';
import type { HookRequest } from '../hooks/protocol.js';
import type { PushLiveness } from './push-liveness.js';

/** Default wait after the self-wake push before a transcript without it counts as "pushes do not reach". */
export const DEFAULT_PUSH_CONFIRM_MS = 10_000;

/** What `cc2cc serve` keeps for its session's hooks, receipts and push liveness. */
export interface SessionHooks {
  wake: WakeProbe;
  wakePushed(): void;
  seen(envelope: Envelope, via: SeenVia | 'earlier'): void;
  liveness(liveness: PushLiveness, why: string): void;
  close(): Promise<void>;
}

export interface SessionHooksOptions {
  config: LoadedConfig;
  agent: AgentName;
  bus: Bus;
  delivery: AgentDelivery;
  logger: Logger;
  /** The approvals plugin, when on: a hook shows the person answered Claude Code's own dialog. */
  approvals?: ApprovalsService;
  /** The plugins' address schemes (`runtime.extensions`): after a compaction the agent hears which groups reach it. */
  schemes?: Pick<Extensions, 'listGroups'>;
}

/**
 * Opens the session's hook socket and ties the delivery's events to the bus: a seen
 * message with `receipt: true` sends its receipt; push liveness goes into the presence
 * record (`data.push`: live / not reaching / unknown, or off without pushes). A socket
 * that cannot open costs only the hooks: the server goes on and says so.
 */
export async function startHookEndpoint({
  config,
  agent,
  bus,
  delivery,
  logger,
  approvals,
  schemes,
}: SessionHooksOptions): Promise<SessionHooks> {
  const wake: WakeProbe = { token: randomBytes(12).toString('hex') };
  const grace = Number(process.env.CC2CC_PUSH_CONFIRM_MS ?? DEFAULT_PUSH_CONFIRM_MS);
  const publish = (value: string) =>
    bus
      .setPresenceData('push', value)
      .catch((error: unknown) => logger.warn(`could not record push liveness: ${describeError(error)}`));
  await publish(delivery.mode === 'pull' ? 'off' : delivery.push.liveness);
  let endpoint: HookEndpoint | undefined;
  try {
    endpoint = await HookEndpoint.start({
      rootDir: config.rootDir,
      agent,
      delivery: delivery.mode,
      logger,
      answer: async (request) => {
        if (approvals) await settleApprovals(approvals, request, { bus, agent, logger });
        return answerHook(request, {
          bus,
          agent,
          delivery,
          wake,
          confirmGraceMs: Number.isFinite(grace) ? grace : DEFAULT_PUSH_CONFIRM_MS,
          limits: { maxTextChars: config.maxPushChars },
          settleMs: settleWaitMs(process.env),
          logger,
          ...(schemes !== undefined && { schemes }),
        });
      },
    });
  } catch (error) {
    logger.warn(
      `client hooks cannot reach this server (${describeError(error)}); messages still come ` +
        `through pushes and check_inbox`,
    );
  }
  return {
    wake,
    wakePushed: () => {
      wake.pushedAt = Date.now();
    },
    seen: (envelope, via) => {
      if (via !== 'earlier') void sendSeenReceipt(bus, envelope, via, logger);
    },
    liveness: (liveness, why) => {
      logger.info(`channel pushes: ${liveness} (${why})`);
      void publish(liveness);
    },
    close: async () => {
      await endpoint
        ?.close()
        .catch((error: unknown) => logger.warn(`could not close the hook socket: ${describeError(error)}`));
    },
  };
}

/**
 * Claude Code's permission dialog is modal for its tool call: a tool that ran was allowed
 * there, and at the end of a turn or the next prompt nothing asked before still waits. A
 * fault here costs only that: the hook's answer goes on.
 */
async function settleApprovals(
  approvals: ApprovalsService,
  request: HookRequest,
  { bus, agent, logger }: { bus: Bus; agent: AgentName; logger: Logger },
): Promise<void> {
  const sign =
    request.event === 'post-tool' && request.toolName !== undefined
      ? { ran: { tool: request.toolName, ...(request.toolInput !== undefined && { input: request.toolInput }) } }
      : request.event === 'stop' || request.event === 'prompt-submit'
        ? { turnEnded: { before: Date.now() } }
        : undefined;
  if (!sign) return;
  await approvals
    .answeredInClient(bus, agent, sign)
    .catch((error: unknown) =>
      logger.warn(`approvals: could not settle the requests answered in the client: ${describeError(error)}`),
    );
}
