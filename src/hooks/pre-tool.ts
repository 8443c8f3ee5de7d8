import { optionalService } from '../kernel/services.js';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { EDIT_GUARD } from '../kernel/tokens.js';
import type { EditGuard } from '../kernel/edit-guard.js';
import type { HookClient } from './protocol.js';

/**
 * The files a tool call is about to change, as the client describes it:
 * Claude Code `Edit`/`Write`/`MultiEdit` (`tool_input.file_path`), `NotebookEdit`
 * (`notebook_path`); Gemini `write_file`/`replace` (`file_path`); Codex `apply_patch`
 * (the patch text in `tool_input.command`, its `*** Update File: <path>` lines), also when
 * a shell command carries such a patch. Other tools: no paths (allowed).
 */
export function editedPaths(input: Record<string, unknown>): string[] {
  const toolInput = input.tool_input;
  if (typeof toolInput !== 'object' || toolInput === null) return [];
  const fields = toolInput as Record<string, unknown>;
  const paths: string[] = [];
  for (const key of ['file_path', 'notebook_path', 'absolute_path']) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '') paths.push(value);
  }
  const command = fields.command ?? fields.patch ?? fields.input;
  if (typeof command === 'string' && command.includes('*** Begin Patch')) {
    for (const match of command.matchAll(/^\*\*\* (?:Update|Add|Delete) File: (.+)$|^\*\*\* Move to: (.+)$/gm)) {
      paths.push((match[1] ?? match[2])!.trim());
    }
  }
  return [...new Set(paths)];
}

/**
 * The pre-tool guard of `cc2cc hook pre-tool`: asks the edit guard of the configured
 * plugins (the claims plugin) whether this session's agent may change these files, reading
 * the bus state directly (no server needed). A refusal is the client's deny JSON, with the
 * holder and reason in the text the model reads; an allowed edit prints nothing.
 */
export async function preToolOutput(
  input: Record<string, unknown>,
  client: HookClient,
  project: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const edited = editedPaths(input);
  if (edited.length === 0) return undefined;
  // Only now the heavy part: most tool calls (a shell command without a patch) end above.
  const [{ loadConfig }, { createRuntime }, { sessionAgentName }] = await Promise.all([
    import('../config/load.js'),
    import('../runtime.js'),
    import('./session-agent.js'),
  ]);
  const config = await loadConfig({ cwd: project });
  const runtime = await createRuntime(config);
  try {
    const guard = optionalService<EditGuard>(runtime.container, EDIT_GUARD);
    if (!guard) return undefined; // no plugin guards edits here
    const base = realProject(config.projectDir);
    const cwd = typeof input.cwd === 'string' ? input.cwd : project;
    const paths = edited
      .map((path) => projectPath(base, resolve(cwd, path)))
      .filter((path): path is string => path !== undefined);
    if (paths.length === 0) return undefined;
    const agent = (await sessionAgentName(config.rootDir, env)) ?? config.name;
    const reason = await guard.checkEdit(paths, agent);
    return reason === undefined ? undefined : denyOutput(client, reason);
  } finally {
    await runtime.close();
  }
}

/** Each client's way to refuse a tool call with a reason the model reads. */
export function denyOutput(client: HookClient, reason: string): string {
  if (client === 'gemini') return JSON.stringify({ decision: 'deny', reason });
  return JSON.stringify({
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason },
  });
}

function realProject(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * Relative to the project with `/`; undefined outside it. A file that does not exist yet keeps its
 * folder's real path.
 */
function projectPath(project: string, absolute: string): string | undefined {
  let real = absolute;
  try {
    real = realpathSync(absolute);
  } catch {
    try {
      real = resolve(realpathSync(resolve(absolute, '..')), absolute.slice(absolute.lastIndexOf(sep) + 1));
    } catch {
      // a new folder too: as given
    }
  }
  const path = relative(project, real);
  if (path === '' || path.startsWith('..') || isAbsolute(path)) return undefined;
  return path.split(sep).join('/');
}
