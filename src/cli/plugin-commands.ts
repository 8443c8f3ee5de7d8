import type { Command } from 'commander';
import type { Bus } from '../kernel/bus.js';
import type { SendDraft } from '../kernel/send-result.js';
import type { LoadedConfig } from '../config/load.js';
import { assertAgentName, type AgentName } from '../kernel/names.js';
import { readConfigFile, unwrapDefault } from '../config/read-config.js';
import { createRuntime, print } from './context.js';
import { assertSharedTransport } from './shared-transport.js';
import { terminalSafe } from './terminal-safe.js';
import { sessionAgentName } from '../hooks/session-agent.js';

/** The group plugin verbs are listed under in `cc2cc --help`. */
export const PLUGIN_VERBS_HEADING = "Commands from plugins in this project's config:";

/**
 * Verbs that enabled plugins add (`ctx.addCommand`): registered for a verb that is not built
 * in, and for `cc2cc --help`. One runtime (not attached to any agent) serves both the listing
 * and the verb; the returned function closes it. A config without plugins costs nothing here.
 */
export async function registerPluginCommands(
  program: Command,
  configPath: string | undefined,
): Promise<() => Promise<void>> {
  let config: LoadedConfig;
  try {
    const project = await readConfigFile(configPath ? { configPath } : {});
    // Without plugins there is nothing to list: the schema and the kernel are not even loaded.
    if (!namesPlugins(project.found?.config)) return async () => {};
    const { checkConfigFile } = await import('../config/load.js');
    config = checkConfigFile(project);
  } catch {
    return async () => {}; // commander reports the unknown verb; a broken config shows up with any built-in verb
  }
  const runtime = await createRuntime(config);
  for (const { plugin, command: definition } of runtime.extensions.commands.values()) {
    const command = program
      .command(definition.name)
      .description(definition.description)
      .helpGroup(PLUGIN_VERBS_HEADING);
    for (const argument of definition.arguments ?? []) command.argument(argument);
    for (const option of definition.options ?? []) command.option(option.flags, option.description);
    if (!(definition.options ?? []).some((option) => /(^|[ ,])--from\b/.test(option.flags))) {
      command.option('--from <name>', 'who the verb sends as (default: "name" in the config, else "human")');
    }
    const usage = [definition.name, ...(definition.arguments ?? [])].join(' ');
    command.addHelpText('after', `\nAdded by the "${plugin}" plugin.\n\nExample:\n  $ cc2cc ${usage}`);
    command.action(async (...params: unknown[]) => {
      const cli = params[params.length - 1] as Command;
      assertSharedTransport(runtime.bus.transport);
      const options = cli.opts();
      const from = assertAgentName(String(options.from ?? config.name ?? 'human'), '--from');
      // A plugin prints what it read from the bus (room names, presence data): visible escapes for controls,
      // its own line breaks kept (a JSON listing spans lines).
      const code = await definition.run(cli.args, options, {
        bus: actingAs(runtime.bus, from),
        print: (text) => print(text.split('\n').map(terminalSafe).join('\n')),
        // Who runs the verb (a claims check asks): --from, the config's name, else this client session's agent.
        sender: async () =>
          (typeof options.from === 'string' ? options.from : config.name) ??
          (await sessionAgentName(config.rootDir, process.env)),
      });
      if (typeof code === 'number') process.exitCode = code;
    });
  }
  return () => runtime.close();
}

function namesPlugins(raw: unknown): boolean {
  const value = unwrapDefault(raw) as { plugins?: unknown } | null | undefined;
  return typeof value === 'object' && value !== null && Array.isArray(value.plugins) && value.plugins.length > 0;
}

/**
 * The CLI's bus is attached to no agent: a verb's `bus.send` (and `request`, `reply`) sends as
 * `from`, and `bus.name` is `from`, unless the draft names its own sender.
 */
export function actingAs(bus: Bus, from: AgentName): Bus {
  const send = (draft: SendDraft) => bus.send({ ...draft, from: draft.from ?? from });
  return new Proxy(bus, {
    get(target, key, receiver) {
      if (key === 'name') return target.name ?? from;
      if (key === 'send') return send;
      const value: unknown = Reflect.get(target, key, target);
      // Methods run with the proxy as `this`, so `reply` and `request` reach `send` above.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(receiver) : value;
    },
  });
}
