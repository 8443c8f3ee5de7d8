import { Option, type Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../../config/load.js';
import { createRuntime } from '../../runtime.js';
import { describeError, isCc2ccError } from '../../kernel/errors.js';
import { createStderrLogger, type Logger } from '../../kernel/logger.js';
import { assertAgentName, type AgentName } from '../../kernel/names.js';
import { ChannelSink, type ChannelNotification } from '../../sinks/channel-sink.js';
import { freeAgentName } from '../../mcp/agent-name.js';
import { clientSessionId, rememberName, rememberedName } from '../../mcp/session-name.js';
import { AgentDelivery, DELIVERY_MODES, type DeliveryMode } from '../../mcp/delivery.js';
import { startHookEndpoint, type SessionHooks } from '../../mcp/session-hooks.js';
import { exitWhenClientGone } from '../../mcp/lifecycle.js';
import { selfWake } from '../../mcp/self-wake.js';
import { channelPusher, connectStdio, createAgentServer } from '../../mcp/server.js';
import { DeliveryLedger } from '../../hooks/ledger.js';
import { ledgerPath } from '../../hooks/session-files.js';
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

/** Config → runtime → attach (inbox, presence) → MCP over stdio; pushes wait for `initialized`. */
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
  // Receipts and liveness go out through the bus, which exists once the agent is attached.
  let hooks: SessionHooks | undefined;
  // Messages a hook showed while no server ran are acked as soon as the inbox opens: their receipts wait here.
  const seenEarly: Array<Parameters<SessionHooks['seen']>> = [];
  const delivery = new AgentDelivery({
    mode,
    channel,
    logger,
    onSeen: (envelope, via) => (hooks ? hooks.seen(envelope, via) : seenEarly.push([envelope, via])),
    onLiveness: (liveness, why) => hooks?.liveness(liveness, why),
  });
  const { runtime, agent } = await attachAgent(config, delivery, logger);
  hooks = await startHookEndpoint({ config, agent, bus: runtime.bus, delivery, logger });
  for (const [envelope, via] of seenEarly.splice(0)) hooks.seen(envelope, via);

  const server = createAgentServer({ agent, bus: runtime.bus, delivery, pluginTools: runtime.extensions.tools, rootDir: config.rootDir });
  push = channelPusher(server);
  exitWhenClientGone(
    async () => {
      channel.close();
      await hooks?.close();
      await runtime.close();
      await server.close();
    },
    { logger },
  );
  server.server.oninitialized = () => {
    // pull: nothing is pushed, not even the wake-up.
    if (mode === 'pull') return;
    selfWake(runtime.bus, agent, hooks?.wake.token)
      .catch((error: unknown) => {
        logger.warn(`self-wake skipped: ${describeError(error)}`);
        return undefined;
      })
      .then((wake) => channel.start(wake))
      .then(() => hooks?.wakePushed())
      .catch((error: unknown) => logger.warn(`self-wake push failed: ${describeError(error)}`));
  };
  await connectStdio(server);
  logger.info(`serving as ${agent} (delivery: ${mode}) for ${config.projectDir}`);
}

async function attachAgent(config: LoadedConfig, delivery: AgentDelivery, logger: Logger): Promise<{ runtime: Cc2cc; agent: AgentName }> {
  const session = config.name === undefined ? clientSessionId() : undefined;
  for (let attempt = 1; ; attempt++) {
    const runtime = await createRuntime(config, { sink: delivery, logger });
    let agent: AgentName | undefined;
    try {
      // A resumed session takes its name back; if that is held right now, it gets a new one.
      const before = session && attempt === 1 ? await rememberedName(runtime.bus.state, session, logger) : undefined;
      agent = config.name ?? before ?? (await freeAgentName(runtime.bus));
      // Before the inbox opens: the first message offered is checked against it.
      delivery.bindLedger(await DeliveryLedger.load(ledgerPath(config.rootDir, agent)));
      await runtime.bus.attach(agent, { delivery: delivery.mode });
      if (session) await rememberName(runtime.bus.state, session, agent, logger);
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
