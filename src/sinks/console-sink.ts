import type { Envelope } from '../kernel/envelope.js';
import type { Sink } from '../kernel/sink.js';

/** Writes one line per message; for command-line receivers and examples. */
export class ConsoleSink implements Sink {
  readonly name = 'console';

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  async deliver(envelope: Envelope): Promise<'delivered'> {
    this.write(formatEnvelopeLine(envelope));
    return 'delivered';
  }
}

export function formatEnvelopeLine(envelope: Envelope): string {
  const time = envelope.ts.slice(11, 23);
  const kind = envelope.kind === 'message' ? '' : ` [${envelope.kind}]`;
  return `${time} ${envelope.from} → ${envelope.to}${kind}: ${envelope.text}`;
}
