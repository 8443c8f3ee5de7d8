import type { Command } from 'commander';
import type { TrafficEvent } from '../../kernel/transport.js';
import type { MonitorEvent } from '../../kernel/monitor.js';
import { configFrom, createRuntime, print, untilSignal, type GlobalOptions } from '../context.js';
import { createStyle, stdoutStyle, type Style } from '../style.js';
import { terminalJson, terminalSafe } from '../terminal-safe.js';

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description(
      'show live traffic across every inbox of the project, and what plugins notice (filter drops) as it happens ' +
        '(read-only: never claims or moves a message)',
    )
    .option(
      '--json',
      'one JSON object per line: { agent, state, id, from, to, kind, text, ts, reason? }, ' +
        'or a plugin\'s { state, agent, ... } (filters: { state: "filtered", agent, rule, added, total })',
    )
    .addHelpText(
      'after',
      '\nStates: queued, claimed, done, dead (with the reason), and what enabled plugins report, such as\n' +
        "filtered: an agent's filters plugin dropped or held back messages (polled about once a second).\n\n" +
        'Examples:\n  $ cc2cc tail\n  $ cc2cc tail --json | jq -r \'select(.state == "dead") | .reason\'',
    )
    .action(async (options: GlobalOptions & { json?: boolean }, command: Command) => {
      const config = await configFrom(command.optsWithGlobals());
      const runtime = await createRuntime(config);
      const style = stdoutStyle();
      const stop = await runtime.bus.transport.observe((event) =>
        print(options.json ? terminalJson(toJson(event)) : formatEvent(event, style)),
      );
      const stopMonitors = await runtime.extensions.startMonitors({
        bus: runtime.bus,
        report: (event) => print(options.json ? terminalJson(monitorJson(event)) : formatMonitorEvent(event, style)),
        warn: (message) => process.stderr.write(`cc2cc tail: ${terminalSafe(message)}\n`),
      });
      const { kind, where } = runtime.bus.transport;
      const watching = terminalSafe(where ? `${kind} ${where}` : kind);
      process.stderr.write(`cc2cc tail: watching ${watching} (Ctrl-C to stop)\n`);
      await untilSignal();
      await stopMonitors();
      await stop();
      await runtime.close();
    });
}

function toJson(event: TrafficEvent) {
  const { envelope, ...rest } = event;
  return {
    ...rest,
    ...(envelope && {
      from: envelope.from,
      to: envelope.to,
      kind: envelope.kind,
      text: envelope.text,
      ts: envelope.ts,
    }),
  };
}

const PLAIN = createStyle(false);

export function formatEvent(event: TrafficEvent, style: Style = PLAIN): string {
  const time = new Date().toISOString().slice(11, 23);
  const envelope = event.envelope;
  const route = envelope
    ? `${envelope.from} → ${event.agent}${envelope.to !== event.agent ? ` (${envelope.to})` : ''}`
    : `→ ${event.agent}`;
  const kind = envelope && envelope.kind !== 'message' ? ` [${envelope.kind}]` : '';
  const body = envelope ? `: ${oneLine(envelope.text)}` : '';
  const reason = event.reason ? ` — ${event.reason}` : '';
  const paint =
    { queued: style.cyan, claimed: style.dim, done: style.green, dead: style.red }[event.state] ??
    ((text: string) => text);
  // Everything but the time and the state came from the bus: shown with visible escapes.
  return (
    `${style.dim(time)} ${paint(event.state.padEnd(8))} ` +
    `${terminalSafe(`${event.id} ${route}${kind}${body}${reason}`)}`
  );
}

/** `state` and `agent` first, then the plugin's fields, which cannot replace those two. */
function monitorJson(event: MonitorEvent): Record<string, unknown> {
  const head = { state: event.state, agent: event.agent };
  return { ...head, ...event.data, ...head };
}

/** A line a plugin's monitor reported (a filter drop): its state where traffic lines have theirs. */
export function formatMonitorEvent(event: MonitorEvent, style: Style = PLAIN): string {
  const time = new Date().toISOString().slice(11, 23);
  const state = style.yellow(terminalSafe(event.state).padEnd(8));
  return `${style.dim(time)} ${state} ${terminalSafe(`${event.agent}: ${event.text}`)}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
