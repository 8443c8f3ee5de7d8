import type { ProcessInfo } from './processes.js';
import type { HookRun, ServerSeen } from './probes.js';

/**
 * What a client's hooks and its MCP server see of their session: the variables that could tie a
 * hook to its server, and the process they share. `cc2cc hook` relies on these (DESIGN §4).
 */
export interface SessionFacts {
  client: string;
  /** Session-ish and client-named variables in the hook's environment (no secrets), name=value. */
  hookVars: Record<string, string>;
  serverVars: Record<string, string>;
  /** The nearest process that is an ancestor of both, and how far up it is from each. */
  shared?: { pid: number; command: string; hookDepth: number; serverDepth: number };
}

const SESSIONISH = /SESSION_ID|PROJECT_DIR|^CLAUDE_PID$|^CC2CC_|^GEMINI_|^CODEX_/;
const SECRET = /KEY|TOKEN|SECRET|PASSWORD/;

export function sessionFacts(client: string, hook: HookRun, server: ServerSeen): SessionFacts {
  const pick = (env: Record<string, string>) =>
    Object.fromEntries(Object.entries(env).filter(([name]) => SESSIONISH.test(name) && !SECRET.test(name)));
  return {
    client,
    hookVars: pick(hook.env),
    serverVars: pick(server.env),
    shared: nearestCommonAncestor(hook.ancestry, server.ancestry),
  };
}

/** The first process of `a`'s chain (nearest first) that is also in `b`'s, with both distances. */
export function nearestCommonAncestor(a: ProcessInfo[], b: ProcessInfo[]): SessionFacts['shared'] {
  for (const [hookDepth, process] of a.entries()) {
    const serverDepth = b.findIndex((other) => other.pid === process.pid);
    if (serverDepth >= 0) return { pid: process.pid, command: process.command, hookDepth, serverDepth };
  }
  return undefined;
}

/** A Markdown table of the facts, for the test log (and the docs). */
export function factsTable(facts: SessionFacts): string {
  const names = [...new Set([...Object.keys(facts.hookVars), ...Object.keys(facts.serverVars)])].sort();
  const shown = (value: string | undefined) =>
    value === undefined ? '—' : value.length > 48 ? `${value.slice(0, 45)}...` : value;
  const rows = names.map((name) => `| ${name} | ${shown(facts.hookVars[name])} | ${shown(facts.serverVars[name])} |`);
  const shared = facts.shared
    ? `| nearest shared ancestor (\`${program(facts.shared.command)}\`) | ` +
      `${facts.shared.hookDepth} up | ${facts.shared.serverDepth} up |`
    : '| shared ancestor | none | none |';
  return [`${facts.client}:`, '| | hook | MCP server |', '| --- | --- | --- |', ...rows, shared].join('\n');
}

/** "/a/b/codex --flag x" → "codex --flag x", cut to a table cell. */
function program(command: string): string {
  const [first = '', ...rest] = command.split(' ');
  const text = [first.slice(first.lastIndexOf('/') + 1), ...rest].join(' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
