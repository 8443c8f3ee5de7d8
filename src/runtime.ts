import { compose, type Cc2cc, type ComposeOptions } from './kernel/compose.js';
import { createStderrLogger } from './kernel/logger.js';
import { loadPlugins } from './config/plugin-loader.js';
import { createTransport } from './transports/registry.js';
import type { LoadedConfig } from './config/load.js';
import type { DependencyContainer } from 'tsyringe';
import type { Plugin } from './kernel/plugin.js';

/**
 * The composition root: the one place under src/ that knows the first-party plugins (and,
 * through transports/registry.ts, the built-in transports) by name. Everything else gets
 * them from here (test/architecture/import-graph.test.ts holds that). Each is imported on
 * first use: a command loads only the built-in plugins its config names.
 */
export async function builtinPluginLoaders(): Promise<typeof import('../plugins/registry.js').builtinPluginLoaders> {
  return (await import('../plugins/registry.js')).builtinPluginLoaders;
}

export interface RuntimeOptions extends Partial<Omit<ComposeOptions, 'config' | 'transport' | 'plugins'>> {
  /** Plugins added after the configured ones (the MCP server adds none; tests may). */
  extraPlugins?: readonly Plugin[];
}

/** From a loaded config to a running kernel: transport and plugins as the config says. */
export async function createRuntime(config: LoadedConfig, options: RuntimeOptions = {}): Promise<Cc2cc> {
  const logger = options.logger ?? createStderrLogger(config.logLevel);
  const configured = await loadPlugins(config.plugins, config.projectDir, builtinPluginLoaders);
  const plugins = [...configured, ...(options.extraPlugins ?? [])];
  const transport = await createTransport(config, logger);
  try {
    // The config's overrides first, then the caller's (a test's), which get the last word.
    const overrides = (container: DependencyContainer) => {
      config.overrides?.(container);
      options.overrides?.(container);
    };
    return await compose({ ...options, config, transport, plugins, logger, overrides });
  } catch (error) {
    await transport.close();
    throw error;
  }
}
