import type { z } from 'zod';
import type { Bus } from './bus.js';
import type { Envelope } from './envelope.js';

/**
 * An MCP tool contributed by a plugin. The kernel knows nothing of MCP: the server
 * adapts these to the SDK, so the same tool also works in tests without a client.
 */
export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  description: string;
  input: Shape;
  /** Optional: the shape of `ToolResult.structured`; given, every successful result must carry it. */
  output?: z.ZodRawShape;
  run(args: z.infer<z.ZodObject<Shape>>, context: ToolContext): Promise<ToolResult> | ToolResult;
}

export interface ToolContext {
  bus: Bus;
  signal?: AbortSignal;
  /**
   * A message as the model reads it, text whole: the host's frame (the MCP server uses the
   * channel push's frame), escaped so that no text can pass for another message or sender.
   */
  frame(envelope: Envelope): string;
}

export interface ToolResult {
  text: string;
  isError?: boolean;
  /** Optional: the same result as data (MCP `structuredContent`), checked against `output`. */
  structured?: Record<string, unknown>;
}

/** A CLI verb contributed by a plugin: `cc2cc <name> [args...]`. */
export interface CommandDefinition {
  name: string;
  description: string;
  /** Commander-style argument names: `<room>`, `[text...]`. */
  arguments?: string[];
  options?: Array<{ flags: string; description: string }>;
  // biome-ignore lint/suspicious/noConfusingVoidType: plugin API: run() may return Promise<void>
  run(args: string[], options: Record<string, unknown>, context: CommandContext): Promise<number | void>;
}

export interface CommandContext {
  bus: Bus;
  print(line: string): void;
  /** Who runs the verb: the config's name, else the agent of the client session it runs in. */
  sender(): Promise<string | undefined>;
}
