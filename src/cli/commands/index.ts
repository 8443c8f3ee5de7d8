import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every built-in verb, in the order `--help` lists them, with the module that registers it.
 * A command line that names one verb imports only that verb's module (`cc2cc send` does not
 * load the MCP server, `cc2cc serve` does not load `doctor`); the verb list imports them all.
 */
const BUILTIN_VERBS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['init', async () => (await import('./init.js')).registerInit],
  ['serve', async () => (await import('./serve.js')).registerServe],
  ['send', async () => (await import('./send.js')).registerSend],
  ['status', async () => (await import('./status.js')).registerStatus],
  ['agents', async () => (await import('./agents.js')).registerAgents],
  ['tail', async () => (await import('./tail.js')).registerTail],
  ['ui', async () => (await import('./ui.js')).registerUi],
  ['doctor', async () => (await import('./doctor.js')).registerDoctor],
  ['demo', async () => (await import('./demo.js')).registerDemo],
  ['hook', async () => (await import('./hook.js')).registerHook],
];

export function isBuiltinVerb(verb: string | undefined): boolean {
  return BUILTIN_VERBS.some(([name]) => name === verb);
}

/** Registers `verb` when it is built in, else every built-in verb (for `--help`, `help` and errors). */
export async function registerBuiltinCommands(program: Command, verb?: string): Promise<void> {
  const wanted = isBuiltinVerb(verb) ? BUILTIN_VERBS.filter(([name]) => name === verb) : BUILTIN_VERBS;
  const registers = await Promise.all(wanted.map(([, load]) => load()));
  for (const register of registers) register(program);
}
