import { z } from 'zod';
import { allAgentState } from '../kernel/agent-state.js';
import { Cc2ccError, describeError } from '../kernel/errors.js';
import { MESSAGE_KINDS, type Envelope } from '../kernel/envelope.js';
import { parseAddress } from '../kernel/names.js';
import { plural, type AgentDelivery } from './delivery.js';
import { describeStatus, messageStatus } from './message-status.js';
import { RECEIPT_META_KEY, RECEIPT_SEEN } from './receipts.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Bus, RecipientResult, SendResult } from '../kernel/bus.js';
import type { Extensions } from '../kernel/extensions.js';
import type { ToolResult } from '../kernel/tool.js';

export const CORE_TOOLS = ['send', 'reply', 'check_inbox', 'list_agents', 'status'] as const;

export interface ToolScope {
  bus: Bus;
  delivery: AgentDelivery;
  /** The bus root: recipients' delivery ledgers live under it (for `status`). */
  rootDir: string;
}

const CHECK_INBOX_DEFAULT = 20;

/** The core tools, then every tool an enabled plugin added. */
export function registerTools(server: McpServer, scope: ToolScope, pluginTools: Extensions['tools']): void {
  registerCoreTools(server, scope);
  registerStatusTool(server, scope);
  for (const [name, { plugin, tool }] of pluginTools) {
    if ((CORE_TOOLS as readonly string[]).includes(name)) {
      throw new Cc2ccError('PLUGIN_INVALID', `plugin "${plugin}": tool "${name}" has the name of a core cc2cc tool; give it another name`, { plugin });
    }
    server.registerTool(name, { description: tool.description, inputSchema: tool.input }, (args: Record<string, unknown>, extra: { signal: AbortSignal }) =>
      answer(scope, () => tool.run(args, { bus: scope.bus, signal: extra.signal })),
    );
  }
}

function registerCoreTools(server: McpServer, scope: ToolScope): void {
  const { bus, delivery } = scope;

  server.registerTool(
    'send',
    {
      description: 'Send a message to an agent (by name), a room (room:NAME), a topic (topic:a.b) or everyone (*). Returns a status per recipient.',
      inputSchema: {
        to: z.string().min(1).describe('agent name such as "calm-owl", "room:NAME", "topic:a.b", or "*"'),
        text: z.string().describe('what the recipient reads'),
        data: z.unknown().optional().describe('optional structured payload (any JSON value)'),
        kind: z.enum(MESSAGE_KINDS).optional().describe('message (default), request (expects a reply), reply, or event (needs no reply)'),
        expires_in_s: z.number().positive().optional().describe('not delivered after this many seconds; you get an "expired" notice instead'),
        receipt: z.boolean().optional().describe('true: you get one event when each recipient has seen it'),
      },
    },
    ({ to, text, data, kind, expires_in_s, receipt }) =>
      answer(scope, async () => {
        parseAddress(to); // names the address and agent-name rules, where the envelope check says less
        return describeSend(
          await bus.send({
            to,
            text,
            ...(data !== undefined && { data }),
            ...(kind !== undefined && { kind }),
            ...(expires_in_s !== undefined && { expiresInS: expires_in_s }),
            ...(receipt === true && { meta: { [RECEIPT_META_KEY]: RECEIPT_SEEN } }),
          }),
        );
      }),
  );

  server.registerTool(
    'reply',
    {
      description: 'Answer a message you received, by its id (the id attribute of a <channel> message, or from check_inbox). Goes to its sender (or its reply_to).',
      inputSchema: {
        id: z.string().min(1).describe('id of the message you answer'),
        text: z.string().describe('your answer'),
      },
    },
    ({ id, text }) =>
      answer(scope, async () => {
        const result = await bus.reply(id, text);
        await delivery.markRead(id);
        return describeSend(result, `reply to ${id}`);
      }),
  );

  server.registerTool(
    'check_inbox',
    {
      description: 'Read the messages waiting for you, oldest first. Each is returned once.',
      inputSchema: {
        limit: z.number().int().positive().max(100).optional().describe(`most messages to return (default ${CHECK_INBOX_DEFAULT})`),
      },
    },
    ({ limit }) =>
      answer(scope, async () => {
        if (delivery.mode === 'push') {
          return { text: 'Nothing kept here: in push delivery, every message arrives as a <channel> message.' };
        }
        const messages = await delivery.read(limit ?? CHECK_INBOX_DEFAULT);
        if (messages.length === 0) return { text: 'No messages waiting.' };
        const left = delivery.waiting;
        const more = left > 0 ? `\n${plural(left, 'more message')} waiting: call check_inbox again.` : '';
        return { text: `${plural(messages.length, 'message')}, oldest first:\n\n${messages.map(formatMessage).join('\n\n')}${more}` };
      }),
  );

  server.registerTool(
    'list_agents',
    { description: 'List the agents of this project with their state (online, offline, stale).', inputSchema: {} },
    () =>
      answer(scope, async () => {
        const [agents, kept] = await Promise.all([bus.agents(), allAgentState(bus.state)]);
        if (agents.length === 0) return { text: 'No agents known yet.' };
        const width = Math.max(...agents.map((agent) => agent.name.length));
        const lines = agents.map((agent) => {
          // What the agent says about itself (presence), then what the bus keeps for its name (rooms, topics).
          const data = { ...agent.presence?.data, ...kept.get(agent.name) };
          const extras = Object.entries(data).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
          if (agent.name === bus.name) extras.unshift('(you)');
          return `${agent.name.padEnd(width)}  ${agent.state.padEnd(7)}  ${extras.join(' ')}`.trimEnd();
        });
        return { text: lines.join('\n') };
      }),
  );
}

