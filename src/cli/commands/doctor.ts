import type { Command } from 'commander';
import { describeError } from '../../kernel/errors.js';
import { createRuntime } from '../../runtime.js';
import { checkAgents, checkFolder, type Finding } from '../doctor/checks.js';
import { configFrom, print, type GlobalOptions } from '../context.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the config, the bus folder, locks, agents and dead letters; exit 1 when something needs attention')
    .option('--json', 'print the findings as JSON')
    .addHelpText('after', '\nExample:\n  $ cc2cc doctor')
    .action(async (options: GlobalOptions & { json?: boolean }, command: Command) => {
      const findings = await diagnose(command.optsWithGlobals());
      if (options.json) print(JSON.stringify(findings, null, 2));
      else for (const finding of findings) print(formatFinding(finding));
      if (findings.some((finding) => finding.level !== 'ok')) process.exitCode = 1;
    });
}

export async function diagnose(options: GlobalOptions): Promise<Finding[]> {
  let config;
  try {
    config = await configFrom(options);
  } catch (error) {
    return [{ level: 'fail', check: 'config', message: describeError(error), fix: 'fix the field named above; docs/configuration.md lists every field' }];
  }
  const findings: Finding[] = [
    { level: 'ok', check: 'config', message: config.configPath ? `${config.configPath} is valid` : 'no config file found: using the defaults (run `cc2cc init`)' },
  ];
  let runtime;
  try {
    runtime = await createRuntime(config, { logger: { debug() {}, info() {}, warn() {}, error() {} } });
  } catch (error) {
    findings.push({ level: 'fail', check: 'transport', message: describeError(error), fix: 'check the "transport" and "plugins" fields' });
    return findings;
  }
  try {
    findings.push({ level: 'ok', check: 'transport', message: `${runtime.bus.transport.kind}; plugins: ${runtime.plugins.join(', ') || 'none'}` });
    if (runtime.bus.transport.kind === 'fs') findings.push(...(await checkFolder(config)));
    findings.push(...(await checkAgents(runtime)));
  } finally {
    await runtime.close();
  }
  return findings;
}

function formatFinding(finding: Finding): string {
  const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' }[finding.level];
  return `${mark} ${finding.check}: ${finding.message}${finding.fix ? `\n     fix: ${finding.fix}` : ''}`;
}
