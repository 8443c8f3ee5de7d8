import { defineConfig } from 'cc2cc';

// This repository's own bus: the examples and `cc2cc send` run from here use it.
export default defineConfig({
  transport: { use: 'fs', root: '.cc2cc' },
  // The three agents of examples/three-agents: known before they first start, so
  // messages to them queue instead of being refused.
  agents: ['backend', 'tests', 'reviewer'],
  delivery: 'auto',
  plugins: [],
});
