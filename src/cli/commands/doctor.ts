import type { Command } from 'commander';
import { describeError, isCc2ccError } from '../../kernel/errors.js';
import type { LoadedConfig } from '../../config/load.js';
import { needsAttention, type Finding } from '../../kernel/check.js';
import type { Transport } from '../../kernel/transport.js';
import type { Cc2cc } from '../../kernel/compose.js';
import { checkAgents } from '../doctor/agents.js';
import { checkClaudeVersion, checkLogin, checkMcpJson } from '../doctor/claude-code.js';
import { checkHooks } from '../doctor/hooks.js';
import { configFrom, createRuntime, print, type GlobalOptions } from '../context.js';
import { PROCESS_LOCAL_FIX, processLocalReason } from '../shared-transport.js';
import { stdoutStyle, type Style } from '../style.js';
import { terminalJson, terminalSafe } from '../terminal-safe.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the config, the transport (the bus folder and its locks, or Redis), agents, dead letters, ' +
        'what plugins check (filter drops, claims), .mcp.json, client hooks and Claude Code; ' +
        'exit 1 when something needs attention',
    )
    .option('--json', 'print the findings as a JSON array of { level, check, message, fix? }')
    .addHelpText(
      'after',
      '\nEach line is ok, info, WARN or FAIL; WARN and FAIL come with a fix and make the exit ' +
        'code 1.\n\nExamples:\n  $ cc2cc doctor\n  $ cc2cc doctor --json | jq \'.[] | select(.level != "ok")\'',
    )
    .action(async (options: GlobalOptions & { json?: boolean }, command: Command) => {
      const findings = await diagnose(command.optsWithGlobals());
      if (options.json) print(terminalJson(findings, 2));
      else {
        const style = stdoutStyle();
        for (const finding of findings) print(formatFinding(finding, style));
      }
      if (needsAttention(findings)) process.exitCode = 1;
    });
}

export async function diagnose(options: GlobalOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  let config: LoadedConfig | undefined;
  try {
    config = await configFrom(options);
  } catch (error) {
    findings.push({ level: 'fail', check: 'config', message: describeError(error), fix: configFix(error) });
  }
  if (config) {
    findings.push({
      level: 'ok',
      check: 'config',
      message: config.configPath
        ? `${config.configPath} is valid`
        : `no config file found: using the defaults (\`npx cc2cc init\` writes one)`,
    });
    findings.push({
      level: 'info',
      check: 'project',
      message:
        `bus root ${config.rootDir}: the project folder is ` +
        `${config.projectDir}${config.projectReason ? ` because ${config.projectReason}` : ''}`,
    });
    findings.push(...(await checkBus(config)));
  }
  // Claude Code's side is worth checking even when the config is broken.
  findings.push(...(await checkMcpJson(config?.projectDir ?? process.cwd())));
  findings.push(...(await checkHooks(config?.projectDir ?? process.cwd())));
  findings.push(...(await checkClaudeVersion()));
  findings.push(...checkLogin());
  return findings;
}

async function checkBus(config: LoadedConfig): Promise<Finding[]> {
  const findings: Finding[] = [];
  let runtime: Cc2cc;
  try {
    runtime = await createRuntime(config, { logger: { debug() {}, info() {}, warn() {}, error() {} } });
  } catch (error) {
    findings.push({
      level: 'fail',
      check: 'transport',
      message: describeError(error),
      fix: 'check the "transport" and "plugins" fields',
    });
    return findings;
  }
  try {
    const { transport } = runtime.bus;
    const where = transport.where ? ` (${transport.where})` : '';
    if (transport.scope === 'process') {
      findings.push({
        level: 'fail',
        check: 'transport',
        message: processLocalReason(transport),
        fix: PROCESS_LOCAL_FIX,
      });
    } else {
      const message = `${transport.kind}${where}; plugins: ${runtime.plugins.join(', ') || 'none'}`;
      findings.push({ level: 'ok', check: 'transport', message });
    }
    findings.push(...(await diagnoseTransport(transport)));
    findings.push(...(await checkAgents(runtime)));
    // What each enabled plugin checks (filter drops, claims): doctor knows none of them by name.
    findings.push(...(await runtime.extensions.runChecks({ bus: runtime.bus })));
  } finally {
    await runtime.close();
  }
  return findings;
}

/** A schema error names its fields; a config that failed to run names the file and the error instead. */
function configFix(error: unknown): string {
  if (isCc2ccError(error, 'INVALID_CONFIG'))
    return 'fix the field named above; docs/configuration.md lists every field';
  return (
    'the config file (or a file it imports) failed to load: fix the error above, e.g. a misspelled import path or a ' +
    'package that is not installed (`npm install cc2cc` in the project); docs/configuration.md#typescript-configs'
  );
}

/** The transport's own view of its store; a transport that breaks its no-throw contract is a finding too. */
async function diagnoseTransport(transport: Transport): Promise<Finding[]> {
  try {
    return (await transport.diagnose?.()) ?? [];
  } catch (error) {
    const message = `the ${transport.kind} transport could not check itself: ${describeError(error)}`;
    return [{ level: 'fail', check: 'transport', message }];
  }
}

const MARKS = { ok: 'ok  ', info: 'info', warn: 'WARN', fail: 'FAIL' } as const;

export function formatFinding(finding: Finding, style: Style): string {
  const paint = { ok: style.green, info: style.cyan, warn: style.yellow, fail: style.red }[finding.level];
  // Messages quote dead-letter reasons, names and paths from the bus: shown with visible escapes.
  const fix = finding.fix && finding.level !== 'ok' ? `\n     ${style.bold('fix:')} ${terminalSafe(finding.fix)}` : '';
  return `${paint(MARKS[finding.level])} ${terminalSafe(`${finding.check}: ${finding.message}`)}${fix}`;
}
