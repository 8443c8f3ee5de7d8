import { describe, expect, it } from 'vitest';
import { expandBraces, globMatches, globsOverlap } from '../../../plugins/claims/glob-overlap.js';

const cases: Array<[string, string, boolean]> = [
  // glob against path
  ['src/**', 'src/a.ts', true],
  ['src/**', 'src/deep/er/a.ts', true],
  ['src/**', 'srcx/a.ts', false],
  ['src/**', 'lib/a.ts', false],
  ['*.md', 'README.md', true],
  ['*.md', 'docs/x.md', false], // `*` does not cross `/`
  ['**/*.md', 'docs/x.md', true],
  ['**/*.md', 'README.md', true],
  ['src/*.ts', 'src/a.ts', true],
  ['src/*.ts', 'src/sub/a.ts', false],
  ['src/?.ts', 'src/a.ts', true],
  ['src/?.ts', 'src/ab.ts', false],
  // `**` in the middle matches zero or more folders
  ['src/**/test.ts', 'src/test.ts', true],
  ['src/**/test.ts', 'src/a/b/test.ts', true],
  ['src/**/test.ts', 'src/a/b/test.tsx', false],
  ['a/**/b/**/c', 'a/b/c', true],
  ['a/**/b/**/c', 'a/x/y/c', false],
  // character classes
  ['src/[abc].ts', 'src/b.ts', true],
  ['src/[abc].ts', 'src/d.ts', false],
  ['src/[a-f]*.ts', 'src/cat.ts', true],
  ['src/[a-f]*.ts', 'src/zebra.ts', false],
  ['src/[!a].ts', 'src/a.ts', false],
  ['src/[!a].ts', 'src/b.ts', true],
  ['src/[^a].ts', 'src/a.ts', false],
  ['a[/]b', 'a/b', false], // a class never matches `/`
  // glob against glob
  ['src/**', 'src/*.ts', true],
  ['src/**', '**/*.ts', true],
  ['*.md', 'docs/*', false],
  ['docs/*.md', 'docs/*.txt', false],
  ['docs/*.md', 'docs/a*', true],
  ['src/[a-c]*', 'src/[x-z]*', false],
  ['src/[a-c]*', 'src/[c-e]*', true],
  ['src/[!a]', 'src/[a]', false],
  ['src/[!a]', 'src/[ab]', true],
  ['src/[!a]', 'src/[!b]', true],
  ['*/x.ts', 'a/*.ts', true],
  ['*/x.ts', 'a/b/*.ts', false],
  ['**/a/**', '**/b/**', true], // both take x/a/b/y
  ['a/**', 'b/**', false],
  ['**', 'anything/at/all', true],
  ['x/**/y', 'x/**/z', false],
  ['x/**/y*', 'x/*/yes', true],
  ['{src,lib}/a.ts', 'lib/a.ts', true],
  ['{src,lib}/a.ts', 'test/a.ts', false],
  ['src/', 'src/a/b.ts', true], // a folder claims its contents
  ['./src/a.ts', 'src/a.ts', true],
  ['src/\\*', 'src/b', false], // an escaped star is a literal
  ['src/\\*', 'src/*', true],
];

describe('globsOverlap', () => {
  it.each(cases)('%s vs %s → %s, both ways round', (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });

  it('matches a path that has glob characters in its name literally', () => {
    expect(globMatches('docs/*.md', 'docs/[draft].md')).toBe(true);
    expect(globMatches('docs/[abc].md', 'docs/[abc].md')).toBe(false);
    expect(globMatches('docs/?', 'docs/*')).toBe(true);
  });

  it('expands braces, nested ones too', () => {
    expect(expandBraces('{a,b{c,d}}/x')).toEqual(['a/x', 'bc/x', 'bd/x']);
    expect(expandBraces('no braces')).toEqual(['no braces']);
  });

  it('stays fast on globs full of stars', () => {
    const many = `${'*a'.repeat(40)}`;
    expect(globsOverlap(many, `${'a*'.repeat(40)}b`)).toBe(false);
    expect(globsOverlap(`${'**/'.repeat(20)}x`, `${'*/'.repeat(20)}x`)).toBe(true);
  });
});
