import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type * as Cosmiconfig from 'cosmiconfig';
import { Cc2ccError, describeError } from '../kernel/errors.js';
import { findProject, type ProjectFolder } from './find-project.js';
import { loadTypeScriptConfig } from './ts-loader.js';

export interface ReadOptions {
  /** Where the search starts (then upwards to the repository root: see `findProject`). */
  cwd?: string;
  /** An explicit file instead of a search. */
  configPath?: string;
}

/** Where a config is looked for in each folder, first found wins: the documented names first. */
export const CONFIG_FILES = [
  'package.json',
  'cc2cc.config.ts',
  'cc2cc.config.js',
  'cc2cc.config.mjs',
  'cc2cc.config.cjs',
  'cc2cc.config.json',
  '.cc2ccrc',
  '.cc2ccrc.json',
  '.cc2ccrc.yaml',
  '.cc2ccrc.yml',
  '.cc2ccrc.js',
  '.cc2ccrc.mjs',
  '.cc2ccrc.cjs',
  '.cc2ccrc.ts',
];

// One folder at a time: `findProject` decides where the search goes and where it stops.
// TypeScript goes through jiti (local `.ts` imports work, transpiled files are cached), not cosmiconfig's
// own loader, which needs the typescript package and cannot follow a config's imports.
const typescript = (filepath: string) => loadTypeScriptConfig(filepath);
// Required, not imported: importing its CommonJS build from an ES module makes Node scan it for export names.
const { cosmiconfig } = createRequire(import.meta.url)('cosmiconfig') as typeof Cosmiconfig;
const explorer = cosmiconfig('cc2cc', {
  searchStrategy: 'none',
  searchPlaces: CONFIG_FILES,
  cache: false,
  loaders: { '.ts': typescript, '.mts': typescript, '.cts': typescript },
});

/**
 * Finds the project folder and reads its config file as written, unchecked: `loadConfig`
 * checks it; `cc2cc --help` only looks whether it names plugins (and so skips the schema).
 */
export async function readConfigFile(options: ReadOptions = {}): Promise<ProjectFolder> {
  const cwd = resolve(options.cwd ?? process.cwd());
  try {
    if (options.configPath) {
      const found = await explorer.load(resolve(cwd, options.configPath));
      return { dir: dirname(found!.filepath), found, why: 'its config was given with --config' };
    }
    return await findProject(cwd, (dir) => explorer.search(dir));
  } catch (error) {
    throw new Cc2ccError(
      'CONFIG_LOAD_FAILED',
      `could not load the cc2cc config: ${describeError(error)}`,
      {},
      { cause: error },
    );
  }
}

// An ES module config may arrive as `{ default: {...} }`.
export function unwrapDefault(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'default' in value && Object.keys(value).length === 1) {
    return (value as { default: unknown }).default;
  }
  return value;
}
