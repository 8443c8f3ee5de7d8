/**
 * What the `cc2cc ui` server sends the page, and what the page may send back. Shared by
 * the server (Node) and the page (browser), so it holds (and imports) plain types only.
 *
 * The live stream is Server-Sent Events at `<base>/api/events`. On every (re)connect the
 * server sends, in order:
 *   hello     Hello             who is talking; the page drops what it had
 *   snapshot  Snapshot          agents, group addresses (rooms, topics), claims (again on change)
 *   messages  MessageView[]     everything seen so far, in batches
 *   ready     {}                the history is complete
 * and then, live:
 *   traffic   TrafficUpdate     one message changed state in one inbox (or its
 *                               recipient's ledger says it was pushed / seen)
 *   snapshot  Snapshot          agents, groups or claims changed (checked every few seconds)
 *
 * The history is read while it is sent, so a `traffic` update may repeat a step that its
 * message's history already had: the page skips a step it has. A stream that stops reading
 * is disconnected once its unsent data passes a byte budget; EventSource reconnects and
 * everything comes again from `hello`.
 */

import type { HandSentKind, MessageKind } from '../kernel/message-kinds.js';

/** The kinds are the kernel's (`src/kernel/message-kinds.ts`); the page imports that list too. */
export type WireKind = MessageKind;

/** An envelope as JSON (wire format v1; see DESIGN §2). */
export interface WireEnvelope {
  v: number;
  id: string;
  ts: string;
  from: string;
  to: string;
  text: string;
  kind: WireKind;
  data?: unknown;
  correlationId?: string;
  replyTo?: string;
  expiresAt?: string;
  meta?: Record<string, string>;
  sig?: string;
}

/**
 * Where a copy of a message is: queued, claimed, done and dead come from the transport
 * (`TrafficState`); pushed and seen from the recipient's delivery ledger
 * (`<root>/sessions/<name>.ledger`: what its model was given), local to this machine.
 */
export type DeliveryState = 'queued' | 'claimed' | 'pushed' | 'seen' | 'done' | 'dead';

export interface StateStep {
  state: DeliveryState;
  /** When the UI server saw the change (ISO time). */
  at: string;
  /** Why it is dead. */
  reason?: string;
  /** How the model came to have it (seen: hook, check_inbox, reply, transcript). */
  via?: string;
}

/**
 * What the server left out of a large envelope (it keeps a preview, within a byte budget):
 * `text` the text's full length in characters (the preview keeps its start), `data` the
 * size in bytes of a `data` left out, `meta` how many meta values were cut.
 */
export interface CutFields {
  text?: number;
  data?: number;
  meta?: number;
}

/** One message and where each of its copies went. */
export interface MessageView {
  id: string;
  /** Missing when the file could not be read as an envelope (a broken dead letter). */
  envelope?: WireEnvelope;
  /** Set when `envelope` is a preview: what was cut. */
  cut?: CutFields;
  /** Recipient agent → the states its copy went through, oldest first. */
  deliveries: Record<string, StateStep[]>;
}

export interface TrafficUpdate {
  id: string;
  agent: string;
  step: StateStep;
  /** Sent with the first update that knows the envelope. */
  envelope?: WireEnvelope;
  /** Set when `envelope` is a preview: what was cut. */
  cut?: CutFields;
}

export interface Hello {
  project: string;
  transport: string;
  /** Whether POST api/send is allowed (cc2cc ui --allow-send). */
  allowSend: boolean;
  /** Who the page sends as. */
  sender: string;
  /** An online agent with no traffic for this long is shown as idle. */
  idleAfterMs: number;
  /** The timeline starts here: the transport reports changes, not history. */
  startedAt: string;
}

/**
 * online: presence is fresh and traffic was seen within `idleAfterMs`;
 * idle: presence is fresh but no traffic for `idleAfterMs`;
 * offline: stopped, or its heartbeat stopped (`detail` says which).
 */
export type AgentUiState = 'online' | 'idle' | 'offline';

export interface InboxCounts {
  queued: number;
  claimed: number;
  done: number;
  dead: number;
}

export interface AgentView {
  name: string;
  state: AgentUiState;
  detail?: string;
  lastSeen?: string;
  lastActivity?: string;
  host?: string;
  pid?: number;
  delivery?: string;
  /** Whether pushes reach it (`live`, `not reaching`, `unknown`), when its server says (presence `data.push`). */
  push?: string;
  counts?: InboxCounts;
}

/** A file claim of the claims plugin (bus state `agent/<holder>/claims`), live ones only. */
export interface ClaimView {
  holder: string;
  paths: string[];
  exclusive: boolean;
  reason?: string;
  expiresAt: string;
}

/** One address scheme's groups: `{ scheme: 'room', groups: [{ target: 'backend', agents: [...] }] }`. */
export interface SchemeView {
  scheme: string;
  groups: Array<{ target: string; agents: string[] }>;
}

export interface Snapshot {
  at: string;
  agents: AgentView[];
  /**
   * The group addresses of each scheme whose plugin lists them (`SchemeHandler.list`): rooms
   * with their members, topic patterns with their subscribers, a third-party scheme's groups.
   */
  schemes: SchemeView[];
  /** With the claims plugin's state: who holds which files. */
  claims?: ClaimView[];
}

export interface DeadLetterView {
  agent: string;
  id: string;
  reason: string;
  envelope?: WireEnvelope;
}

export interface SendRequest {
  to: string;
  text: string;
  kind?: HandSentKind;
}

export interface SendResponse {
  id: string;
  to: string;
  refused?: string;
  results: Array<{ agent: string; status: string; via?: string; reason?: string }>;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export type SseEvent = 'hello' | 'snapshot' | 'messages' | 'ready' | 'traffic';

/** One permission request (the approvals plugin's record), as `GET api/approvals` lists it. */
import type { ApprovalView } from '../kernel/approval-view.js';
export type { ApprovalView };

/** `GET api/approvals`: whether the plugin is on, whether this page may answer, and every request kept. */
export interface ApprovalsResponse {
  enabled: boolean;
  canAnswer: boolean;
  requests: ApprovalView[];
}
