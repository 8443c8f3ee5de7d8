import { dirname, resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { Cc2ccError, describeError } from '../kernel/errors.js';
import { ConfigSchema, type ParsedConfig } from './schema.js';
import { findProject, type ProjectFolder } from './find-project.js';
import { upgradeEarlierKeys } from './earlier-keys.js';
import { resolveTransportEntry } from './transport-entry.js';
import { assertRoutesDoNotLoop } from '../kernel/routes.js';
import type { KernelConfig } from '../kernel/options.js';

export type LoadedConfig = Readonly<ParsedConfig> &
  KernelConfig & {
    /** The file it came from; undefined when no config was found (all defaults). */
    readonly configPath: string | undefined;
    /** Absolute path of the transport's `root`: this machine's cc2cc files (and, with `fs`, the bus). */
    readonly rootDir: string;
    /** Why `projectDir` is the project folder (for `cc2cc doctor`); undefined for a config given in code. */
    readonly projectReason?: string;
  };

export interface LoadOptions {
  /** Where the search starts (then upwards to the repository root: see `findProject`). */
  cwd?: string;
  /** An explicit file instead of a search. */
  configPath?: string;
  /** Values that win over the file (CLI flags). */
  overrides?: Record<string, unknown>;
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
const explorer = cosmiconfig('cc2cc', { searchStrategy: 'none', searchPlaces: CONFIG_FILES, cache: false });

/** Finds, reads and checks the config; a bad one throws with the path of each bad field. */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  let project: ProjectFolder;
  try {
    if (options.configPath) {
      const found = await explorer.load(resolve(cwd, options.configPath));
      project = { dir: dirname(found!.filepath), found, why: 'its config was given with --config' };
    } else {
      project = await findProject(cwd, (dir) => explorer.search(dir));
    }
  } catch (error) {
    throw new Cc2ccError('CONFIG_LOAD_FAILED', `could not load the cc2cc config: ${describeError(error)}`, {}, { cause: error });
  }
  const config = resolveConfig(project.found?.config ?? {}, { source: project.found?.filepath, projectDir: project.dir, overrides: options.overrides });
  return { ...config, projectReason: project.why };
}

/** Checks a config value (from a file or from code) and fills in defaults. */
export function resolveConfig(
  raw: unknown,
  { source, projectDir, overrides = {} }: { source?: string; projectDir: string; overrides?: Record<string, unknown> },
): LoadedConfig {
  const value = unwrapDefault(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Cc2ccError('INVALID_CONFIG', `${source ?? 'config'}: expected an object (export default defineConfig({...})), got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const upgraded = upgradeEarlierKeys({ ...value, ...definedOnly(overrides) }, source);
  const result = ConfigSchema.safeParse(upgraded.config);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
    throw new Cc2ccError('INVALID_CONFIG', `invalid cc2cc config in ${source ?? 'inline config'}:\n${problems.join('\n')}`, {
      source,
      issues: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  try {
    assertRoutesDoNotLoop(result.data.routes);
  } catch (error) {
    throw new Cc2ccError('INVALID_CONFIG', `invalid cc2cc config in ${source ?? 'inline config'}: ${(error as Error).message}`, { source });
  }
  const transport = resolveTransportEntry(result.data.transport, source, upgraded.root);
  return { ...result.data, transport: transport.spec, projectDir, configPath: source, rootDir: resolve(projectDir, transport.root) };
}

// An ES module config may arrive as `{ default: {...} }`.
function unwrapDefault(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'default' in value && Object.keys(value).length === 1) {
    return (value as { default: unknown }).default;
  }
  return value;
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
