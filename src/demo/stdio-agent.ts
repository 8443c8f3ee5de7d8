import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { z } from 'zod';
import { Cc2ccError } from '../kernel/errors.js';
import { cliPath } from '../package-root.js';
import { CHANNEL_METHOD } from '../sinks/channel-sink.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/** One `notifications/claude/channel` as the client received it. */
export interface ReceivedPush {
  content: string;
  meta: Record<string, string>;
  /** `performance.now()` when it arrived. */
  at: number;
}

export interface ToolAnswer {
  text: string;
  isError: boolean;
  /** The tool's `structuredContent`, when it gave one. */
  structured?: Record<string, unknown>;
}

export interface StdioAgentOptions {
  /** The CLI to run `serve` from: this package's built one (package.json `bin`, dist/pkg/main.js) unless told. */
  cli?: string;
  /** The project folder the server runs in. */
  cwd: string;
  /** Extra `cc2cc serve` arguments, such as `['--name', 'bob']`. */
  args?: string[];
  /** Called for each push as it arrives. */
  onPush?: (push: ReceivedPush) => void;
  /** Listen for channel pushes at all (a client without channels does not). Default true. */
  takesPushes?: boolean;
  env?: Record<string, string>;
}

const ChannelNotificationSchema = z.object({
  method: z.literal(CHANNEL_METHOD),
  params: z.object({ content: z.string(), meta: z.record(z.string(), z.string()).optional() }),
});

/**
 * One `cc2cc serve` process driven the way Claude Code drives it: the MCP SDK `Client`
 * over stdio, tool calls, and a handler for channel pushes. Used by `cc2cc demo` and tests.
 */
export class StdioAgent {
  readonly pushes: ReceivedPush[] = [];
  private readonly listeners = new Set<(push: ReceivedPush) => void>();
  private stderrText = '';

  private constructor(
    readonly client: Client,
    readonly transport: StdioClientTransport,
  ) {}

  static async start(options: StdioAgentOptions): Promise<StdioAgent> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [options.cli ?? cliPath(), 'serve', ...(options.args ?? [])],
      cwd: options.cwd,
      stderr: 'pipe',
      ...(options.env && { env: options.env }),
    });
    const client = new Client({ name: 'cc2cc-driver', version: '1.0.0' });
    const agent = new StdioAgent(client, transport);
    transport.stderr?.on('data', (chunk: Buffer) => {
      agent.stderrText = (agent.stderrText + chunk.toString()).slice(-20_000);
    });
    if (options.takesPushes !== false) {
      client.setNotificationHandler(ChannelNotificationSchema, ({ params }) => {
        const push: ReceivedPush = { content: params.content, meta: params.meta ?? {}, at: performance.now() };
        agent.pushes.push(push);
        options.onPush?.(push);
        for (const listener of agent.listeners) listener(push);
      });
    }
    try {
      await client.connect(transport);
    } catch (error) {
      await transport.close().catch(() => {});
      throw new Error(`cc2cc serve did not start: ${(error as Error).message}\n${agent.stderrText}`, { cause: error });
    }
    return agent;
  }

  /** The server's process id, while it runs. */
  get pid(): number | null {
    return this.transport.pid;
  }

  /** What the server wrote to stderr (its logs), for failure messages. */
  get stderr(): string {
    return this.stderrText;
  }

  async call(name: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<ToolAnswer> {
    const result = await this.client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs });
    const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
    const text = content.map((part) => (part.type === 'text' ? (part.text ?? '') : `[${part.type}]`)).join('\n');
    return {
      text,
      isError: result.isError === true,
      ...(result.structuredContent ? { structured: result.structuredContent as Record<string, unknown> } : {}),
    };
  }

  async tools(): Promise<Tool[]> {
    return (await this.client.listTools()).tools;
  }

  /** The first push (already here or still to come) that `match` accepts; rejects after `timeoutMs`. */
  async waitForPush(
    match: (push: ReceivedPush) => boolean,
    timeoutMs: number,
    what = 'a matching channel push',
  ): Promise<ReceivedPush> {
    await this.until(() => this.pushes.some(match), timeoutMs, what);
    return this.pushes.find(match)!;
  }

  /** The first `count` pushes, once they have all arrived; rejects after `timeoutMs`. */
  async waitForPushes(count: number, timeoutMs: number): Promise<ReceivedPush[]> {
    await this.until(() => this.pushes.length >= count, timeoutMs, `${count} channel pushes`);
    return this.pushes.slice(0, count);
  }

  /** Resolves when `done()` holds, checked now and on every push: no polling. */
  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Cc2ccError('TIMEOUT', `no ${what} within ${timeoutMs} ms (${this.pushes.length} pushes so far)`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Closes stdin, as Claude Code does on exit; the SDK escalates to SIGTERM after 2 s. */
  async close(): Promise<void> {
    await this.client.close();
  }
}
