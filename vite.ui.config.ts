import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Builds the `cc2cc ui` page (src/ui/web) into dist/ui, which ships in the package:
// users run `cc2cc ui` with no build step. Relative asset URLs keep the token path.
export default defineConfig({
  root: fileURLToPath(new URL('./src/ui/web/', import.meta.url)),
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/ui/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
