import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { cc2ccCommand, installCodexServer, installGeminiServer, installHooks } from '../client-install.js';
import { installGitHook } from '../git-hook.js';
import type { HookClient } from '../../hooks/protocol.js';
import { Cc2ccError } from '../../kernel/errors.js';
import { assertAgentName } from '../../kernel/names.js';
import { print } from '../context.js';

export const CLAUDE_COMMAND = 'claude --dangerously-load-development-channels server:cc2cc';

function configTemplate(agents: readonly string[]): string {
  return `import type { Cc2ccConfig } from 'cc2cc';

// cc2cc's settings for this project; every field is optional. Reference: docs/configuration.md
export default {
  // Agents that may get messages before they first start (they queue in .cc2cc/).
  agents: [${agents.map((name) => `'${name}'`).join(', ')}],
  // 'auto' pushes into the conversation and keeps messages readable with check_inbox.
  delivery: 'auto',
  plugins: [],
} satisfies Cc2ccConfig;
`;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('set up cc2cc in this project: config, .mcp.json entry, .gitignore')
    .option('--dir <path>', 'project folder', '.')
    .option('--agents <names>', 'comma-separated agent names to put in the new config, e.g. backend,tests,reviewer')
    .option(
      '--client <names>',
      'also set up these CLIs besides Claude Code: codex, gemini (comma-separated; default: those ' +
        'whose .codex/ or .gemini/ folder exists)',
    )
    .option(
      '--no-hooks',
      'do not install the client hooks (messages then reach the model only through pushes and check_inbox)',
    )
    .option(
      '--git-hook',
      'also install a git pre-commit hook that refuses a commit touching a file another agent ' +
        'claimed (cc2cc claims check --staged)',
    )
    .addHelpText(
      'after',
      `\nIt never overwrites: a config that exists is kept, a "cc2cc" entry already in .mcp.json ` +
        `too, and hooks are merged with the ones there.\n\nExamples:\n  $ cc2cc init\n  $ cc2cc ` +
        `init --agents backend,tests,reviewer\n  $ cc2cc init --client codex,gemini\n  $ cc2cc ` +
        `init --git-hook\n  $ ${CLAUDE_COMMAND}`,
    )
    .action(async (options: { dir: string; agents?: string; client?: string; hooks: boolean; gitHook?: boolean }) => {
      const dir = options.dir;
      const agents = (options.agents ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '')
        .map((name) => assertAgentName(name, 'name in --agents'));
      const clients = (options.client ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '')
        .map((name) => {
          if (name !== 'codex' && name !== 'gemini' && name !== 'claude')
            throw new Cc2ccError('BAD_INPUT', `--client: "${name}" is not one of claude, codex, gemini`);
          return name;
        });
      for (const line of await initProject(dir, {
        agents,
        clients,
        hooks: options.hooks,
        gitHook: options.gitHook === true,
      }))
        print(line);
      print();
      print('Start each Claude Code session in this folder with:');
      print(`  ${CLAUDE_COMMAND}`);
    });
}

/** Idempotent: writes what is missing, merges what exists, never overwrites. */
export interface InitOptions {
  agents?: readonly string[];
  /** CLIs to set up besides Claude Code; those whose folder exists are added anyway. */
  clients?: readonly HookClient[];
  /** Install the client hooks (default true). */
  hooks?: boolean;
  /** Install the git pre-commit hook of the claims plugin (default false). */
  gitHook?: boolean;
}

