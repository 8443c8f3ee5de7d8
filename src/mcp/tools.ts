import { z } from 'zod';
import { allAgentState } from '../kernel/agent-state.js';
import { Cc2ccError, describeError } from '../kernel/errors.js';
import { MESSAGE_KINDS, type Envelope } from '../kernel/envelope.js';
import {
  formatMessageFrame,
  formatMessageFrames,
  messageRecord,
  MessageRecordSchema,
  WHOLE_TEXT,
} from '../sinks/message-frame.js';
import { escapeChannelText } from '../sinks/frame-escape.js';
import { parseAddress } from '../kernel/names.js';
import { plural, type AgentDelivery } from './delivery.js';
import { HELD_NAME_KEY, type HeldName } from './held-name.js';
import { MADE_UP_NAME_KEY } from '../kernel/presence.js';
import { describeStatus, messageStatus } from './message-status.js';
import { RECEIPT_META_KEY, RECEIPT_SEEN } from './receipts.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { addressExamples, addressPhrase } from './address-forms.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Bus } from '../kernel/bus.js';
import type { RecipientResult, SendResult } from '../kernel/send-result.js';
import type { Extensions } from '../kernel/extensions.js';
import type { ToolResult } from '../kernel/tool.js';

export const CORE_TOOLS = ['send', 'reply', 'check_inbox', 'list_agents', 'status'] as const;

export interface ToolScope {
  /** Read at each call: a server that started while its bus was unreachable has none yet (the getter throws why). */
  readonly bus: Bus;
  delivery: AgentDelivery;
  /** Optional: a line that ends every tool result while it returns one (e.g. "the message bus is unreachable"). */
  status?: () => string | undefined;
  /** Optional: told of every tool call (a session that made none leaves no agent behind). */
  onToolCall?: () => void;
  /** The bus root: recipients' delivery ledgers live under it (for `status`). */
  rootDir: string;
  /** How the enabled plugins' group addresses are written (`a room (room:NAME)`); none without such plugins. */
  addressForms?: readonly string[];
}

const CHECK_INBOX_DEFAULT = 20;
/**
 * What one check_inbox answer carries at most, in serialized envelopes (at least one message
 * always goes out). The answer holds each message twice (framed text and structuredContent):
 * 2 MiB keeps it well under the 10 MiB a stdio message may have in the MCP SDK's reader, so a
 * backlog of large messages arrives over several calls instead of breaking the connection.
 */
export const CHECK_INBOX_MAX_BYTES = 2 * 1024 * 1024;

/** The core tools, then every tool an enabled plugin added. */
export function registerTools(server: McpServer, scope: ToolScope, pluginTools: Extensions['tools']): void {
  registerCoreTools(server, scope);
  registerStatusTool(server, scope);
  registerPluginTools(server, scope, pluginTools);
}

/** The tools of enabled plugins; on a connected server the client is told that the list changed. */
export function registerPluginTools(server: McpServer, scope: ToolScope, pluginTools: Extensions['tools']): void {
  for (const [name, { plugin, tool }] of pluginTools) {
    if ((CORE_TOOLS as readonly string[]).includes(name)) {
      throw new Cc2ccError(
        'PLUGIN_INVALID',
        `plugin "${plugin}": tool "${name}" has the name of a core cc2cc tool; give it another name`,
        { plugin },
      );
    }
    server.registerTool(
      name,
      { description: tool.description, inputSchema: tool.input, ...(tool.output && { outputSchema: tool.output }) },
      (args: Record<string, unknown>, extra: { signal: AbortSignal }) =>
        answer(scope, () => tool.run(args, { bus: scope.bus, signal: extra.signal, frame: wholeFrame })),
    );
  }
}

/** Plugin tools frame messages as check_inbox does: the push's frame, text whole. */
const wholeFrame = (envelope: Envelope): string => formatMessageFrame(envelope, WHOLE_TEXT);

