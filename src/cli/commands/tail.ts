import type { Command } from 'commander';
import type { TrafficEvent } from '../../kernel/transport.js';
import { configFrom, print, untilSignal, type GlobalOptions } from '../context.js';
import { createRuntime } from '../../runtime.js';

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('show live traffic across every inbox of the project (read-only: never claims or moves a message)')
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExample:\n  $ cc2cc tail --json | jq .text')
    .action(async (options: GlobalOptions & { json?: boolean }, command: Command) => {
      const config = await configFrom(command.optsWithGlobals());
      const runtime = await createRuntime(config);
      const stop = await runtime.bus.transport.observe((event) => print(options.json ? JSON.stringify(toJson(event)) : formatEvent(event)));
      process.stderr.write(`cc2cc tail: watching ${config.rootDir} (Ctrl-C to stop)\n`);
      await untilSignal();
      await stop();
      await runtime.close();
    });
}

function toJson(event: TrafficEvent) {
  const { envelope, ...rest } = event;
  return { ...rest, ...(envelope && { from: envelope.from, to: envelope.to, kind: envelope.kind, text: envelope.text, ts: envelope.ts }) };
}

export function formatEvent(event: TrafficEvent): string {
  const time = new Date().toISOString().slice(11, 23);
  const envelope = event.envelope;
  const route = envelope ? `${envelope.from} → ${event.agent}${envelope.to !== event.agent ? ` (${envelope.to})` : ''}` : `→ ${event.agent}`;
  const kind = envelope && envelope.kind !== 'message' ? ` [${envelope.kind}]` : '';
  const body = envelope ? `: ${oneLine(envelope.text)}` : '';
  const reason = event.reason ? ` — ${event.reason}` : '';
  return `${time} ${event.state.padEnd(7)} ${event.id} ${route}${kind}${body}${reason}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
