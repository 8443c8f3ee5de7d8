import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');

/**
 * The marker for a shell block the docs test runs: the fence's info string is `sh` (or
 * `bash`) followed by the word `runnable`:
 *
 *     ```sh runnable
 *     npx cc2cc init --agents backend,tests
 *     ```
 *
 * GitHub highlights it as `sh` and does not show the marker. A runnable block runs with
 * `bash -euo pipefail` in a temporary project where `npx cc2cc` and `cc2cc` are this
 * package's built CLI; the blocks of one file share that project and run in order, so a
 * page can build on its earlier steps. Leave the marker off blocks that start something
 * long-running (`serve`, `tail`, `ui`), need Claude Code or the network, or only show syntax.
 */
export const RUNNABLE = /^(?:sh|bash|shell)\s+runnable\b/;

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  info: string;
  code: string;
}

/** Fenced code blocks (``` or ~~~), with their info strings. */
export function codeBlocks(markdown: string, file: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*(.*)$/.exec(lines[index]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end++) {
      if (new RegExp(`^ {0,3}${fence![0]}{${fence!.length},}\\s*$`).test(lines[end]!)) break;
      body.push(lines[end]!.startsWith(indent!) ? lines[end]!.slice(indent!.length) : lines[end]!);
    }
    blocks.push({ file, line: index + 1, info: info!.trim(), code: body.join('\n') });
    index = end;
  }
  return blocks;
}

/** README.md and every page in docs/, as paths relative to the repository. */
export function docFiles(): string[] {
  const docs = readdirSync(join(REPO, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

export function runnableBlocks(file: string): CodeBlock[] {
  return codeBlocks(readFileSync(join(REPO, file), 'utf8'), file).filter((block) => RUNNABLE.test(block.info));
}

export function relativeToRepo(path: string): string {
  return relative(REPO, path);
}
