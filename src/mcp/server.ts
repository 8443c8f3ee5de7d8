import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CHANNEL_METHOD, type ChannelPush } from '../sinks/channel-sink.js';
import { packageVersion } from '../package-root.js';
import { buildInstructions } from './instructions.js';
import { lazyAjvValidator } from './lazy-ajv.js';
import { registerTools, type ToolScope } from './tools.js';
import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import type { AgentName } from '../kernel/names.js';
import type { Extensions } from '../kernel/extensions.js';
import type { Bus } from '../kernel/bus.js';
import type { Logger } from '../kernel/logger.js';
import { z } from 'zod';
import { describeError } from '../kernel/errors.js';

export interface AgentServerOptions extends ToolScope {
  agent: AgentName;
  pluginTools: Extensions['tools'];
  /** What enabled plugins add to the MCP surface beyond tools (`ctx.addCapability`, `ctx.onClientNotification`). */
  pluginMcp?: Pick<Extensions, 'capabilities' | 'clientNotifications'>;
  logger?: Logger;
}

/**
 * The SDK server of one agent: declares the Claude Code channel capability and the
 * instructions, and lists the core tools plus every tool of an enabled plugin.
 *
 * The SDK's v1 line answers a client that offers a protocol revision it does not know
 * (2026-07-28) with its latest (2025-11-25); Claude Code registers channel pushes only
 * below 2026-07-28, so moving to the v2 SDK needs a test that pushes still register.
 */
export function createAgentServer(options: AgentServerOptions): McpServer {
  const server = new McpServer(
    { name: 'cc2cc', version: packageVersion() },
    {
      capabilities: { experimental: { 'claude/channel': {}, ...pluginCapabilities(options.pluginMcp) } },
      instructions: buildInstructions(options.agent, options.delivery.mode, options.addressForms),
      jsonSchemaValidator: lazyAjvValidator(),
    },
  );
  registerTools(server, options, options.pluginTools);
  if (options.pluginMcp)
    registerClientNotifications(server, () => options.bus, options.pluginMcp.clientNotifications, options.logger);
  return server;
}

function pluginCapabilities(mcp: AgentServerOptions['pluginMcp']): Record<string, Record<string, unknown>> {
  return Object.fromEntries([...(mcp?.capabilities ?? new Map()).entries()].map(([name, { value }]) => [name, value]));
}

/**
 * Each plugin's client notification handler, with a link that notifies this client back. The bus is
 * read per call (it may attach late).
 */
function registerClientNotifications(
  server: McpServer,
  bus: () => Bus,
  handlers: Extensions['clientNotifications'],
  logger?: Logger,
): void {
  const client = {
    notify: (method: string, params: Record<string, unknown>) =>
      server.server.notification({ method, params } as unknown as ServerNotification),
  };
  for (const [method, { plugin, handle }] of handlers) {
    const schema = z.object({ method: z.literal(method), params: z.record(z.string(), z.unknown()).optional() });
    server.server.setNotificationHandler(schema, async ({ params }) => {
      try {
        await handle(params ?? {}, { bus: bus(), client });
      } catch (error) {
        logger?.warn(`plugin "${plugin}" failed on ${method}: ${describeError(error)}`);
      }
    });
  }
}

/** Channel pushes through `server`; they reject once the connection is closed. */
export function channelPusher(server: McpServer): ChannelPush {
  // The SDK types only the spec's notifications; Claude Code's channel method is an extension.
  return (notification) =>
    server.server.notification({ method: CHANNEL_METHOD, params: notification } as unknown as ServerNotification);
}

/** Serve over this process's stdin/stdout. From here on stdout carries only the protocol. */
export async function connectStdio(server: McpServer): Promise<void> {
  await server.connect(new StdioServerTransport());
}
