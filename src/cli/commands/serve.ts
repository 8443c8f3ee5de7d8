import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../../config/load.js';
import { createRuntime } from '../../runtime.js';
import { Cc2ccError, describeError, isCc2ccError } from '../../kernel/errors.js';
import { createStderrLogger, type Logger } from '../../kernel/logger.js';
import { assertAgentName, type AgentName } from '../../kernel/names.js';
import { ChannelSink, type ChannelNotification } from '../../sinks/channel-sink.js';
import { freeAgentName, pickFreeName } from '../../mcp/agent-name.js';
import { AgentDelivery, DELIVERY_MODES, type DeliveryMode } from '../../mcp/delivery.js';
import { exitWhenClientGone } from '../../mcp/lifecycle.js';
import { selfWake } from '../../mcp/self-wake.js';
import { channelPusher, connectStdio, createAgentServer } from '../../mcp/server.js';
import { registerPluginTools } from '../../mcp/tools.js';
import type { Cc2cc } from '../../kernel/compose.js';
import type { GlobalOptions } from '../context.js';

interface ServeOptions extends GlobalOptions {
  name?: string;
  delivery?: DeliveryMode;
}

/** Two servers that make up the same name at the same moment: the loser picks again. */
const NAME_ATTEMPTS = 3;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run one agent\'s MCP server over stdio (Claude Code starts it): tools, inbox, channel push')
    .addOption(new Option('--name <name>', 'agent name (default: "name" in the config, else a free adjective-animal name)').env('CC2CC_NAME'))
    .addOption(new Option('--delivery <mode>', 'how messages reach the agent (default: the config, else auto)').choices(DELIVERY_MODES))
    .addHelpText(
      'after',
      '\nClaude Code starts it from .mcp.json; you rarely run it by hand. Logs go to stderr: stdout carries the protocol.\n\nExamples:\n  .mcp.json: { "mcpServers": { "cc2cc": { "command": "npx", "args": ["cc2cc", "serve"] } } }\n  $ CC2CC_NAME=backend claude --dangerously-load-development-channels server:cc2cc\n  $ cc2cc serve --name backend --delivery pull',
    )
    .action(async (options: ServeOptions, command: Command) => {
      await serve({ ...command.optsWithGlobals<GlobalOptions>(), ...options });
    });
}

/**
 * Config → runtime → attach (inbox, presence) → MCP over stdio; pushes wait for `initialized`.
 * A bus that cannot be reached at start (Redis down) does not stop the server: it connects
 * to its client, tells the agent, and attaches in the background once the bus answers.
 */
