import type { Command } from 'commander';
import { print, withRuntime, type GlobalOptions } from '../context.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('what became of a message, per recipient: queued, claimed, pushed, seen, done, dead (with the reason)')
    .argument('<id>', 'the message id a send result gave')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nseen: the model has it (hook context, check_inbox, reply, or a push found in its ' +
        'transcript).\n\nExamples:\n  $ cc2cc status 01JA2B3C4D5E6F7G8H9JAKBMCN\n  $ cc2cc status ' +
        '01JA2B3C4D5E6F7G8H9JAKBMCN --json',
    )
    .action(async (id: string, options: GlobalOptions & { json?: boolean }, command: Command) => {
      const { describeStatus, messageStatus } = await import('../../mcp/message-status.js');
      const statuses = await withRuntime(command.optsWithGlobals(), (runtime, config) =>
        messageStatus(runtime.bus, config.rootDir, id),
      );
      print(options.json ? JSON.stringify({ id, recipients: statuses }, null, 2) : describeStatus(id, statuses));
    });
}
