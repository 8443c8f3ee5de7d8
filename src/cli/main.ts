#!/usr/bin/env node
/**
 * The `cc2cc` command. `cc2cc hook` runs at every prompt and tool call of a client
 * session, so it starts on its own short import path (no commander, no MCP SDK, no
 * config loader unless no server runs); every other verb loads the full program.
 */
const args = process.argv.slice(2);
if (args[0] === 'hook' && !args.includes('--help') && !args.includes('-h')) {
  const { runHookProcess } = await import('../hooks/hook-process.js');
  await runHookProcess(args.slice(1));
} else {
  await import('./program.js');
}

export {};
