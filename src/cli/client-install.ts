import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { clientEventName, isCc2ccHookCommand } from '../hooks/clients.js';
import { HOOK_EVENTS, type HookClient } from '../hooks/protocol.js';
import { Cc2ccError } from '../kernel/errors.js';
import { cliPath } from '../package-root.js';

/** The command a client runs for cc2cc: the local install when there is one, else this CLI by path. */
export function cc2ccCommand(dir: string): { command: string; args: string[] } {
  if (existsSync(join(dir, 'node_modules', 'cc2cc', 'package.json'))) return { command: 'npx', args: ['cc2cc'] };
  return { command: process.execPath, args: [cliPath()] };
}

/** One shell command line for a client's hook settings. */
export function hookCommandLine(dir: string, client: HookClient, event: string): string {
  const { command, args } = cc2ccCommand(dir);
  return [command, ...args, 'hook', event, '--client', client].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Where each client reads a project's hooks, and its timeout unit. */
const HOOK_FILES: Record<HookClient, { file: string; timeout: number }> = {
  claude: { file: '.claude/settings.json', timeout: 10 }, // seconds
  codex: { file: '.codex/hooks.json', timeout: 10 }, // seconds
  gemini: { file: '.gemini/settings.json', timeout: 10_000 }, // milliseconds
};

type Json = Record<string, unknown>;

/** Is this hook entry one of ours (any install path)? */
function isOurs(entry: unknown): boolean {
  return isCc2ccHookCommand((entry as { command?: unknown }).command);
}

/**
 * Adds `cc2cc hook` for the four moments to a client's settings, merged: other tools'
 * hooks stay as they are, and an event that already runs cc2cc's hook is left alone, so
 * running it twice changes nothing. With `guardEdits` (the claims plugin is on), also the
 * pre-tool hook on file edits, which refuses an edit of a file another agent claimed.
 */
export async function installHooks(dir: string, client: HookClient, guardEdits = false): Promise<string> {
  const { file, timeout } = HOOK_FILES[client];
  const path = join(dir, file);
  const document = await readJsonObject(path);
  const hooks = objectField(document, 'hooks', path);
  let added = 0;
  for (const event of HOOK_EVENTS) {
    const name = clientEventName(client, event);
    const groups = (hooks[name] ??= []) as unknown[];
    if (!Array.isArray(groups))
      throw new Cc2ccError('BAD_INPUT', `${path}: "hooks.${name}" must be a list; it was not changed`);
    if (groups.some((group) => ((group as { hooks?: unknown[] }).hooks ?? []).some(isOurs))) continue;
    const command = hookCommandLine(dir, client, event);
    groups.push({
      hooks: [{ type: 'command', command, timeout, ...(client === 'gemini' && { name: `cc2cc-${event}` }) }],
    });
    added++;
  }
  if (guardEdits) added += addPreToolHook(hooks, path, dir, client, timeout);
  if (added === 0) return `kept the cc2cc hooks in ${file} (already there)`;
  await writeJson(path, document);
  return `added the cc2cc hooks to ${file} (${added} event${added === 1 ? '' : 's'})`;
}

/** Gemini CLI's MCP server entry, in the same `.gemini/settings.json` as its hooks. */
export async function installGeminiServer(dir: string): Promise<string> {
  const path = join(dir, '.gemini/settings.json');
  const document = await readJsonObject(path);
  const servers = objectField(document, 'mcpServers', path);
  if ('cc2cc' in servers) return 'kept the "cc2cc" server in .gemini/settings.json (already there)';
  const { command, args } = cc2ccCommand(dir);
  servers.cc2cc = { command, args: [...args, 'serve'] };
  await writeJson(path, document);
  return 'added the "cc2cc" server to .gemini/settings.json';
}

/**
 * Codex CLI's MCP server entry in `.codex/config.toml`. Its servers get only an allowlist
 * of the environment, so `env_vars` passes `CC2CC_NAME` (the name a hook and the server
 * share when there is no session id). Appended as a table; a file that has one is kept.
 */
export async function installCodexServer(dir: string): Promise<string> {
  const path = join(dir, '.codex/config.toml');
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  if (/^\s*\[mcp_servers\.("cc2cc"|cc2cc)\]/m.test(text))
    return 'kept the "cc2cc" server in .codex/config.toml (already there)';
  const { command, args } = cc2ccCommand(dir);
  const table = [
    '[mcp_servers.cc2cc]',
    `command = ${JSON.stringify(command)}`,
    `args = [${[...args, 'serve'].map((arg) => JSON.stringify(arg)).join(', ')}]`,
    'env_vars = ["CC2CC_NAME"]',
  ].join('\n');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${text === '' ? '' : '\n'}${table}\n`);
  return 'added the "cc2cc" server to .codex/config.toml';
}

async function readJsonObject(path: string): Promise<Json> {
  if (!existsSync(path)) return {};
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Cc2ccError(
      'BAD_INPUT',
      `${path} is not valid JSON (${(error as Error).message}); fix it and run cc2cc init again — it was not changed`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Cc2ccError('BAD_INPUT', `${path} must hold a JSON object; it was not changed`);
  return value as Json;
}

function objectField(document: Json, key: string, path: string): Json {
  const value = (document[key] ??= {});
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Cc2ccError('BAD_INPUT', `${path}: "${key}" must be an object; it was not changed`);
  return value as Json;
}

async function writeJson(path: string, document: Json): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
}

/** The pre-tool event of each client and the tools that edit files there (docs/claims.md). */
const PRE_TOOL: Record<HookClient, { event: string; matcher: string }> = {
  claude: { event: 'PreToolUse', matcher: 'Edit|Write|MultiEdit|NotebookEdit' },
  // apply_patch, and a shell command that carries a patch (the hook ends at once for any other).
  codex: { event: 'PreToolUse', matcher: 'apply_patch|Bash' },
  gemini: { event: 'BeforeTool', matcher: 'write_file|replace' },
};

function addPreToolHook(hooks: Json, path: string, dir: string, client: HookClient, timeout: number): number {
  const { event, matcher } = PRE_TOOL[client];
  const groups = (hooks[event] ??= []) as unknown[];
  if (!Array.isArray(groups))
    throw new Cc2ccError('BAD_INPUT', `${path}: "hooks.${event}" must be a list; it was not changed`);
  if (groups.some((group) => ((group as { hooks?: unknown[] }).hooks ?? []).some(isOurs))) return 0;
  const command = hookCommandLine(dir, client, 'pre-tool');
  groups.push({
    matcher,
    hooks: [{ type: 'command', command, timeout, ...(client === 'gemini' && { name: 'cc2cc-pre-tool' }) }],
  });
  return 1;
}
