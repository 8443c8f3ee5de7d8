import type { Command } from 'commander';
import type { TrafficEvent } from '../../kernel/transport.js';
import { configFrom, print, untilSignal, type GlobalOptions } from '../context.js';
import { createRuntime } from '../../runtime.js';
import { RULE_EFFECT, watchFilterDrops, type FilterDropEvent } from '../filter-drops.js';
import { createStyle, stdoutStyle, type Style } from '../style.js';
import { terminalJson, terminalSafe } from '../terminal-safe.js';

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('show live traffic across every inbox of the project, and filter drops as they happen (read-only: never claims or moves a message)')
    .option('--json', 'one JSON object per line: { agent, state, id, from, to, kind, text, ts, reason? }, or { state: "filtered", agent, rule, added, total }')
    .addHelpText(
      'after',
      '\nStates: queued, claimed, done, dead (with the reason), and filtered: an agent\'s filters plugin\ndropped or held back messages (polled from presence records about once a second).\n\nExamples:\n  $ cc2cc tail\n  $ cc2cc tail --json | jq -r \'select(.state == "dead") | .reason\'',
    )
    .action(async (options: GlobalOptions & { json?: boolean }, command: Command) => {
      const config = await configFrom(command.optsWithGlobals());
      const runtime = await createRuntime(config);
      const style = stdoutStyle();
      const stop = await runtime.bus.transport.observe((event) => print(options.json ? terminalJson(toJson(event)) : formatEvent(event, style)));
      const stopDrops = await watchFilterDrops(runtime.bus, (drop) => print(options.json ? terminalJson({ state: 'filtered', ...drop }) : formatDrop(drop, style)), {
        onError: (message) => process.stderr.write(`cc2cc tail: ${terminalSafe(message)}\n`),
      });
      const { kind, where } = runtime.bus.transport;
      process.stderr.write(`cc2cc tail: watching ${terminalSafe(where ? `${kind} ${where}` : kind)} (Ctrl-C to stop)\n`);
      await untilSignal();
      stopDrops();
      await stop();
      await runtime.close();
    });
}

function toJson(event: TrafficEvent) {
  const { envelope, ...rest } = event;
  return { ...rest, ...(envelope && { from: envelope.from, to: envelope.to, kind: envelope.kind, text: envelope.text, ts: envelope.ts }) };
}

const PLAIN = createStyle(false);

export function formatEvent(event: TrafficEvent, style: Style = PLAIN): string {
  const time = new Date().toISOString().slice(11, 23);
  const envelope = event.envelope;
  const route = envelope ? `${envelope.from} → ${event.agent}${envelope.to !== event.agent ? ` (${envelope.to})` : ''}` : `→ ${event.agent}`;
  const kind = envelope && envelope.kind !== 'message' ? ` [${envelope.kind}]` : '';
  const body = envelope ? `: ${oneLine(envelope.text)}` : '';
  const reason = event.reason ? ` — ${event.reason}` : '';
  const paint = { queued: style.cyan, claimed: style.dim, done: style.green, dead: style.red }[event.state] ?? ((text: string) => text);
  // Everything but the time and the state came from the bus: shown with visible escapes.
  return `${style.dim(time)} ${paint(event.state.padEnd(8))} ${terminalSafe(`${event.id} ${route}${kind}${body}${reason}`)}`;
}

export function formatDrop(drop: FilterDropEvent, style: Style = PLAIN): string {
  const time = new Date().toISOString().slice(11, 23);
  return `${style.dim(time)} ${style.yellow('filtered')} ${terminalSafe(`${drop.agent}: ${drop.added} ${drop.rule} — ${RULE_EFFECT[drop.rule]}; ${drop.total} by this rule since ${drop.agent} started`)}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
