import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { createJiti as CreateJiti } from 'jiti';

/**
 * Loads a TypeScript config (`cc2cc.config.ts`) with jiti, as ESLint and Tailwind do: the
 * config and the local `.ts` files it imports (`import { guard } from './guard.js'` next to
 * `guard.ts`) are transpiled, installed packages (`cc2cc` itself) are imported natively, so
 * the config and the CLI share one copy of cc2cc. Each transpiled file is cached on disk
 * under a name derived from its path and is used only while its source hash still matches,
 * so a later command skips the transpiler (docs/configuration.md#typescript-configs).
 */
export async function loadTypeScriptConfig(filepath: string): Promise<unknown> {
  // Loaded on use (JSON and JavaScript configs never load it), and with require: importing its CommonJS
  // build from ESM makes Node scan 190 kB for export names, several times the cost of loading it.
  const { createJiti } = createRequire(import.meta.url)('jiti') as { createJiti: typeof CreateJiti };
  const cacheDir = configCacheDir(dirname(filepath));
  const jiti = createJiti(import.meta.url, {
    fsCache: cacheDir ?? false,
    // Read the file again on every load in one process: `doctor` and tests load changed configs.
    moduleCache: false,
    // The module as written: `export default defineConfig({...})`, no proxy merging the named exports in.
    interopDefault: false,
  });
  const module = await jiti.import<Record<string, unknown>>(filepath);
  return 'default' in module ? module.default : module;
}

/**
 * Where transpiled config files are kept: `CC2CC_CONFIG_CACHE` if set (`0` turns the cache
 * off), else `node_modules/.cache/cc2cc` of the config's folder when it has a `node_modules`,
 * else a folder of this user's own in the temporary folder (mode 0700: another user must not
 * be able to plant a file that this user's CLI would then run).
 */
export function configCacheDir(configDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.CC2CC_CONFIG_CACHE;
  if (chosen === '0' || chosen === 'false') return undefined;
  const dir = chosen || defaultCacheDir(configDir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The folder and the one it sits in: whoever may rename entries in the parent could swap the folder.
    return ownedByThisUser(dir) && ownedByThisUser(dirname(dir)) ? dir : undefined;
  } catch {
    return undefined; // a read-only project still loads its config, only without the cache
  }
}

// A folder someone else made first (in a shared temporary folder) or may write to is not used.
function ownedByThisUser(dir: string): boolean {
  if (typeof process.getuid !== 'function') return true;
  const info = statSync(dir);
  return info.uid === process.getuid() && (info.mode & 0o022) === 0;
}

function defaultCacheDir(configDir: string): string {
  const modules = join(configDir, 'node_modules');
  if (existsSync(modules)) return join(modules, '.cache', 'cc2cc');
  return join(tmpdir(), `cc2cc-${userName()}`, 'config-cache');
}

function userName(): string {
  try {
    return typeof process.getuid === 'function' ? String(process.getuid()) : userInfo().username;
  } catch {
    return 'user';
  }
}
