import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerBuiltinCommands } from '../../src/cli/commands/index.js';
import { REPO } from './markdown.js';

/** The built-in verbs as the CLI registers them, with their help text captured. */
async function verbs(): Promise<Array<{ name: string; longFlags: string[]; help: string }>> {
  let out = '';
  const program = new Command('cc2cc').configureOutput({
    writeOut: (text) => (out += text),
    writeErr: (text) => (out += text),
  });
  await registerBuiltinCommands(program);
  return program.commands.map((command) => {
    out = '';
    command.outputHelp();
    const longFlags = command.options.map((option) => option.long).filter((flag): flag is string => flag !== undefined);
    return { name: command.name(), longFlags, help: out };
  });
}

describe('the command line reference', () => {
  it('every verb has --help with an example', async () => {
    for (const verb of await verbs())
      expect(verb.help, `cc2cc ${verb.name} --help`).toMatch(/\nExamples?[^\n]*:\n {2}\S/);
  });

  it('docs/cli.md has a section for every verb, naming each of its options', async () => {
    const page = await readFile(join(REPO, 'docs/cli.md'), 'utf8');
    for (const verb of await verbs()) {
      const start = page.indexOf(`\n## cc2cc ${verb.name}\n`);
      expect(start, `docs/cli.md needs a "## cc2cc ${verb.name}" section`).toBeGreaterThan(-1);
      const section = page.slice(start, page.indexOf('\n## ', start + 1));
      for (const flag of verb.longFlags) expect(section, `docs/cli.md: cc2cc ${verb.name} ${flag}`).toContain(flag);
      expect(section, `docs/cli.md: an example for cc2cc ${verb.name}`).toMatch(/```sh/);
    }
  });
});
