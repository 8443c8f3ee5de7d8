import { fileURLToPath } from 'node:url';

/**
 * A helper program of this folder that the contracts run in a child process: next to this
 * file in dist/, or in dist/ when the contract runs from source (`npm run build` first).
 */
export function builtProgram(file: string): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? `../../dist/src/testing/${file}` : `./${file}`, import.meta.url));
}
