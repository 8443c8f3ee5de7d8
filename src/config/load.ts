import { resolve } from 'node:path';
import { Cc2ccError } from '../kernel/errors.js';
import { ConfigSchema, type ParsedConfig } from './schema.js';
import { readConfigFile, unwrapDefault, type ReadOptions } from './read-config.js';
import type { ProjectFolder } from './find-project.js';
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

export interface LoadOptions extends ReadOptions {
  /** Values that win over the file (CLI flags). */
  overrides?: Record<string, unknown>;
}

export { CONFIG_FILES } from './read-config.js';

/** Finds, reads and checks the config; a bad one throws with the path of each bad field. */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  return checkConfigFile(await readConfigFile(options), options.overrides);
}

/** `loadConfig` for a config file already read (`readConfigFile`). */
export function checkConfigFile(project: ProjectFolder, overrides?: Record<string, unknown>): LoadedConfig {
  const config = resolveConfig(project.found?.config ?? {}, {
    source: project.found?.filepath,
    projectDir: project.dir,
    overrides,
  });
  return { ...config, projectReason: project.why };
}

/** Checks a config value (from a file or from code) and fills in defaults. */
export function resolveConfig(
  raw: unknown,
  { source, projectDir, overrides = {} }: { source?: string; projectDir: string; overrides?: Record<string, unknown> },
): LoadedConfig {
  const value = unwrapDefault(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `${source ?? 'config'}: expected an object (export default defineConfig({...})), got ` +
        `${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  const upgraded = upgradeEarlierKeys({ ...value, ...definedOnly(overrides) }, source);
  const result = ConfigSchema.safeParse(upgraded.config);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
    );
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `invalid cc2cc config in ${source ?? 'inline config'}:\n${problems.join('\n')}`,
      {
        source,
        issues: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      },
    );
  }
  try {
    assertRoutesDoNotLoop(result.data.routes);
  } catch (error) {
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `invalid cc2cc config in ${source ?? 'inline config'}: ${(error as Error).message}`,
      { source },
    );
  }
  const transport = resolveTransportEntry(result.data.transport, source, upgraded.root);
  return {
    ...result.data,
    transport: transport.spec,
    projectDir,
    configPath: source,
    rootDir: resolve(projectDir, transport.root),
  };
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
