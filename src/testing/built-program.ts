import { dirname, join } from 'node:path';
import { cliPath } from '../package-root.js';

/**
 * A helper program of this folder that the contracts run in a child process: an entry of the bundle
 * (rolldown.config.mjs), next to the CLI in dist/pkg/, whether the contract runs from the bundle or from
 * source (`npm run build` first).
 */
export function builtProgram(file: string): string {
  return join(dirname(cliPath()), file);
}
