import type { Command } from 'commander';
import { Option } from '../commander.js';
import { DELIVERY_MODES } from '../../mcp/delivery.js';
import type { ServeOptions } from './serve-run.js';
import type { GlobalOptions } from '../context.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("run one agent's MCP server over stdio (Claude Code starts it): tools, inbox, channel push")
    .addOption(
      new Option('--name <name>', 'agent name (default: "name" in the config, else a free adjective-animal name)').env(
        'CC2CC_NAME',
      ),
    )
    .addOption(
      new Option('--delivery <mode>', 'how messages reach the agent (default: the config, else auto)').choices(
        DELIVERY_MODES,
      ),
    )
    .addHelpText(
      'after',
      '\nClaude Code starts it from .mcp.json; you rarely run it by hand. Logs go to stderr: ' +
        'stdout carries the protocol.\n\nExamples:\n  .mcp.json: { "mcpServers": { "cc2cc": { ' +
        '"command": "npx", "args": ["cc2cc", "serve"] } } }\n  $ CC2CC_NAME=backend claude ' +
        '--dangerously-load-development-channels server:cc2cc\n  $ cc2cc serve --name backend --delivery pull',
    )
    .action(async (options: ServeOptions, command: Command) => {
      // Only `serve`, `demo` and the hook load the MCP SDK: imported here, not with the verb list.
      const { serve } = await import('./serve-run.js');
      await serve({ ...command.optsWithGlobals<GlobalOptions>(), ...options });
    });
}
