// A second process on a transport's store, for the transport contract's cross-process clause
// (transport-observe-clauses.ts spawns the built file, dist/pkg/observe-worker.js).
//   node observe-worker.js <opener module URL> <opener options JSON>
// The opener module's `connect(options)` resolves to a Transport. The worker observes it and
// prints each event as one JSON line ({ agent, state, id, reason }), after a first line
// "ready". Each line read from stdin, `{ "to": ..., "envelope": ... }`, is put from here and
// answered with { "put": id }. When stdin ends, it closes the transport and exits.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { Envelope } from '../kernel/envelope.js';
import type { Transport } from '../kernel/transport.js';

async function main(): Promise<void> {
  const [openerUrl, optionsJson] = process.argv.slice(2);
  if (!openerUrl || !optionsJson) throw new Error('usage: observe-worker <opener URL> <options JSON>');
  const { connect } = (await import(openerUrl)) as { connect(options: unknown): Promise<Transport> };
  const transport = await connect(JSON.parse(optionsJson));
  const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const stop = await transport.observe(({ agent, state, id, reason }) => print({ agent, state, id, reason }));
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const { to, envelope } = JSON.parse(line) as { to: string; envelope: Envelope };
    await transport.put(to, envelope);
    print({ put: envelope.id });
  }
  await stop();
  await transport.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
