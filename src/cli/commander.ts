import { createRequire } from 'node:module';
import type * as Commander from 'commander';

// Required, not imported: commander is CommonJS, and its ES module wrapper makes Node scan the whole
// package for export names on every start of the CLI.
export const { Command, CommanderError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;