async function serve(options: ServeOptions): Promise<void> {
  // An empty CC2CC_NAME means "not set".
  const name = options.name === undefined || options.name === '' ? undefined : assertAgentName(options.name, '--name');
  const config = await loadConfig({
    ...(options.config && { configPath: options.config }),
    overrides: { name, delivery: options.delivery },
  });
  const logger = createStderrLogger(config.logLevel);
  const mode = config.delivery;

  // The sink exists before the server it pushes through: pushes wait for start() anyway.
  let push = (_notification: ChannelNotification): Promise<void> => Promise.reject(new Error('the MCP server is not connected yet'));
  const channel = new ChannelSink((notification) => push(notification), { maxTextChars: config.maxPushChars });
  const delivery = new AgentDelivery(mode, channel, logger, { maxMessages: config.maxUnread, maxBytes: config.maxUnreadBytes });
  let runtime: Cc2cc | undefined;
  let agent: AgentName;
  let unreachable: Cc2ccError | undefined;
  try {
    ({ runtime, agent } = await attachAgent(config, delivery, logger));
  } catch (error) {
    if (!busUnreachable(error)) throw error;
    unreachable = error;
    // Nobody can be asked which names are taken: the inbox lock still refuses a name in use.
    agent = config.name ?? pickFreeName(new Set());
    logger.warn(`the message bus is unreachable: ${describeError(error)}; serving as ${agent} anyway and attaching once it answers`);
  }

  const scope = {
    get bus() {
      if (runtime) return runtime.bus;
      throw new Cc2ccError('TRANSPORT_UNAVAILABLE', `nothing was done: ${unreachableLine(unreachable)}`);
    },
    delivery,
    status: () => (runtime ? undefined : `cc2cc: ${unreachableLine(unreachable)}`),
  };
  const server = createAgentServer(Object.assign(scope, { agent, pluginTools: runtime?.extensions.tools ?? new Map() }));
  push = channelPusher(server);
  let stopped = false;
  exitWhenClientGone(
    async () => {
      stopped = true;
      delivery.close();
      await runtime?.close();
      await server.close();
    },
    { logger },
  );
  server.server.oninitialized = () => {
    // pull: nothing is pushed, not even the wake-up.
    if (mode === 'pull') return;
    const wake = runtime ? selfWake(runtime.bus, agent) : Promise.resolve(unreachableWake(agent, unreachable));
    wake
      .catch((error: unknown) => {
        logger.warn(`self-wake skipped: ${describeError(error)}`);
        return undefined;
      })
      .then((first) => channel.start(first))
      .catch((error: unknown) => logger.warn(`self-wake push failed: ${describeError(error)}`));
  };
  await connectStdio(server);
  logger.info(`serving as ${agent} (delivery: ${mode}) for ${config.projectDir}`);
  if (!runtime) void attachWhenBusAnswers();

  /** In the background: attach as soon as the bus answers, then tell the agent. */
  async function attachWhenBusAnswers(): Promise<void> {
    for (let waitMs = 1000; !stopped && !runtime; waitMs = Math.min(waitMs * 2, MAX_REATTACH_WAIT_MS)) {
      await sleep(waitMs);
      if (stopped) return;
      try {
        ({ runtime } = await attachAgent({ ...config, name: agent }, delivery, logger));
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
    if (!runtime) return;
    if (stopped) return void (await runtime.close());
    registerPluginTools(server, scope, runtime.extensions.tools);
    logger.info(`the message bus answers again: attached as ${agent}`);
    if (mode === 'pull') return;
    const back = await selfWake(runtime.bus, agent).catch(() => undefined);
    const content = `cc2cc: the message bus is reachable again; send and check_inbox work. ${back ? back.content.replace(/^cc2cc: /, '') : ''}`.trim();
    await channel.send({ content, meta: { ...back?.meta, kind: 'system', to: agent } }).catch((error: unknown) => logger.warn(`could not tell the agent: ${describeError(error)}`));
  }
}

/** Longest pause between two attempts to attach while the bus is unreachable. */
const MAX_REATTACH_WAIT_MS = 10_000;

/** Failures that mean "the bus is not there right now", not "this setup is wrong". */
function busUnreachable(error: unknown): error is Cc2ccError {
  return isCc2ccError(error) && (error.code === 'TRANSPORT_UNAVAILABLE' || error.code === 'REDIS_LOADING' || error.code === 'REDIS_BUSY');
}

function unreachableLine(error: Cc2ccError | undefined): string {
  return `the message bus is unreachable (${error ? describeError(error) : 'not attached yet'}); cc2cc keeps trying in the background and says so when it is back`;
}

function unreachableWake(agent: AgentName, error: Cc2ccError | undefined): ChannelNotification {
  return {
    content: `cc2cc: you are ${agent}. ${unreachableLine(error)}. Until then send, reply, list_agents and check_inbox fail; messages sent to you meanwhile wait in your inbox.`,
    meta: { kind: 'system', to: agent, bus: 'unreachable' },
  };
}

async function attachAgent(config: LoadedConfig, delivery: AgentDelivery, logger: Logger): Promise<{ runtime: Cc2cc; agent: AgentName }> {
  for (let attempt = 1; ; attempt++) {
    const runtime = await createRuntime(config, { sink: delivery, logger });
    let agent: AgentName | undefined;
    try {
      agent = config.name ?? (await freeAgentName(runtime.bus));
      await runtime.bus.attach(agent, { delivery: delivery.mode });
      return { runtime, agent };
    } catch (error) {
      // Only the transport: closing the bus would mark the agent that holds this inbox offline.
      await runtime.bus.transport.close().catch(() => {});
      const generated = config.name === undefined && agent !== undefined;
      if (!generated || !isCc2ccError(error, 'INBOX_LOCKED') || attempt >= NAME_ATTEMPTS) throw error;
      logger.info(`name ${agent} was taken a moment ago; picking another`);
    }
  }
}
