import { existsSync, readFileSync } from 'node:fs';

/**
 * Readers of the three clients' transcript files: what the hooks added to the model-bound
 * context, and what the user typed. Each reads the structured record the client writes for the
 * model's context, never a log line that merely quotes a hook's output (Claude Code also logs a
 * hook's stdout in a `hook_success` attachment, and its request blobs repeat the context).
 */
export interface HookContext {
  /** The hook event that added it, where the client records it (Claude Code does; Codex and Gemini do not). */
  event?: string;
  text: string;
}

export interface Transcript {
  hookContexts: HookContext[];
  userPrompts: string[];
  /** Requests the client sent to the model (Claude Code records them; elsewhere 0). */
  modelRequests: number;
}

/** The JSON records of a JSONL file; a last line still being written is left out. */
export function readJsonl(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  const records: Array<Record<string, unknown>> = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A partial last line: the next read sees it whole.
    }
  }
  return records;
}

/** How many hook contexts contain `needle`. */
export function countHookContexts(transcript: Transcript, needle: string, event?: string): number {
  return transcript.hookContexts.filter(
    (context) => context.text.includes(needle) && (event === undefined || context.event === event),
  ).length;
}

/**
 * Claude Code: `~/.claude/projects/<dir>/<session>.jsonl`. Hook context is a `"type":"attachment"`
 * line whose attachment has type `hook_additional_context` and `content`, a list of texts; a typed
 * prompt is a `"type":"user"` line with a string `message.content`; `api-request` lines are the
 * model calls.
 */
export function readClaudeTranscript(path: string): Transcript {
  const transcript: Transcript = { hookContexts: [], userPrompts: [], modelRequests: 0 };
  for (const record of readJsonl(path)) {
    if (record['type'] === 'attachment') {
      const attachment = record['attachment'] as { type?: string; content?: unknown; hookEvent?: string } | undefined;
      if (attachment?.type !== 'hook_additional_context') continue;
      const texts = Array.isArray(attachment.content) ? attachment.content : [attachment.content];
      for (const text of texts) {
        if (typeof text === 'string') transcript.hookContexts.push({ event: attachment.hookEvent, text });
      }
    } else if (record['type'] === 'user') {
      const content = (record['message'] as { content?: unknown } | undefined)?.content;
      if (typeof content === 'string') transcript.userPrompts.push(content);
    } else if (record['type'] === 'api-request') {
      transcript.modelRequests += 1;
    }
  }
  return transcript;
}

/**
 * Codex CLI: the rollout `~/.codex/sessions/YYYY/MM/DD/rollout-…-<session>.jsonl`. Each
 * `response_item` message lists a kind per content item in
 * `internal_chat_message_metadata_passthrough.content_item_kinds`: `hooks.additional_context` for
 * hook context (a developer message), `user.text` for the prompt.
 */
export function readCodexRollout(path: string): Transcript {
  const transcript: Transcript = { hookContexts: [], userPrompts: [], modelRequests: 0 };
  for (const record of readJsonl(path)) {
    if (record['type'] !== 'response_item') continue;
    const payload = record['payload'] as {
      type?: string;
      content?: Array<{ text?: string }>;
      internal_chat_message_metadata_passthrough?: { content_item_kinds?: string[] };
    };
    if (payload.type !== 'message' || !Array.isArray(payload.content)) continue;
    const kinds = payload.internal_chat_message_metadata_passthrough?.content_item_kinds ?? [];
    payload.content.forEach((item, index) => {
      if (typeof item.text !== 'string') return;
      if (kinds[index] === 'hooks.additional_context') transcript.hookContexts.push({ text: item.text });
      else if (kinds[index] === 'user.text') transcript.userPrompts.push(item.text);
    });
  }
  return transcript;
}

const HOOK_CONTEXT = /<hook_context>([\s\S]*?)<\/hook_context>/g;

/**
 * Gemini CLI: `~/.gemini/tmp/<project>/chats/session-*.jsonl`, messages as records of their own
 * or inside `{"$set":{"messages":[…]}}`, keyed by id (a later record of the same id replaces the
 * earlier). Hook context is text inside `<hook_context>…</hook_context>` in a `"type":"user"`
 * message; the rest of that message's text is the prompt (the first user message, the session
 * context, is not one). Gemini 0.61 writes a hook's `<` and `>` as `&lt;` and `&gt;`: the text is
 * kept as the model gets it.
 */
export function readGeminiChat(path: string): Transcript {
  const messages = new Map<string, { type?: string; content?: Array<{ text?: string }> }>();
  let anonymous = 0;
  const take = (message: { id?: string; type?: string; content?: Array<{ text?: string }> }) => {
    messages.set(message.id ?? `#${anonymous++}`, message);
  };
  for (const record of readJsonl(path)) {
    const set = record['$set'] as { messages?: unknown } | undefined;
    if (set && Array.isArray(set.messages)) set.messages.forEach(take);
    else if (typeof record['type'] === 'string') take(record as { id?: string; type?: string });
  }
  const transcript: Transcript = { hookContexts: [], userPrompts: [], modelRequests: 0 };
  for (const message of messages.values()) {
    if (message.type !== 'user' || !Array.isArray(message.content)) continue;
    const text = message.content.map((part) => part.text ?? '').join('\n');
    for (const match of text.matchAll(HOOK_CONTEXT)) transcript.hookContexts.push({ text: match[1]! });
    const prompt = text.replace(HOOK_CONTEXT, '').trim();
    if (prompt && !prompt.startsWith('<session_context>')) transcript.userPrompts.push(prompt);
  }
  return transcript;
}

/** The hook contexts, one per line, for a failure message. */
export function describeHookContexts(transcript: Transcript): string {
  const lines = transcript.hookContexts.map(
    (context) => `  [${context.event ?? 'hook'}] ${context.text.replace(/\n/g, '\\n')}`,
  );
  return `hook contexts in the transcript:\n${lines.join('\n') || '  (none)'}`;
}

/**
 * Claude Code's record of each hook run (attachments `hook_success`, `hook_error`, ...: the
 * command, exit code, duration, stdout and stderr), one per line, for a failure message.
 */
export function describeClaudeHookRuns(path: string | undefined): string {
  const lines: string[] = [];
  for (const record of path ? readJsonl(path) : []) {
    const attachment = record['attachment'] as Record<string, unknown> | undefined;
    const type = String(attachment?.['type'] ?? '');
    if (record['type'] !== 'attachment' || !type.startsWith('hook_') || type === 'hook_additional_context') continue;
    const { hookName, exitCode, durationMs, stdout, stderr } = attachment as Record<string, unknown>;
    lines.push(
      `  [${type} ${String(hookName)} exit ${String(exitCode)} in ${String(durationMs)} ms] ` +
        `stdout: ${String(stdout ?? '').slice(0, 300)} stderr: ${String(stderr ?? '').slice(0, 500)}`.replace(
          /\n/g,
          '\\n',
        ),
    );
  }
  return `hook runs in the transcript:\n${lines.join('\n') || '  (none)'}`;
}
