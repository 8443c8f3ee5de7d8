import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientEventName, isCc2ccHookCommand } from '../../hooks/clients.js';
import { HOOK_EVENTS, type HookClient } from '../../hooks/protocol.js';
import type { Finding } from '../../kernel/check.js';

const SETTINGS: Record<HookClient, string> = {
  claude: '.claude/settings.json',
  codex: '.codex/hooks.json',
  gemini: '.gemini/settings.json',
};
const PROBE_TIMEOUT_MS = 15_000;

/**
 * Are the client hooks installed (Claude Code always; Codex and Gemini where their folder
 * exists), and does the command start? The probe feeds the hook a line that is not an
 * event: a working hook says so on stderr and exits 0 without touching any inbox.
 */
export async function checkHooks(projectDir: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const client of ['claude', 'codex', 'gemini'] as const) {
    if (client !== 'claude' && !existsSync(join(projectDir, `.${client}`))) continue;
    findings.push(await checkClientHooks(projectDir, client));
  }
  return findings;
}

async function checkClientHooks(projectDir: string, client: HookClient): Promise<Finding> {
  const check = `hooks.${client}`;
  const file = SETTINGS[client];
  const fix = `run \`npx cc2cc init${client === 'claude' ? '' : ` --client ${client}`}\``;
  let hooks: Record<string, Array<{ hooks?: Array<{ command?: unknown }> }>>;
  try {
    hooks = (JSON.parse(await readFile(join(projectDir, file), 'utf8')) as { hooks?: typeof hooks }).hooks ?? {};
  } catch {
    return {
      level: 'info',
      check,
      message: `no usable ${file}: messages reach the model only through pushes and check_inbox`,
      fix,
    };
  }
  const commands = new Map<string, string>();
  for (const event of HOOK_EVENTS) {
    const name = clientEventName(client, event);
    const command = (hooks[name] ?? [])
      .flatMap((group) => group.hooks ?? [])
      .map((hook) => hook.command)
      .find(isCc2ccHookCommand);
    if (command) commands.set(name, command);
  }
  const missing = HOOK_EVENTS.map((event) => clientEventName(client, event)).filter((name) => !commands.has(name));
  if (missing.length > 0)
    return { level: 'info', check, message: `${file} has no cc2cc hook for ${missing.join(', ')}`, fix };
  const problem = await probe(commands.values().next().value!, projectDir);
  if (problem)
    return {
      level: 'fail',
      check,
      message: `the cc2cc hook in ${file} does not run: ${problem}`,
      fix: `check the command, then ${fix} again`,
    };
  return { level: 'ok', check, message: `${file} runs cc2cc hook at ${[...commands.keys()].join(', ')}` };
}

function probe(command: string, cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = execFile(
      '/bin/sh',
      ['-c', command],
      { cwd, timeout: PROBE_TIMEOUT_MS, env: { ...process.env, CC2CC_HOOK_WAIT_MS: '0' } },
      (error, stdout, stderr) => {
        if (error) resolve(`${error.message.split('\n')[0]}${stderr ? ` (${stderr.trim().split('\n')[0]})` : ''}`);
        else if (!stderr.includes('cc2cc hook:'))
          resolve(`it did not answer as cc2cc hook does (stdout: ${JSON.stringify(stdout.slice(0, 80))})`);
        else resolve(undefined);
      },
    );
    child.stdin?.end('cc2cc doctor probe: not an event');
  });
}
