import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, docFiles } from './markdown.js';

const files = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { files: string[] }).files;
const shipped = (path: string) => files.some((entry) => path === entry || path.startsWith(`${entry}/`));

describe('the examples the docs link to', () => {
  it('ship in the package (package.json "files")', () => {
    const unshipped: string[] = [];
    let links = 0;
    for (const file of docFiles()) {
      const text = readFileSync(join(REPO, file), 'utf8');
      for (const match of text.matchAll(/\]\(((?:\.\.\/|\.\/)*examples\/[^)#\s]*)/g)) {
        links++;
        const target = relative(REPO, join(REPO, dirname(file), match[1]!));
        if (!shipped(target)) unshipped.push(`${file}: ${match[1]}`);
      }
    }
    expect(links).toBeGreaterThan(0);
    expect(unshipped).toEqual([]);
  });
});
