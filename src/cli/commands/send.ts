import type { Command } from 'commander';
import { Cc2ccError } from '../../kernel/errors.js';
import { MESSAGE_KINDS, type MessageKind } from '../../kernel/message-kinds.js';
import type { RecipientResult, SendResult } from '../../kernel/send-result.js';
import { print, withRuntime, type GlobalOptions } from '../context.js';
import { assertSharedTransport } from '../shared-transport.js';
import { terminalJson, terminalSafe } from '../terminal-safe.js';

interface SendOptions extends GlobalOptions {
  from?: string;
  data?: string;
  kind?: string;
  expiresIn?: string;
  json?: boolean;
}

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('send one message to an agent, a room, a topic or everyone (*)')
    .argument('<to>', "address: agent name, * (everyone), or a plugin's group (room:NAME, topic:a.b)")
    .argument('<text>', 'the message text')
    .option('--from <name>', 'sender name (default: the config name, else "human")')
    .option('--data <json>', 'structured payload, as JSON')
    .option('--kind <kind>', `one of ${MESSAGE_KINDS.join(', ')}`, 'message')
    .option('--expires-in <seconds>', 'not delivered after this many seconds')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  $ cc2cc send calm-owl "tests are green" --from brave-fox')
    .action(async (to: string, text: string, options: SendOptions, command: Command) => {
      const global = { ...command.optsWithGlobals(), ...options } as SendOptions;
      const kind = parseKind(options.kind);
      const data = options.data === undefined ? undefined : parseJson(options.data);
      const expiresInS = options.expiresIn === undefined ? undefined : parseSeconds(options.expiresIn);
      const result = await withRuntime(global, async (runtime, config) => {
        assertSharedTransport(runtime.bus.transport);
        return runtime.bus.send({
          from: options.from ?? config.name ?? 'human',
          to,
          text,
          kind,
          ...(data !== undefined && { data }),
          ...(expiresInS !== undefined && { expiresInS }),
        });
      });
      if (options.json)
        print(terminalJson({ id: result.id, to: result.to, refused: result.refused, results: result.results }));
      else printResult(result);
      if (result.refused || result.results.some((entry) => entry.status === 'refused' || entry.status === 'unknown'))
        process.exitCode = 1;
    });
}

export function formatStatus(entry: RecipientResult): string {
  return entry.status === 'refused' || entry.status === 'unknown' ? `${entry.status}: ${entry.reason}` : entry.status;
}

function printResult(result: SendResult): void {
  if (result.refused) {
    print(terminalSafe(`${result.id} refused: ${result.refused}`));
    return;
  }
  print(terminalSafe(`${result.id} → ${result.to}`));
  for (const entry of result.results) print(`  ${terminalSafe(`${entry.agent}: ${formatStatus(entry)}`)}`);
}

function parseKind(value: string | undefined): MessageKind {
  if (value === undefined) return 'message';
  if ((MESSAGE_KINDS as readonly string[]).includes(value)) return value as MessageKind;
  throw new Cc2ccError('BAD_INPUT', `--kind "${value}" is not one of ${MESSAGE_KINDS.join(', ')}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Cc2ccError(
      'BAD_INPUT',
      `--data is not valid JSON (${(error as Error).message}); example: --data '{"build": 42}'`,
    );
  }
}

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Cc2ccError('BAD_INPUT', `--expires-in "${text}" must be a positive number of seconds`);
  return seconds;
}