/** After the core four: what became of a sent message. */
function registerStatusTool(server: McpServer, scope: ToolScope): void {
  server.registerTool(
    'status',
    {
      description: 'What became of a message you sent, per recipient: queued, claimed, pushed, seen, done, or dead with the reason.',
      inputSchema: { id: z.string().min(1).describe('the id a send result gave') },
    },
    ({ id }) => answer(scope, async () => ({ text: describeStatus(id, await messageStatus(scope.bus, scope.rootDir, id)) })),
  );
}

/**
 * Runs a tool: a thrown error (bad input the kernel caught, a Cc2ccError) becomes a tool
 * error with its reason, and the server keeps serving. Every result ends with the
 * delivery note when messages wait that the agent has not been shown through a tool.
 */
async function answer(scope: ToolScope, run: () => Promise<ToolResult> | ToolResult): Promise<CallToolResult> {
  let result: ToolResult;
  try {
    result = await run();
  } catch (error) {
    result = { text: describeError(error), isError: true };
  }
  const note = scope.delivery.note();
  const text = note ? `${result.text}\n\n${note}` : result.text;
  return { content: [{ type: 'text', text }], ...(result.isError && { isError: true }) };
}

function describeSend(result: SendResult, what = `message ${result.id} to ${result.to}`): ToolResult {
  if (result.refused) return { text: `${what} not sent: refused by ${result.refused}`, isError: true };
  const lines = result.results.map((entry) => `  ${entry.agent}: ${statusText(entry)}`);
  const allRefused = result.results.length > 0 && result.results.every((entry) => entry.status === 'refused');
  return { text: `${what} (id ${result.id}):\n${lines.join('\n')}`, ...(allRefused && { isError: true }) };
}

function statusText(entry: RecipientResult): string {
  return entry.status === 'refused' ? `refused: ${entry.reason ?? 'no reason given'}` : entry.status;
}

function formatMessage(envelope: Envelope): string {
  const fields = [`id=${envelope.id}`, `from=${envelope.from}`, `to=${envelope.to}`, `kind=${envelope.kind}`, `ts=${envelope.ts}`];
  if (envelope.correlationId) fields.push(`correlation_id=${envelope.correlationId}`);
  if (envelope.replyTo) fields.push(`reply_to=${envelope.replyTo}`);
  const data = envelope.data === undefined ? '' : `\ndata: ${JSON.stringify(envelope.data)}`;
  return `[${fields.join(' ')}]\n${envelope.text}${data}`;
}
