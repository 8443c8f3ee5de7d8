// The floor's sending server: node floor-sender.js serve <root> <fsync: 1|0>. An MCP server over
// stdio (the SDK's low-level Server: JSON-RPC and its schema checks, nothing of cc2cc) with one
// tool, `send`, that writes the message file into the receiver's inbox and answers. The first
// argument is `serve` because the bench drives it with the same client code as `cc2cc serve`.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { inboxFolders, writeMessage } from './floor-files.js';

const [, root, fsyncFlag] = process.argv.slice(2);
const fsync = fsyncFlag === '1';
let sent = 0;

const server = new Server({ name: 'floor-sender', version: '1.0.0' }, { capabilities: { tools: {} } });
const sendSchema = { type: 'object' as const, properties: { to: { type: 'string' }, text: { type: 'string' } } };
server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [{ name: 'send', inputSchema: sendSchema }] }));
server.setRequestHandler(CallToolRequestSchema, async ({ params }) => {
  const { to, text } = params.arguments as { to: string; text: string };
  // Sortable like a ULID: the receiver takes files in name order, as cc2cc does.
  const id = `${Date.now().toString().padStart(16, '0')}${String(sent++).padStart(10, '0')}`;
  const envelope = { v: 1, id, ts: new Date().toISOString(), from: 'sender', to, text, kind: 'message' };
  await writeMessage(inboxFolders(root!, to), `${id}.json`, JSON.stringify(envelope), fsync);
  return { content: [{ type: 'text', text: `sent ${id} to ${to}` }] };
});
await server.connect(new StdioServerTransport());
