/**
 * What `cc2cc hook` and the running `cc2cc serve` say to each other over the session's
 * Unix socket: one JSON line each way. Kept free of imports: the hook loads it on every call.
 */

/** The four moments a hook runs, whatever the client calls them. */
export const HOOK_EVENTS = ['session-start', 'prompt-submit', 'post-tool', 'stop'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

export const HOOK_CLIENTS = ['claude', 'codex', 'gemini'] as const;
export type HookClient = (typeof HOOK_CLIENTS)[number];

export interface HookRequest {
  v: 1;
  event: HookEvent;
  client: HookClient;
  /** SessionStart's `source`: startup, resume, clear, compact. */
  source?: string;
  /** The client's transcript (JSONL), where pushed messages can be confirmed. */
  transcriptPath?: string;
  /** Stop: the client already continued once because of a stop hook. */
  stopHookActive?: boolean;
  /** PostToolUse: the tool that ran (`tool_name`), and its input as JSON, cut to a few KB. */
  toolName?: string;
  toolInput?: string;
}

export interface HookAnswer {
  /** Text for the model's context (SessionStart, UserPromptSubmit, PostToolUse). */
  context?: string;
  /** Stop: keep the agent working, with this text as the reason it reads. */
  block?: string;
}

/** A session start that follows a compaction or `/clear`: the model forgot its open state. */
export function isFreshContext(source: string | undefined): boolean {
  return source === 'compact' || source === 'clear';
}

/**
 * How long one side waits for the other while a session starts (`CC2CC_HOOK_SETTLE_MS`,
 * default 2 s): a hook for a server that holds the inbox but has not opened its socket yet,
 * and the server's session-start answer for the backlog still on its way into the session.
 */
export function settleWaitMs(env: NodeJS.ProcessEnv): number {
  const waitMs = Number(env.CC2CC_HOOK_SETTLE_MS ?? DEFAULT_SETTLE_MS);
  return Number.isFinite(waitMs) && waitMs >= 0 ? waitMs : DEFAULT_SETTLE_MS;
}

const DEFAULT_SETTLE_MS = 2000;
