import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Tests mirror the code (docs/testing.md): a folder under test/ names a folder of src/ or of
 * the repository (plugins/…, bench/, docs/), so a reader finds a module's tests by its path.
 * The suites that test the whole product across modules have folders of their own, listed here.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SYSTEM_SUITES = ['architecture', 'clients', 'packaging', 'reliability', 'security'];
const HELPER_FOLDERS = ['support', 'fixtures', 'results'];

function testFolders(dir: string, rel = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !HELPER_FOLDERS.includes(entry.name))
    .flatMap((entry) => {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && SYSTEM_SUITES.includes(entry.name)) return [];
      return [path, ...testFolders(join(dir, entry.name), path)];
    });
}

describe('the test layout', () => {
  const folders = testFolders(join(ROOT, 'test'));

  it('finds the test folders', () => {
    expect(folders).toEqual(expect.arrayContaining(['kernel', 'transports/fs', 'plugins/claims']));
  });

  it('mirrors src/ and the repository: every test folder names a code folder', () => {
    const orphans = folders.filter(
      (folder) => !existsSync(join(ROOT, 'src', folder)) && !existsSync(join(ROOT, folder)),
    );
    expect(orphans).toEqual([]);
  });

  it("keeps plugin tests in the plugin's folder", () => {
    const loose = readdirSync(join(ROOT, 'test/plugins')).filter((name) => name.endsWith('.test.ts'));
    expect(loose).toEqual([]);
  });
});
