import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { ancestorsOf } from '../hooks/process-tree.js';
import { HOOK_CLIENTS, HOOK_EVENTS, type HookAnswer, type HookRequest } from '../hooks/protocol.js';
import { endpointPath, sessionsDir, socketPathFor, type SessionEndpoint } from '../hooks/session-files.js';
import { describeError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { AgentName } from '../kernel/names.js';

/** A request line longer than this is not a hook's. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface HookEndpointOptions {
  rootDir: string;
  agent: AgentName;
  delivery: string;
  logger: Logger;
  answer: (request: HookRequest) => Promise<HookAnswer>;
}

/**
 * The local channel a `cc2cc hook` of this session asks: a Unix socket only this user can
 * open (mode 0600, in `<root>/sessions/`, mode 0700), and the endpoint record that lets a
 * hook find it (pid, ancestry, Claude Code's session id). The server stays the only reader
 * of the inbox: hooks ask it instead of reading the files.
 */
export class HookEndpoint {
  private constructor(
    private readonly server: Server,
    private readonly record: SessionEndpoint,
    private readonly recordPath: string,
  ) {}

  static async start(options: HookEndpointOptions): Promise<HookEndpoint> {
    const { rootDir, agent } = options;
    const folder = sessionsDir(rootDir);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await chmod(folder, 0o700);
    const socket = socketPathFor(rootDir, agent);
    // We hold the agent's inbox, so a socket left here is a dead server's.
    await unlink(socket).catch(() => {});
    const server = createServer((connection) => serveConnection(connection, options));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => options.logger.warn(`hook socket: ${describeError(error)}`));
    await chmod(socket, 0o600);
    const sessionId = process.env.CLAUDE_CODE_SESSION_ID;
    const record: SessionEndpoint = {
      v: 1,
      name: agent,
      pid: process.pid,
      ancestors: ancestorsOf(),
      ...(sessionId && { claudeSessionId: sessionId }),
      socket,
      delivery: options.delivery,
      startedAt: new Date().toISOString(),
    };
    const path = endpointPath(rootDir, agent);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    await rename(temp, path);
    return new HookEndpoint(server, record, path);
  }

  get socket(): string {
    return this.record.socket;
  }

  /** Stop answering; remove the socket and the record (only ours: a newer server may have replaced it). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const current = await readFile(this.recordPath, 'utf8').catch(() => undefined);
    if (current !== undefined && (JSON.parse(current) as { pid?: number }).pid === process.pid) {
      await unlink(this.recordPath).catch(() => {});
      await unlink(this.record.socket).catch(() => {});
    }
  }
}

function serveConnection(connection: Socket, options: HookEndpointOptions): void {
  let received = '';
  connection.setEncoding('utf8');
  connection.on('error', () => {}); // a hook that went away: nothing to answer
  connection.on('data', (chunk: string) => {
    received += chunk;
    if (received.length > MAX_REQUEST_BYTES) {
      connection.destroy();
      return;
    }
    const end = received.indexOf('\n');
    if (end === -1) return;
    connection.removeAllListeners('data');
    respond(received.slice(0, end), options).then(
      (answer) => connection.end(`${JSON.stringify(answer)}\n`),
      (error: unknown) => {
        options.logger.warn(`hook request failed: ${describeError(error)}`);
        connection.end(`${JSON.stringify({ error: describeError(error) })}\n`);
      },
    );
  });
}

async function respond(line: string, options: HookEndpointOptions): Promise<HookAnswer> {
  const request = parseRequest(line);
  return options.answer(request);
}

function parseRequest(line: string): HookRequest {
  const value = JSON.parse(line) as Partial<HookRequest>;
  if (value.v !== 1 || !HOOK_EVENTS.includes(value.event!) || !HOOK_CLIENTS.includes(value.client!))
    throw new Error('not a cc2cc hook request');
  return {
    v: 1,
    event: value.event!,
    client: value.client!,
    ...(typeof value.source === 'string' && { source: value.source }),
    ...(typeof value.transcriptPath === 'string' && { transcriptPath: value.transcriptPath }),
    ...(value.stopHookActive === true && { stopHookActive: true }),
    ...(typeof value.toolName === 'string' && { toolName: value.toolName }),
    ...(typeof value.toolInput === 'string' && { toolInput: value.toolInput }),
  };
}
