import type { Cc2cc } from '../../../src/kernel/compose.js';
import { formatMessageFrame, WHOLE_TEXT } from '../../../src/sinks/message-frame.js';

/** Calls a plugin tool the way the MCP server does, without a client. */
export async function callTool(kernel: Cc2cc, name: string, args: Record<string, unknown>): Promise<string> {
  const entry = kernel.extensions.tools.get(name);
  if (!entry) throw new Error(`no tool "${name}"; tools: ${[...kernel.extensions.tools.keys()].join(', ')}`);
  const result = await entry.tool.run(args as never, {
    bus: kernel.bus,
    frame: (envelope) => formatMessageFrame(envelope, WHOLE_TEXT),
  });
  return result.text;
}
