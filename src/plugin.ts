/**
 * The plugin API (`cc2cc/plugin`): what a plugin or a transport needs from cc2cc, and nothing
 * that reaches config loading, the transports, the MCP server or the CLI. It is a leaf: it
 * imports only the kernel, so a plugin that imports it can never pull the rest of cc2cc in
 * (test/architecture/import-graph.test.ts holds that).
 */
export { Bus, type RequestOptions, type Requests } from './kernel/bus.js';
export type { SendResult, SendDraft, RecipientResult, DeliveryStatus } from './kernel/send-result.js';
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
export {
  assertAgentName,
  isAgentName,
  parseAddress,
  formatAddress,
  AGENT_NAME_RULE,
  type AgentName,
  type Address,
} from './kernel/names.js';
export {
  assertTopic,
  assertTopicPattern,
  topicMatches,
  targetMatches,
  TOPIC_RULE,
  PATTERN_RULE,
} from './kernel/patterns.js';
export { definePlugin, type Plugin, type PluginContext } from './kernel/plugin.js';
export { pass, drop, type EnvelopeHook, type HookResult, type HookContext, type Drop } from './kernel/hooks.js';
export type {
  Router,
  Recipient,
  Directory,
  SchemeResolver,
  SchemeContext,
  SchemeHandler,
  SchemeGroup,
} from './kernel/router.js';
export type { Sink, Settle } from './kernel/sink.js';
export type {
  Transport,
  TransportScope,
  MessageTransport,
  PresenceTransport,
  InspectionTransport,
  Delivery,
  DeliveryHandler,
  Inbox,
  InboxStats,
  DeadLetter,
  TrafficEvent,
  TrafficState,
  ObserveOptions,
} from './kernel/transport.js';
export {
  needsAttention,
  type Finding,
  type Level,
  type CheckFinding,
  type CheckContext,
  type CheckRun,
} from './kernel/check.js';
export type { MonitorEvent, MonitorContext, MonitorStart } from './kernel/monitor.js';
export type { ToolDefinition, ToolContext, ToolResult, CommandDefinition, CommandContext } from './kernel/tool.js';
export type { ClientLink, ClientNotificationHandler } from './kernel/client-link.js';
export type { ApprovalsService, ApprovalView, ClientAnswerSign } from './kernel/approvals-service.js';
export {
  PresenceSchema,
  checkPresenceRecord,
  type PresenceRecord,
  type AgentInfo,
  type AgentState,
} from './kernel/presence.js';
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
export {
  agentStateKey,
  agentParts,
  allAgentState,
  forgetAgentState,
  AGENT_PREFIX,
  SESSION_PREFIX,
} from './kernel/agent-state.js';
export { createStderrLogger, silentLogger, type Logger } from './kernel/logger.js';
export * as tokens from './kernel/tokens.js';
export type { EditGuard } from './kernel/edit-guard.js';
export { MessageRecordSchema, messageRecord, type MessageRecord } from './kernel/message-record.js';
export { optionalService, type ServiceLookup } from './kernel/services.js';
export type { TransportFactory, TransportFactoryContext } from './kernel/transport-factory.js';
