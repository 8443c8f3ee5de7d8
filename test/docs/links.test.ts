import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, codeBlocks, docFiles } from './markdown.js';

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsIn(markdown: string): Set<string> {
  const withoutCode = codeBlocks(markdown, '').reduce((text, block) => text.replace(block.code, ''), markdown);
  return new Set([...withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

/** Relative links `[text](path#anchor)` outside code; web links are not checked. */
function linksIn(markdown: string): string[] {
  const withoutCode = codeBlocks(markdown, '')
    .reduce((text, block) => text.replace(block.code, ''), markdown)
    .replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe('links in README.md and docs/', () => {
  for (const file of docFiles()) {
    it(`${file}: every relative link and anchor leads somewhere`, () => {
      const text = readFileSync(join(REPO, file), 'utf8');
      const broken: string[] = [];
      for (const link of linksIn(text)) {
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? join(REPO, file) : join(REPO, dirname(file), path);
        if (!existsSync(target)) {
          broken.push(`${link}: ${relative(REPO, target)} does not exist`);
          continue;
        }
        if (anchor && target.endsWith('.md') && !anchorsIn(readFileSync(target, 'utf8')).has(anchor))
          broken.push(`${link}: no heading for #${anchor}`);
      }
      expect(broken).toEqual([]);
    });
  }
});
