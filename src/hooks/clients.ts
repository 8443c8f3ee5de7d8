import { HOOK_CLIENTS, HOOK_EVENTS, type HookAnswer, type HookClient, type HookEvent } from './protocol.js';

/**
 * Each client's names for the four moments, and the JSON it reads back (DESIGN §4):
 * Claude Code and Codex CLI: SessionStart, UserPromptSubmit, PostToolUse, Stop;
 * Gemini CLI: SessionStart, BeforeAgent, AfterTool, AfterAgent. All three take
 * `{"hookSpecificOutput":{"hookEventName":…,"additionalContext":…}}` for context and
 * `{"decision":"block","reason":…}` to keep the agent going at the end of a turn
 * (Gemini reads "block" as its alias of "deny": a retry with the reason as the prompt).
 */
const CLIENT_EVENTS: Record<HookClient, Record<HookEvent, string>> = {
  claude: {
    'session-start': 'SessionStart',
    'prompt-submit': 'UserPromptSubmit',
    'post-tool': 'PostToolUse',
    stop: 'Stop',
  },
  codex: {
    'session-start': 'SessionStart',
    'prompt-submit': 'UserPromptSubmit',
    'post-tool': 'PostToolUse',
    stop: 'Stop',
  },
  gemini: {
    'session-start': 'SessionStart',
    'prompt-submit': 'BeforeAgent',
    'post-tool': 'AfterTool',
    stop: 'AfterAgent',
  },
};

export function clientEventName(client: HookClient, event: HookEvent): string {
  return CLIENT_EVENTS[client][event];
}

/** `session-start`, or any client's own name for it (`UserPromptSubmit`, `BeforeAgent`, ...). */
export function parseHookEvent(name: string | undefined): HookEvent | undefined {
  if (name === undefined) return undefined;
  if ((HOOK_EVENTS as readonly string[]).includes(name)) return name as HookEvent;
  for (const events of Object.values(CLIENT_EVENTS)) {
    for (const [event, clientName] of Object.entries(events)) if (clientName === name) return event as HookEvent;
  }
  return undefined;
}

export function isHookClient(value: unknown): value is HookClient {
  return (HOOK_CLIENTS as readonly unknown[]).includes(value);
}

/**
 * Which client runs this hook, when `--client` does not say: Gemini's own event names or
 * its `GEMINI_SESSION_ID`; Claude Code's `CLAUDE_CODE_SESSION_ID` / `CLAUDE_PROJECT_DIR`;
 * Codex's `CODEX_*` variables; else Claude Code.
 */
export function detectClient(eventName: string | undefined, env: NodeJS.ProcessEnv): HookClient {
  if (eventName !== undefined && ['BeforeAgent', 'AfterTool', 'AfterAgent'].includes(eventName)) return 'gemini';
  if (env.GEMINI_SESSION_ID || env.GEMINI_PROJECT_DIR) return 'gemini';
  if (env.CLAUDE_CODE_SESSION_ID || env.CLAUDE_PROJECT_DIR) return 'claude';
  if (Object.keys(env).some((key) => key.startsWith('CODEX_'))) return 'codex';
  return 'claude';
}

/** The JSON the client reads on stdout, or undefined when there is nothing to say. */
export function clientOutput(client: HookClient, event: HookEvent, answer: HookAnswer): string | undefined {
  if (event === 'stop') return answer.block ? JSON.stringify({ decision: 'block', reason: answer.block }) : undefined;
  if (!answer.context) return undefined;
  return JSON.stringify({
    hookSpecificOutput: { hookEventName: clientEventName(client, event), additionalContext: answer.context },
  });
}

/** A hook command `cc2cc init` wrote (any install path): `... hook <event> --client <client>`. */
export function isCc2ccHookCommand(command: unknown): command is string {
  return (
    typeof command === 'string' &&
    / hook (session-start|prompt-submit|post-tool|stop|pre-tool) --client (claude|codex|gemini)\b/.test(command)
  );
}
