import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { packageRoot } from '../../package-root.js';

export interface Asset {
  body: Uint8Array;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The built page, read into memory once. Only these files are ever served, so no request
 * path reaches the file system. Empty when the page was not built (`npm run build`).
 */
export async function loadAssets(dir?: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  // Where `vite build` puts the page, the same folder from the bundle and from the sources.
  const root = dir ?? (await firstExisting([join(packageRoot(), 'dist/ui')]));
  if (root === undefined) return assets;
  for (const path of await listFiles(root)) {
    const name = relative(root, path).split(sep).join('/');
    assets.set(name, { body: await readFile(path), type: TYPES[extname(path)] ?? 'application/octet-stream' });
  }
  return assets;
}

async function firstExisting(dirs: string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    try {
      await readFile(join(dir, 'index.html'));
      return dir;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
  }
  return undefined;
}

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}
