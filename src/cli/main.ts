#!/usr/bin/env node
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { isCc2ccError } from '../kernel/errors.js';
import { registerBuiltinCommands } from './commands/index.js';
import { registerPluginCommands } from './plugin-commands.js';

/** `cc2cc <verb>`: one line per error (code and message); a stack only with --debug. */
async function main(argv: string[]): Promise<void> {
  const program = new Command('cc2cc')
    .description('a message bus for AI coding agents (MCP server, filesystem inbox, channel push)')
    .option('-c, --config <path>', 'use this config file instead of searching from the current folder')
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError()
    .exitOverride();
  registerBuiltinCommands(program);
  const verb = argv.slice(2).find((arg) => !arg.startsWith('-'));
  if (verb && !program.commands.some((command) => command.name() === verb || command.aliases().includes(verb))) {
    await registerPluginCommands(program, argv);
  }
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
    return;
  }
  const debug = process.argv.includes('--debug');
  if (isCc2ccError(error)) process.stderr.write(`cc2cc: ${error.code}: ${error.message}\n`);
  else process.stderr.write(`cc2cc: ${error instanceof Error ? error.message : String(error)}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
