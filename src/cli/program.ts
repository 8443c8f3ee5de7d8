import { Command, CommanderError } from './commander.js';
import { isCc2ccError } from '../kernel/errors.js';
import { isBuiltinVerb, registerBuiltinCommands } from './commands/index.js';
import { registerPluginCommands } from './plugin-commands.js';
import { stderrStyle } from './style.js';
import { terminalSafe } from './terminal-safe.js';

/** `cc2cc <verb>`: one line per error (code and message); a stack only with --debug. */
async function main(argv: string[]): Promise<void> {
  const program = new Command('cc2cc')
    .description('a message bus for AI coding agents (MCP server, filesystem inbox, channel push)')
    .option('-c, --config <path>', 'use this config file instead of searching from the current folder')
    .option('--debug', 'show stack traces on errors')
    .addHelpText(
      'after',
      `
Examples:
  $ npx cc2cc demo          watch three real agents talk, no Claude Code needed
  $ npx cc2cc init          set up this project for Claude Code
  $ npx cc2cc doctor        what is wrong, and how to fix it
  $ npx cc2cc <verb> --help

Docs: the docs/ folder of the cc2cc package, starting with getting-started.md and cli.md.`,
    )
    .showHelpAfterError()
    .exitOverride();
  const args = argv.slice(2);
  const verb = verbOf(args);
  await registerBuiltinCommands(program, verb);
  // Plugin verbs come from the project's config: loaded for a verb that is not built in, and for the verb list
  // (`cc2cc`, `cc2cc --help`, `cc2cc help`), never for a built-in verb.
  const builtIn = isBuiltinVerb(verb);
  const closePlugins = builtIn ? async () => {} : await registerPluginCommands(program, configPathOf(args));
  // `cc2cc doctor | head`: a reader that went away is not an error (serve handles its own stdout).
  if (verb !== 'serve') {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  }
  try {
    await program.parseAsync(argv);
  } finally {
    await closePlugins();
  }
}

function configPathOf(args: string[]): string | undefined {
  const index = args.findIndex((arg) => arg === '--config' || arg === '-c');
  return index >= 0 ? args[index + 1] : undefined;
}

/** The first argument that is neither an option nor the value of `--config`. */
function verbOf(args: string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '-c' || arg === '--config') index++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

main(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
    return;
  }
  const debug = process.argv.includes('--debug');
  const style = stderrStyle();
  // An error may quote an address, a name or a file from the bus.
  if (isCc2ccError(error))
    process.stderr.write(`${style.red('cc2cc:')} ${terminalSafe(`${error.code}: ${error.message}`)}\n`);
  else
    process.stderr.write(
      `${style.red('cc2cc:')} ${terminalSafe(error instanceof Error ? error.message : String(error))}\n`,
    );
  if (debug && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack.split('\n').map(terminalSafe).join('\n')}\n`);
  process.exitCode = 1;
});
