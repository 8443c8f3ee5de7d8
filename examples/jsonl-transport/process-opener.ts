// How another process opens the same bus file, for the transport contract's cross-process
// clause: its child process imports the built file (dist/examples/jsonl-transport/process-opener.js).
import type { Transport } from 'cc2cc';
import { JsonlTransport, type JsonlTransportOptions } from './jsonl-transport.js';

export async function connect(options: JsonlTransportOptions): Promise<Transport> {
  return new JsonlTransport(options);
}