export async function initProject(
  dir: string,
  { agents = [], clients = [], hooks = true, gitHook = false }: InitOptions = {},
): Promise<string[]> {
  const report: string[] = [];
  const configPath = join(dir, 'cc2cc.config.ts');
  const existing = [
    'cc2cc.config.ts',
    'cc2cc.config.js',
    'cc2cc.config.mjs',
    'cc2cc.config.json',
    '.cc2ccrc',
    '.cc2ccrc.json',
  ].find((name) => existsSync(join(dir, name)));
  if (existing)
    report.push(
      `kept ${existing} (already ` +
        `there)${agents.length > 0 ? `; add ${agents.join(', ')} to its "agents" yourself` : ''}`,
    );
  else {
    await writeFile(configPath, configTemplate(agents), { flag: 'wx' });
    report.push(`wrote cc2cc.config.ts${agents.length > 0 ? ` (agents: ${agents.join(', ')})` : ''}`);
  }
  report.push(await addMcpServer(dir));
  report.push(await ignoreRoot(dir));
  const extra = new Set<HookClient>(clients);
  if (existsSync(join(dir, '.codex'))) extra.add('codex');
  if (existsSync(join(dir, '.gemini'))) extra.add('gemini');
  const claimsOn = await claimsEnabled(dir);
  const guardEdits = hooks && claimsOn;
  if (hooks) report.push(await installHooks(dir, 'claude', guardEdits));
  if (extra.has('codex')) {
    report.push(await installCodexServer(dir));
    if (hooks) report.push(await installHooks(dir, 'codex', guardEdits));
  }
  if (extra.has('gemini')) {
    report.push(await installGeminiServer(dir));
    if (hooks) report.push(await installHooks(dir, 'gemini', guardEdits));
  }
  if (hooks && !guardEdits)
    report.push('no pre-edit guard hook: the "claims" plugin is not in the config (add it, then run cc2cc init again)');
  if (gitHook) {
    // The hook runs `cc2cc claims check`, a verb of the plugin: without it every commit would fail.
    if (!claimsOn)
      throw new Cc2ccError(
        'BAD_INPUT',
        '--git-hook needs the "claims" plugin in the config (plugins: ["claims"]); add it and run ' +
          'cc2cc init --git-hook again',
      );
    report.push(await installGitHook(dir));
  }
  return report;
}

/** The command Claude Code runs: the local install when there is one, else this CLI by path. */
function serverEntry(dir: string): { command: string; args: string[] } {
  const { command, args } = cc2ccCommand(dir);
  return { command, args: [...args, 'serve'] };
}

async function addMcpServer(dir: string): Promise<string> {
  const path = join(dir, '.mcp.json');
  let document: { mcpServers?: Record<string, unknown> } & Record<string, unknown> = {};
  if (existsSync(path)) {
    const text = await readFile(path, 'utf8');
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new Cc2ccError(
        'BAD_INPUT',
        `${path} is not valid JSON (${(error as Error).message}); ` +
          'fix it and run cc2cc init again — it was not changed',
      );
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new Cc2ccError('BAD_INPUT', `${path} must hold a JSON object with "mcpServers"; it was not changed`);
    }
  }
  const servers = (document.mcpServers ??= {});
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new Cc2ccError('BAD_INPUT', `${path}: "mcpServers" must be an object; it was not changed`);
  }
  if ('cc2cc' in servers) return 'kept the "cc2cc" server in .mcp.json (already there)';
  servers.cc2cc = serverEntry(dir);
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
  return `added the "cc2cc" server to ${relative(process.cwd(), path) || '.mcp.json'}`;
}

async function ignoreRoot(dir: string): Promise<string> {
  const path = join(dir, '.gitignore');
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  if (text.split(/\r?\n/).some((line) => ['.cc2cc', '.cc2cc/', '/.cc2cc', '/.cc2cc/'].includes(line.trim())))
    return 'kept .gitignore (.cc2cc/ already ignored)';
  await writeFile(path, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}.cc2cc/\n`);
  return 'added .cc2cc/ to .gitignore';
}

/**
 * Does the project's config enable the claims plugin? Only then is the pre-edit hook worth its cost
 * (it reads the config on every edit).
 */
async function claimsEnabled(dir: string): Promise<boolean> {
  try {
    const { loadConfig } = await import('../../config/load.js');
    const config = await loadConfig({ cwd: dir });
    return config.plugins.some(
      (plugin) =>
        plugin === 'claims' ||
        (Array.isArray(plugin) && plugin[0] === 'claims') ||
        (typeof plugin === 'object' && plugin !== null && (plugin as { name?: unknown }).name === 'claims'),
    );
  } catch {
    return false;
  }
}
