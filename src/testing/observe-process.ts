import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Envelope } from '../kernel/envelope.js';
import type { TrafficState } from '../kernel/transport.js';
import { builtProgram } from './built-program.js';
import type { TransportFixture } from './transport-clause-context.js';
import { waitFor } from './wait-for.js';

const WORKER = builtProgram('observe-worker.js');

interface SeenEvent {
  agent: string;
  state: TrafficState;
  id: string;
  reason?: string;
}

/** A child process that observes the fixture's store and puts on request (observe-worker.ts). */
export class ObserverProcess {
  readonly events: SeenEvent[] = [];
  private readonly put = new Set<string>();
  private stderr = '';
  private exited: { code: number | null } | undefined;
  private readonly child;
  /** Resolves once the child observes; rejects if it exits first. */
  readonly ready: Promise<void>;

  constructor({ opener, options }: NonNullable<TransportFixture['process']>) {
    const args = [WORKER, opener, JSON.stringify(options)];
    this.child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.ready = new Promise((resolve, reject) => {
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        if (line === 'ready') return resolve();
        const parsed = JSON.parse(line) as SeenEvent | { put: string };
        if ('put' in parsed) this.put.add(parsed.put);
        else this.events.push(parsed);
      });
      this.child.on('exit', (code) => {
        this.exited = { code };
        reject(new Error(`the observer process exited (${code}) before it was ready: ${this.stderr}`));
      });
    });
    this.ready.catch(() => {}); // awaited by the test; a late exit must not go unhandled
  }

  saw(id: string, state: TrafficState): boolean {
    return this.events.some((event) => event.id === id && event.state === state);
  }

  /** Puts from the child process; resolves once its put resolved. */
  async send(to: string, envelope: Envelope): Promise<void> {
    this.child.stdin.write(`${JSON.stringify({ to, envelope })}\n`);
    await waitFor(() => this.put.has(envelope.id) || this.exited, { what: `the other process putting ${envelope.id}` });
    if (!this.put.has(envelope.id)) throw new Error(`the observer process exited: ${this.stderr}`);
  }

  /** Ends stdin, so the child closes its transport and exits; a failure there is the test's failure. */
  async stop(): Promise<void> {
    if (!this.exited) {
      const exit = once(this.child, 'exit');
      this.child.stdin.end();
      await exit;
    }
    const code = this.exited?.code;
    if (code !== 0) throw new Error(`the observer process exited with ${code}: ${this.stderr}`);
  }
}
