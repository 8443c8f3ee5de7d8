import { optionalService } from '../../kernel/services.js';
import '../../kernel/di.js'; // the Reflect metadata polyfill, before any decorated class
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config/load.js';
import { Cc2ccError, describeError } from '../../kernel/errors.js';
import { createStderrLogger } from '../../kernel/logger.js';
import { assertAgentName, type AgentName } from '../../kernel/names.js';
import { ChannelSink, type ChannelNotification } from '../../sinks/channel-sink.js';
import { pickFreeName } from '../../mcp/agent-name.js';
import { attachAgent, type AttachedAgent } from '../../mcp/attach-agent.js';
import { busUnreachable, MAX_REATTACH_WAIT_MS, unreachableLine, unreachableWake } from '../../mcp/bus-unreachable.js';
import { AgentDelivery, type DeliveryMode } from '../../mcp/delivery.js';
import { startHookEndpoint, type SessionHooks } from '../../mcp/session-hooks.js';
import { exitWhenClientGone } from '../../mcp/lifecycle.js';
import { retireIfUnused, startRetirementSweep } from '../../mcp/retirement.js';
import { selfWake } from '../../mcp/self-wake.js';
import { channelPusher, connectStdio, createAgentServer } from '../../mcp/server.js';
import { registerPluginTools } from '../../mcp/tools.js';
import type { GlobalOptions } from '../context.js';
import { assertSharedTransport } from '../shared-transport.js';
import { APPROVALS } from '../../kernel/tokens.js';
import type { ApprovalsService } from '../../kernel/approvals-service.js';

export interface ServeOptions extends GlobalOptions {
  name?: string;
  delivery?: DeliveryMode;
}

/**
 * Config → runtime → attach (inbox, presence) → MCP over stdio; pushes wait for `initialized`.
 * A bus that cannot be reached at start (Redis down) does not stop the server: it connects
 * to its client, tells the agent, and attaches in the background once the bus answers.
 */
