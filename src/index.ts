/** cc2cc as a library: the kernel, the built-in transports and sinks, config helpers. */
import 'reflect-metadata';

export { Bus, type SendResult, type SendDraft, type RecipientResult, type DeliveryStatus, type RequestOptions, type Requests } from './kernel/bus.js';
export { compose, type Cc2cc, type ComposeOptions } from './kernel/compose.js';
export { Cc2ccError, ERROR_CODES, isCc2ccError, describeError, type ErrorCode } from './kernel/errors.js';
export {
  EnvelopeSchema,
  assertWithinSize,
  isExpired,
  prepareForPut,
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  validateEnvelope,
  withChanges,
  MESSAGE_KINDS,
  WIRE_VERSION,
  DEFAULT_MAX_BYTES,
  type Envelope,
  type Draft,
  type MessageKind,
} from './kernel/envelope.js';
export { newId, isUlid } from './kernel/ids.js';
export { processAlive } from './kernel/process-alive.js';
export { assertAgentName, isAgentName, parseAddress, formatAddress, AGENT_NAME_RULE, type AgentName, type Address } from './kernel/names.js';
export { assertTopic, assertTopicPattern, topicMatches, TOPIC_RULE, PATTERN_RULE } from './kernel/patterns.js';
export { definePlugin, type Plugin, type PluginContext } from './kernel/plugin.js';
export { pass, drop, type EnvelopeHook, type HookResult, type HookContext, type Drop } from './kernel/hooks.js';
export type { Router, Recipient, Directory, SchemeResolver, SchemeContext } from './kernel/router.js';
export type { Sink, Settle } from './kernel/sink.js';
export type { Transport, Delivery, DeliveryHandler, Inbox, InboxStats, DeadLetter, TrafficEvent, TrafficState, ObserveOptions } from './kernel/transport.js';
export type { ToolDefinition, ToolContext, ToolResult, CommandDefinition, CommandContext } from './kernel/tool.js';
export type { ClientLink, ClientNotificationHandler } from './kernel/client-link.js';
export type { ApprovalsService, ApprovalView, ClientAnswerSign } from './kernel/approvals-service.js';
export { PresenceSchema, checkPresenceRecord, type PresenceRecord, type AgentInfo, type AgentState } from './kernel/presence.js';
export type { KernelConfig } from './kernel/options.js';
export { RoutingRouter, addressMatches, type RouteRule } from './kernel/routes.js';
export type { Clock } from './kernel/clock.js';
export {
  assertStateKey,
  assertStatePrefix,
  checkTtl,
  encodeStateValue,
  isStateKey,
  MAX_STATE_VALUE_BYTES,
  STATE_KEY_RULE,
  type State,
  type StateEntry,
  type StateSetOptions,
  type StateSetResult,
  type StateValue,
} from './kernel/state.js';
export { updateState, SKIP, type UpdateOptions } from './kernel/state-update.js';
export { MemoryState } from './kernel/memory-state.js';
export { agentStateKey, agentParts, allAgentState, forgetAgentState, AGENT_PREFIX, SESSION_PREFIX } from './kernel/agent-state.js';
export { createStderrLogger, silentLogger, type Logger } from './kernel/logger.js';
export * as tokens from './kernel/tokens.js';
export type { EditGuard } from './kernel/edit-guard.js';
export { sessionAgentName } from './hooks/session-agent.js';

export { defineConfig, type Cc2ccConfig, type TransportFactory, type TransportFactoryContext } from './config/schema.js';
export { loadConfig, resolveConfig, type LoadedConfig } from './config/load.js';
export { createRuntime, type RuntimeOptions } from './runtime.js';
export { createTransport, registerTransport } from './transports/registry.js';
export { MemoryTransport, MemorySpace } from './transports/memory/memory-transport.js';
export { FsTransport, createFsTransport } from './transports/fs/index.js';
export { QueueSink } from './sinks/queue-sink.js';
export { ConsoleSink } from './sinks/console-sink.js';
export { formatMessageFrame, formatMessageFrames, messageRecord, MessageRecordSchema, WHOLE_TEXT, type MessageRecord } from './sinks/message-frame.js';
