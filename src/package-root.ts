import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where this package is installed, found the same way from the sources (tests run src/ through vitest) and from
// the bundle (users run dist/pkg/): the nearest folder up whose package.json is named cc2cc. Paths built from a
// file's own `import.meta.url` would change with the layout; these do not.

interface PackageJson {
  name?: string;
  version?: string;
  bin?: Record<string, string>;
}

let found: { root: string; json: PackageJson } | undefined;

/** The nearest folder at or above `from` whose package.json is named cc2cc. */
export function findPackageRoot(from: string): string {
  return findPackage(from).root;
}

function findPackage(from: string): { root: string; json: PackageJson } {
  let folder = resolve(from);
  for (;;) {
    const json = readPackageJson(folder);
    if (json?.name === 'cc2cc') return { root: folder, json };
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json named cc2cc at or above ${from}`);
    folder = parent;
  }
}

function readPackageJson(folder: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined; // none here (or unreadable): look one folder up
  }
}

function thisPackage(): { root: string; json: PackageJson } {
  found ??= findPackage(dirname(fileURLToPath(import.meta.url)));
  return found;
}

/** The root folder of the cc2cc package this code belongs to. */
export function packageRoot(): string {
  return thisPackage().root;
}

/** This package's version. */
export function packageVersion(): string {
  return thisPackage().json.version ?? '0.0.0';
}

/** The `cc2cc` command's file (package.json `bin`) of the package at `root`: this one unless told. */
export function cliPath(root?: string): string {
  const { root: folder, json } = root === undefined ? thisPackage() : findPackage(root);
  const bin = json.bin?.cc2cc;
  if (bin === undefined) throw new Error(`${join(folder, 'package.json')} has no bin.cc2cc`);
  return join(folder, bin);
}