export async function serve(options: ServeOptions): Promise<void> {
  // An empty CC2CC_NAME means "not set".
  const name = options.name === undefined || options.name === '' ? undefined : assertAgentName(options.name, '--name');
  const config = await loadConfig({
    ...(options.config && { configPath: options.config }),
    overrides: { name, delivery: options.delivery },
  });
  const logger = createStderrLogger(config.logLevel);
  const mode = config.delivery;

  // The sink exists before the server it pushes through: pushes wait for start() anyway.
  let push = (_notification: ChannelNotification): Promise<void> =>
    Promise.reject(new Error('the MCP server is not connected yet'));
  const channel = new ChannelSink((notification) => push(notification), { maxTextChars: config.maxPushChars });
  // Receipts and liveness go out through the bus, which exists once the agent is attached.
  let hooks: SessionHooks | undefined;
  // Messages a hook showed while no server ran are acked as soon as the inbox opens: their receipts wait here.
  const seenEarly: Array<Parameters<SessionHooks['seen']>> = [];
  const delivery = new AgentDelivery({
    mode,
    channel,
    logger,
    limits: { maxMessages: config.maxUnread, maxBytes: config.maxUnreadBytes },
    onSeen: (envelope, via) => (hooks ? hooks.seen(envelope, via) : seenEarly.push([envelope, via])),
    onLiveness: (liveness, why) => hooks?.liveness(liveness, why),
  });

  let attached: AttachedAgent | undefined;
  let agent: AgentName;
  let unreachable: Cc2ccError | undefined;
  try {
    attached = await attachAgent(config, delivery, logger);
    agent = attached.agent;
    await refuseUnshared(attached);
  } catch (error) {
    if (!busUnreachable(error)) throw error;
    unreachable = error;
    // Nobody can be asked which names are taken: the inbox lock still refuses a name in use.
    agent = config.name ?? pickFreeName(new Set());
    logger.warn(
      `the message bus is unreachable: ${describeError(error)}; serving as ${agent} anyway and ` +
        `attaching once it answers`,
    );
  }
  // A name made up here (generated, derived, or picked while the bus was unreachable) may be retired unused.
  const session = {
    madeUpName: config.name === undefined || attached?.origin === 'derived',
    usedTools: false,
  };
  let stopSweep = (): void => {};
  /** Once attached: the hook endpoint and the retirement sweep. */
  const started = async ({ runtime }: AttachedAgent): Promise<void> => {
    hooks = await startHookEndpoint({
      config,
      agent,
      bus: runtime.bus,
      delivery,
      logger,
      approvals: optionalService<ApprovalsService>(runtime.container, APPROVALS),
      schemes: runtime.extensions,
    });
    for (const [envelope, via] of seenEarly.splice(0)) hooks.seen(envelope, via);
    stopSweep = startRetirementSweep(runtime.bus, logger);
  };
  if (attached) await started(attached);

  const scope = {
    get bus() {
      if (attached) return attached.runtime.bus;
      throw new Cc2ccError('TRANSPORT_UNAVAILABLE', `nothing was done: ${unreachableLine(unreachable)}`);
    },
    delivery,
    rootDir: config.rootDir,
    status: () => (attached ? undefined : `cc2cc: ${unreachableLine(unreachable)}`),
    onToolCall: () => (session.usedTools = true),
  };
  const server = createAgentServer(
    Object.assign(scope, {
      agent,
      pluginTools: attached?.runtime.extensions.tools ?? new Map(),
      addressForms: attached?.runtime.extensions.addressForms() ?? [],
      ...(attached && { pluginMcp: attached.runtime.extensions }),
      logger,
    }),
  );
  push = channelPusher(server);
  let stopped = false;
  exitWhenClientGone(
    async () => {
      stopped = true;
      stopSweep();
      delivery.close();
      await hooks?.close();
      if (attached) await retireIfUnused(attached.runtime.bus, session, logger);
      await attached?.runtime.close();
      await server.close();
    },
    { logger },
  );
  server.server.oninitialized = () => {
    // pull: nothing is pushed, not even the wake-up.
    if (mode === 'pull') return;
    const wake = attached
      ? selfWake(attached.runtime.bus, agent, attached.held, hooks?.wake.token)
      : Promise.resolve(unreachableWake(agent, unreachable));
    wake
      .catch((error: unknown) => {
        logger.warn(`self-wake skipped: ${describeError(error)}`);
        return undefined;
      })
      .then((first) => channel.start(first))
      .then(() => hooks?.wakePushed())
      .catch((error: unknown) => logger.warn(`self-wake push failed: ${describeError(error)}`));
  };
  await connectStdio(server);
  logger.info(`serving as ${agent} (delivery: ${mode}) for ${config.projectDir}`);
  if (!attached) void attachWhenBusAnswers();

  /** In the background: attach as soon as the bus answers, then tell the agent. */
  async function attachWhenBusAnswers(): Promise<void> {
    for (let waitMs = 1000; !stopped && !attached; waitMs = Math.min(waitMs * 2, MAX_REATTACH_WAIT_MS)) {
      await sleep(waitMs);
      if (stopped) return;
      try {
        attached = await attachAgent({ ...config, name: agent }, delivery, logger);
      } catch (error) {
        if (!busUnreachable(error)) {
          logger.error(`cannot attach as ${agent}: ${describeError(error)}`);
          unreachable = new Cc2ccError('TRANSPORT_UNAVAILABLE', describeError(error), {}, { cause: error });
          if (mode !== 'pull') await channel.send(unreachableWake(agent, unreachable)).catch(() => {});
          return;
        }
        unreachable = error;
      }
    }
    if (!attached) return;
    if (stopped) return void (await attached.runtime.close());
    await started(attached);
    registerPluginTools(server, scope, attached.runtime.extensions.tools);
    logger.info(`the message bus answers again: attached as ${agent}`);
    if (mode === 'pull') return;
    const back = await selfWake(attached.runtime.bus, agent).catch(() => undefined);
    const content =
      `cc2cc: the message bus is reachable again; send and check_inbox work. ` +
      `${back ? back.content.replace(/^cc2cc: /, '') : ''}`.trim();
    await channel
      .send({ content, meta: { ...back?.meta, kind: 'system', to: agent } })
      .catch((error: unknown) => logger.warn(`could not tell the agent: ${describeError(error)}`));
  }
}

/** Before the MCP connection: a process-local transport is no bus (the agent would talk to itself). */
async function refuseUnshared(attached: AttachedAgent): Promise<void> {
  try {
    assertSharedTransport(attached.runtime.bus.transport);
  } catch (error) {
    await attached.runtime.close();
    throw error;
  }
}
