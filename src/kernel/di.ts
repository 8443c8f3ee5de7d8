import { createRequire } from 'node:module';
import type * as Tsyringe from 'tsyringe';

// Required, not imported: both packages are CommonJS, and importing one from an ES module makes Node scan
// it (and each file it re-exports) for export names, which cost more CLI start-up than loading them did.
const require = createRequire(import.meta.url);

/** The Reflect metadata polyfill that tsyringe's decorators need, loaded before tsyringe. */
require('reflect-metadata');

const tsyringe = require('tsyringe') as typeof Tsyringe;

export const { container, inject, injectable } = tsyringe;
