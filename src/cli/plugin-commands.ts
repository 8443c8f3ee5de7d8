import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { createRuntime } from '../runtime.js';
import { sessionAgentName } from '../hooks/session-agent.js';
import { print } from './context.js';
import { terminalSafe } from './terminal-safe.js';

/** Verbs that enabled plugins add (`ctx.addCommand`), registered only when asked for. */
export async function registerPluginCommands(program: Command, argv: string[]): Promise<void> {
  const configIndex = argv.findIndex((arg) => arg === '--config' || arg === '-c');
  const configPath = configIndex >= 0 ? argv[configIndex + 1] : undefined;
  let config;
  try {
    config = await loadConfig(configPath ? { configPath } : {});
  } catch {
    return; // commander reports the unknown verb; a broken config shows up with any built-in verb
  }
  const probe = await createRuntime(config);
  const commands = [...probe.extensions.commands.values()];
  await probe.close();
  for (const { plugin, command: definition } of commands) {
    const command = program.command(definition.name).description(definition.description);
    for (const argument of definition.arguments ?? []) command.argument(argument);
    for (const option of definition.options ?? []) command.option(option.flags, option.description);
    const usage = [definition.name, ...(definition.arguments ?? [])].join(' ');
    command.addHelpText('after', `\nAdded by the "${plugin}" plugin.\n\nExample:\n  $ cc2cc ${usage}`);
    command.action(async (...params: unknown[]) => {
      const cli = params[params.length - 1] as Command;
      const loaded = await loadConfig(configPath ? { configPath } : {});
      const runtime = await createRuntime(loaded);
      try {
        // A plugin prints what it read from the bus (room names, presence data): visible escapes for controls,
        // its own line breaks kept (a JSON listing spans lines).
        const code = await definition.run(cli.args, cli.opts(), {
          bus: runtime.bus,
          print: (text) => print(text.split('\n').map(terminalSafe).join('\n')),
          sender: async () => loaded.name ?? (await sessionAgentName(loaded.rootDir, process.env)),
        });
        if (typeof code === 'number') process.exitCode = code;
      } finally {
        await runtime.close();
      }
    });
  }
}
