import { compose, type Cc2cc, type ComposeOptions } from './kernel/compose.js';
import { createStderrLogger } from './kernel/logger.js';
import { loadPlugins } from './config/plugin-loader.js';
import { createTransport } from './transports/registry.js';
import type { LoadedConfig } from './config/load.js';
import type { Plugin } from './kernel/plugin.js';

/**
 * The composition root: the one place under src/ that knows the first-party plugins (and,
 * through transports/registry.ts, the built-in transports) by name. Everything else gets
 * them from here (test/architecture/import-graph.test.ts holds that). They are imported on
 * first use: a command whose config names no built-in plugin never loads them.
 */
export async function loadBuiltinPlugins(): Promise<typeof import('../plugins/registry.js').builtinPlugins> {
  return (await import('../plugins/registry.js')).builtinPlugins;
}

export interface RuntimeOptions extends Partial<Omit<ComposeOptions, 'config' | 'transport' | 'plugins'>> {
  /** Plugins added after the configured ones (the MCP server adds none; tests may). */
  extraPlugins?: readonly Plugin[];
}

/** From a loaded config to a running kernel: transport and plugins as the config says. */
export async function createRuntime(config: LoadedConfig, options: RuntimeOptions = {}): Promise<Cc2cc> {
  const logger = options.logger ?? createStderrLogger(config.logLevel);
  const configured = await loadPlugins(config.plugins, config.projectDir, loadBuiltinPlugins);
  const plugins = [...configured, ...(options.extraPlugins ?? [])];
  const transport = await createTransport(config, logger);
  try {
    return await compose({ ...options, config, transport, plugins, logger });
  } catch (error) {
    await transport.close();
    throw error;
  }
}