function registerCoreTools(server: McpServer, scope: ToolScope): void {
  const { delivery } = scope;

  server.registerTool(
    'send',
    {
      description: `Send a message to ${addressPhrase(scope.addressForms ?? [])}. Returns a status per recipient.`,
      inputSchema: {
        to: z
          .string()
          .min(1)
          .describe(addressExamples(scope.addressForms ?? [])),
        text: z.string().describe('what the recipient reads'),
        data: z.unknown().optional().describe('optional structured payload (any JSON value)'),
        kind: z
          .enum(MESSAGE_KINDS)
          .optional()
          .describe('message (default), request (expects a reply), reply, or event (needs no reply)'),
        expires_in_s: z
          .number()
          .positive()
          .optional()
          .describe('not delivered after this many seconds; you get an "expired" notice instead'),
        receipt: z.boolean().optional().describe('true: you get one event when each recipient has seen it'),
      },
    },
    ({ to, text, data, kind, expires_in_s, receipt }) =>
      answer(scope, async () => {
        parseAddress(to); // names the address and agent-name rules, where the envelope check says less
        return describeSend(
          await scope.bus.send({
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
      description:
        'Answer a message you received, by its id (the id attribute of a <channel> message, or ' +
        'from check_inbox). Goes to its sender (or its reply_to).',
      inputSchema: {
        id: z.string().min(1).describe('id of the message you answer'),
        text: z.string().describe('your answer'),
      },
    },
    ({ id, text }) =>
      answer(scope, async () => {
        const result = await scope.bus.reply(id, text);
        await delivery.markRead(id);
        return describeSend(result, `reply to ${id}`);
      }),
  );

  server.registerTool(
    'check_inbox',
    {
      description: 'Read the messages waiting for you, oldest first. Each is returned once.',
      inputSchema: {
        limit: z
          .number()
          .int()
          .positive()
          .max(100)
          .optional()
          .describe(`most messages to return (default ${CHECK_INBOX_DEFAULT})`),
      },
      outputSchema: {
        messages: z
          .array(MessageRecordSchema)
          .describe('the messages returned, oldest first; text whole and unescaped'),
        waiting: z.number().int().describe('messages still waiting after these'),
      },
    },
    ({ limit }) =>
      answer(scope, async () => {
        if (delivery.mode === 'push') {
          return {
            text: 'Nothing kept here: in push delivery, every message arrives as a <channel> message.',
            structured: { messages: [], waiting: 0 },
          };
        }
        const messages = await delivery.read(limit ?? CHECK_INBOX_DEFAULT, CHECK_INBOX_MAX_BYTES);
        const left = delivery.waiting;
        const structured = { messages: messages.map(messageRecord), waiting: left };
        if (messages.length === 0) return { text: 'No messages waiting.', structured };
        return { text: inboxText(messages, left), structured };
      }),
  );

  server.registerTool(
    'list_agents',
    { description: 'List the agents of this project with their state (online, offline, stale).', inputSchema: {} },
    () =>
      answer(scope, async () => {
        const bus = scope.bus;
        const [agents, kept] = await Promise.all([bus.agents(), allAgentState(bus.state)]);
        if (agents.length === 0) return { text: 'No agents known yet.' };
        const width = Math.max(...agents.map((agent) => agent.name.length));
        const lines = agents.map((agent) => {
          // What the agent says about itself (presence), then what the bus keeps for its name (rooms, topics).
          // Presence data is written by each agent (or planted): escaped like message text, so it cannot forge a frame.
          const data = { ...agent.presence?.data, ...kept.get(agent.name) };
          // madeUpName is the kernel's bookkeeping (retirement), not something to read.
          const extras = Object.entries(data)
            .filter(([key]) => key !== MADE_UP_NAME_KEY)
            .map(([key, value]) =>
              escapeChannelText(
                `${key}=${JSON.stringify(key === HELD_NAME_KEY ? (value as Partial<HeldName>).name : value)}`,
              ),
            );
          if (agent.name === bus.name) extras.unshift('(you)');
          return `${agent.name.padEnd(width)}  ${agent.state.padEnd(7)}  ${extras.join(' ')}`.trimEnd();
        });
        const held = bus.presenceData(HELD_NAME_KEY) as Partial<HeldName> | undefined;
        if (held?.note) lines.unshift(`${held.note}.`, '');
        return { text: lines.join('\n') };
      }),
  );
}

/** After the core four: what became of a sent message. */
function registerStatusTool(server: McpServer, scope: ToolScope): void {
  server.registerTool(
    'status',
    {
      description:
        'What became of a message you sent, per recipient: queued, claimed, pushed, seen, done, ' +
        'or dead with the reason.',
      inputSchema: { id: z.string().min(1).describe('the id a send result gave') },
    },
    ({ id }) =>
      answer(scope, async () => ({ text: describeStatus(id, await messageStatus(scope.bus, scope.rootDir, id)) })),
  );
}

/**
 * Runs a tool: a thrown error (bad input the kernel caught, a Cc2ccError) becomes a tool
 * error with its reason, and the server keeps serving. Every result ends with the
 * delivery note when messages wait that the agent has not been shown through a tool.
 */
async function answer(scope: ToolScope, run: () => Promise<ToolResult> | ToolResult): Promise<CallToolResult> {
  scope.onToolCall?.();
  let result: ToolResult;
  try {
    result = await run();
  } catch (error) {
    result = { text: describeError(error), isError: true };
  }
  const notes = [scope.delivery.note(), scope.status?.()].filter((line) => line !== undefined);
  const text = [result.text, ...notes].join('\n\n');
  return {
    content: [{ type: 'text', text }],
    ...(result.structured && { structuredContent: result.structured }),
    ...(result.isError && { isError: true }),
  };
}

function describeSend(result: SendResult, what = `message ${result.id} to ${result.to}`): ToolResult {
  if (result.refused) return { text: `${what} not sent: refused by ${result.refused}`, isError: true };
  const lines = result.results.map((entry) => `  ${entry.agent}: ${statusText(entry)}`);
  const allRefused =
    result.results.length > 0 &&
    result.results.every((entry) => entry.status === 'refused' || entry.status === 'unknown');
  return { text: `${what} (id ${result.id}):\n${lines.join('\n')}`, ...(allRefused && { isError: true }) };
}

function statusText(entry: RecipientResult): string {
  if (entry.status === 'refused' || entry.status === 'unknown')
    return `${entry.status}: ${entry.reason ?? 'no reason given'}`;
  return entry.status;
}

/**
 * check_inbox's text: the push's frame and escaping, the text whole, so no text can add a message
 * or change a sender.
 */
export function inboxText(messages: readonly Envelope[], waiting: number): string {
  const more = waiting > 0 ? `\n\n${plural(waiting, 'more message')} waiting: call check_inbox again.` : '';
  return `${plural(messages.length, 'message')}, oldest first:\n\n${formatMessageFrames(messages, WHOLE_TEXT)}${more}`;
}
