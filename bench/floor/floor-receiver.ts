// The floor's receiving server: node floor-receiver.js serve <root> <name>. An MCP server over
// stdio (the SDK's low-level Server) that watches its inbox with fs.watch and, per message file:
// claims and reads it, pushes a `notifications/claude/channel`, acknowledges it. Passes are
// coalesced as cc2cc's are: a wake-up during a pass runs one more pass after it.
import { watch } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import { acknowledge, claimAndRead, inboxFolders, listMessages } from './floor-files.js';

const [, root, name] = process.argv.slice(2);
const folders = inboxFolders(root!, name!);
for (const folder of Object.values(folders)) await mkdir(folder, { recursive: true, mode: 0o700 });

const capabilities = { experimental: { 'claude/channel': {} } };
const server = new Server({ name: 'floor-receiver', version: '1.0.0' }, { capabilities });

async function pass(): Promise<void> {
  for (const file of await listMessages(folders.inbox)) {
    const envelope = JSON.parse(await claimAndRead(folders, file)) as Record<string, string>;
    const meta = { from: envelope.from!, id: envelope.id!, to: envelope.to!, kind: envelope.kind!, ts: envelope.ts! };
    const push = { method: 'notifications/claude/channel', params: { content: envelope.text, meta } };
    await server.notification(push as unknown as ServerNotification);
    await acknowledge(folders, file);
  }
}

let passing = false;
let again = false;
function wake(): void {
  if (passing) {
    again = true;
    return;
  }
  passing = true;
  again = false;
  pass()
    .catch((error: unknown) => process.stderr.write(`floor receiver: ${String(error)}\n`))
    .finally(() => {
      passing = false;
      if (again) wake();
    });
}

server.oninitialized = () => {
  watch(folders.inbox, wake);
  wake();
};
await server.connect(new StdioServerTransport());
