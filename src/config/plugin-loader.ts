import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Cc2ccError, describeError } from '../kernel/errors.js';
import type { Plugin } from '../kernel/plugin.js';
import type { PluginSpec } from './schema.js';

// biome-ignore lint/suspicious/noExplicitAny: each factory types its own options; a config passes whatever it holds.
type PluginFactory = (options?: any) => Plugin;

/**
 * Turns config entries into plugin objects: a built-in name (`"rooms"`), an installed
 * package (`"cc2cc-plugin-x"`, resolved from the project folder), either with options
 * (`["rooms", { members: {...} }]`), or a plugin object written in a TS/JS config.
 * The built-in names come from the composition root (src/runtime.ts), each imported only when named.
 */
export async function loadPlugins(
  specs: readonly PluginSpec[],
  projectDir: string,
  loadBuiltins: () => Promise<Readonly<Record<string, () => Promise<PluginFactory>>>>,
): Promise<Plugin[]> {
  const plugins: Plugin[] = [];
  // Without a plugin named by string (none, or objects from a TS/JS config) the built-in ones are not loaded.
  if (specs.every((spec) => typeof spec === 'object' && !Array.isArray(spec))) return [...(specs as Plugin[])];
  const builtinPlugins = await loadBuiltins();
  for (const spec of specs) {
    if (typeof spec === 'object' && !Array.isArray(spec)) {
      plugins.push(spec);
      continue;
    }
    const [name, options] = typeof spec === 'string' ? [spec, undefined] : spec;
    const builtin = Object.hasOwn(builtinPlugins, name) ? builtinPlugins[name] : undefined;
    const factory = builtin
      ? await builtin()
      : await importPluginFactory(name, projectDir, Object.keys(builtinPlugins));
    plugins.push(factory(options));
  }
  return plugins;
}

async function importPluginFactory(name: string, projectDir: string, known: string[]): Promise<PluginFactory> {
  let resolved: string;
  try {
    resolved = createRequire(`${projectDir}/package.json`).resolve(name);
  } catch {
    throw new Cc2ccError(
      'UNKNOWN_PLUGIN',
      `plugin "${name}" is neither built in (${known.join(', ') || 'none'}) nor an installed package in ${projectDir}`,
      { name, known },
    );
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Cc2ccError(
      'UNKNOWN_PLUGIN',
      `plugin package "${name}" failed to load: ${describeError(error)}`,
      { name },
      { cause: error },
    );
  }
  const exported = module.default ?? module.plugin;
  if (typeof exported === 'function') return exported as PluginFactory;
  if (typeof exported === 'object' && exported !== null && 'setup' in exported) return () => exported as Plugin;
  throw new Cc2ccError(
    'UNKNOWN_PLUGIN',
    `plugin package "${name}" must export a plugin factory or a plugin object as default`,
    { name },
  );
}
