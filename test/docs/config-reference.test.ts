import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { CONFIG_REFERENCE_PATH, renderConfigReference } from '../../scripts/gen-config-docs.js';
import { REPO } from './markdown.js';

describe('docs/configuration.md', () => {
  it(
    'is what scripts/gen-config-docs.ts makes from the schema today (run `npm run docs` after ' +
      'changing the schema)',
    async () => {
      const written = await readFile(join(REPO, CONFIG_REFERENCE_PATH), 'utf8');
      expect(written, 'docs/configuration.md is out of date: run `npm run docs`').toBe(renderConfigReference());
    },
  );

  it('describes every top-level field of the schema', () => {
    const page = renderConfigReference();
    for (const [field, schema] of Object.entries(ConfigSchema.shape)) {
      expect(page).toContain(`### ${field}\n`);
      expect(schema.description, `ConfigSchema.${field} needs a .describe() text for the reference`).toBeTruthy();
    }
  });
});
