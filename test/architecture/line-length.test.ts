import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No line over 120 characters (STYLE.md). Biome formats code to that width, but it does not
 * break strings, regular expressions or comments: this test does not let those through either.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const LIMIT = 120;
const CODE = /\.(ts|mts|cts|js|mjs|cjs|css)$/;

describe('line length', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => CODE.test(file));

  it('finds the code (git ls-files works here)', () => {
    expect(files).toContain('src/kernel/bus.ts');
  });

  it(`keeps every line of code within ${LIMIT} characters`, () => {
    const long = files.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => ([...line].length > LIMIT ? [`${file}:${index + 1} (${[...line].length})`] : [])),
    );
    expect(long).toEqual([]);
  });
});
