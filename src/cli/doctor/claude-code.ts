import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Finding } from '../../kernel/check.js';

/** Channels (pushes into the conversation) exist from this Claude Code version on. */
export const CHANNELS_MIN_VERSION = [2, 1, 80] as const;
const MIN_TEXT = CHANNELS_MIN_VERSION.join('.');
const CLAUDE_COMMAND = 'claude --dangerously-load-development-channels server:cc2cc';

interface McpServer {
  command?: unknown;
  args?: unknown;
}

/** Does the project's `.mcp.json` start cc2cc, under the key `server:cc2cc` names, and can it run? */
export async function checkMcpJson(projectDir: string): Promise<Finding[]> {
  const path = join(projectDir, '.mcp.json');
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) {
    return [
      {
        level: 'warn',
        check: 'mcp.json',
        message: `no .mcp.json in ${projectDir}: Claude Code started here will not run cc2cc`,
        fix: 'run `npx cc2cc init` (skip this if you installed cc2cc as a Claude Code plugin)',
      },
    ];
  }
  let servers: Record<string, McpServer>;
  try {
    const document = JSON.parse(text) as { mcpServers?: Record<string, McpServer> };
    servers = document.mcpServers ?? {};
    if (typeof servers !== 'object' || servers === null || Array.isArray(servers))
      throw new Error('"mcpServers" is not an object');
  } catch (error) {
    return [
      {
        level: 'fail',
        check: 'mcp.json',
        message: `${path} is not usable: ${(error as Error).message}`,
        fix: 'fix the JSON, then run `npx cc2cc init` again',
      },
    ];
  }
  const entry = servers.cc2cc;
  if (!entry) {
    const other = Object.entries(servers).find(([, server]) => mentionsCc2cc(server));
    if (other) {
      return [
        {
          level: 'warn',
          check: 'mcp.json',
          message: `.mcp.json runs cc2cc under the key "${other[0]}", not "cc2cc"`,
          fix: `start claude with server:${other[0]} instead of server:cc2cc, or rename the key to "cc2cc"`,
        },
      ];
    }
    return [
      {
        level: 'warn',
        check: 'mcp.json',
        message: `${path} has no "cc2cc" server`,
        fix: 'run `npx cc2cc init`: it adds the entry and keeps the others',
      },
    ];
  }
  const command = typeof entry.command === 'string' ? entry.command : '';
  const args = Array.isArray(entry.args) ? entry.args.filter((arg): arg is string => typeof arg === 'string') : [];
  const shown = [command, ...args].join(' ');
  if (!args.includes('serve')) {
    return [
      {
        level: 'fail',
        check: 'mcp.json',
        message: `the "cc2cc" server runs \`${shown}\`, which is not \`cc2cc serve\``,
        fix: 'make its args end with "serve", or delete the entry and run `npx cc2cc init`',
      },
    ];
  }
  if (command === 'npx' && !installedIn(projectDir) && !onPath('cc2cc')) {
    return [
      {
        level: 'warn',
        check: 'mcp.json',
        message:
          `the "cc2cc" server runs \`${shown}\`, but cc2cc is not installed in ` +
          `${projectDir}: npx would look for it in the registry`,
        fix: 'npm install --save-dev cc2cc',
      },
    ];
  }
  const script = args.find((arg) => arg.endsWith('.js'));
  if (script && !script.includes('${') && !existsSync(isAbsolute(script) ? script : resolve(projectDir, script))) {
    return [
      {
        level: 'fail',
        check: 'mcp.json',
        message: `the "cc2cc" server runs ${script}, which does not exist`,
        fix: 'delete the "cc2cc" entry from .mcp.json and run `npx cc2cc init`',
      },
    ];
  }
  return [{ level: 'ok', check: 'mcp.json', message: `.mcp.json starts cc2cc: ${shown}` }];
}

function mentionsCc2cc(server: McpServer): boolean {
  const words = [server.command, ...(Array.isArray(server.args) ? server.args : [])];
  return words.some((word) => typeof word === 'string' && /cc2cc/.test(word)) && words.includes('serve');
}

function installedIn(projectDir: string): boolean {
  try {
    createRequire(join(projectDir, 'package.json')).resolve('cc2cc/package.json');
    return true;
  } catch {
    return false;
  }
}

/** An executable file called `name` in a PATH folder. */
export function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  const names = process.platform === 'win32' ? [`${name}.cmd`, `${name}.exe`, name] : [name];
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => names.some((file) => existsSync(join(dir, file))));
}

/** The installed Claude Code, when `claude` is on the PATH, and whether it has channels. */
export async function checkClaudeVersion(timeoutMs = 10_000): Promise<Finding[]> {
  const result = await run('claude', ['--version'], timeoutMs);
  if (result.missing) {
    return [
      {
        level: 'info',
        check: 'claude',
        message:
          `\`claude\` is not on the PATH; channel pushes need Claude Code ${MIN_TEXT} or ` +
          `later (other MCP clients read messages with check_inbox)`,
      },
    ];
  }
  if (result.error) {
    return [
      {
        level: 'warn',
        check: 'claude',
        message: `\`claude --version\` failed: ${result.error}`,
        fix: 'run `claude --version` by hand; reinstall Claude Code if it fails',
      },
    ];
  }
  const version = /(\d+)\.(\d+)\.(\d+)/.exec(result.stdout);
  if (!version) {
    return [
      {
        level: 'warn',
        check: 'claude',
        message: `could not read a version in \`claude --version\`: ${JSON.stringify(result.stdout.trim())}`,
        fix: `channels need Claude Code ${MIN_TEXT} or later; check yours`,
      },
    ];
  }
  const found = [Number(version[1]), Number(version[2]), Number(version[3])];
  const text = found.join('.');
  if (compareVersions(found, CHANNELS_MIN_VERSION) < 0) {
    return [
      {
        level: 'fail',
        check: 'claude',
        message:
          `Claude Code ${text} has no channels: pushes need ${MIN_TEXT} or later (tools ` +
          `and check_inbox still work)`,
        fix: 'update it: `claude update`, or `npm install -g @anthropic-ai/claude-code@latest`',
      },
    ];
  }
  return [
    {
      level: 'ok',
      check: 'claude',
      message: `Claude Code ${text} (channels need ${MIN_TEXT} or later); start it with \`${CLAUDE_COMMAND}\``,
    },
  ];
}

/** Pushes need a claude.ai login: a session that uses an API key skips channel notifications. */
export function checkLogin(env: NodeJS.ProcessEnv = process.env): Finding[] {
  if (!env.ANTHROPIC_API_KEY) return [];
  return [
    {
      level: 'info',
      check: 'login',
      message:
        'ANTHROPIC_API_KEY is set: a Claude Code session that logs in with an API key gets no ' +
        'channel pushes (its debug log says "channels feature is not currently available")',
      fix: 'log in with a claude.ai account (`/login`) for pushes; meanwhile check_inbox returns every message',
    },
  ];
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ stdout: string; missing?: boolean; error?: string }> {
  return new Promise((resolveRun) => {
    execFile(command, args, { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      if (!error) return resolveRun({ stdout: String(stdout) });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return resolveRun({ stdout: '', missing: true });
      resolveRun({
        stdout: String(stdout),
        error: error.killed ? `no answer within ${timeoutMs} ms` : error.message.split('\n')[0]!,
      });
    });
  });
}
