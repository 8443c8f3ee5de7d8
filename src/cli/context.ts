import type { LoadedConfig } from '../config/load.js';
import type { RuntimeOptions } from '../runtime.js';
import type { Cc2cc } from '../kernel/compose.js';

/** Options every verb shares. */
export interface GlobalOptions {
  config?: string;
  debug?: boolean;
}

// The config loader and the kernel are imported when a verb runs, not when the CLI starts: `--help` needs neither.
export async function configFrom(options: GlobalOptions, overrides?: Record<string, unknown>): Promise<LoadedConfig> {
  const { loadConfig } = await import('../config/load.js');
  return loadConfig({ ...(options.config && { configPath: options.config }), ...(overrides && { overrides }) });
}

/** `createRuntime`, imported on first use. */
export async function createRuntime(config: LoadedConfig, options: RuntimeOptions = {}): Promise<Cc2cc> {
  const runtime = await import('../runtime.js');
  return runtime.createRuntime(config, options);
}

/** Runs `fn` with a runtime built from the project's config, and always closes it. */
export async function withRuntime<T>(
  options: GlobalOptions,
  fn: (runtime: Cc2cc, config: LoadedConfig) => Promise<T>,
  runtimeOptions: RuntimeOptions = {},
): Promise<T> {
  const config = await configFrom(options);
  const runtime = await createRuntime(config, runtimeOptions);
  try {
    return await fn(runtime, config);
  } finally {
    await runtime.close();
  }
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Resolves on the first of SIGINT/SIGTERM/SIGHUP. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // Signal listeners keep nothing alive, and a watcher may hold no handle (`tail` on a folder
    // that does not exist yet): without this timer the process would exit at once.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        clearInterval(keepAlive);
        resolve(signal);
      });
    }
  });
}
