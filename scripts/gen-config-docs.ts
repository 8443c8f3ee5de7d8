/**
 * Writes docs/configuration.md from the zod schema in src/config/schema.ts, so the
 * reference cannot drift from what the loader accepts: `npm run docs`.
 *
 * It walks `z.toJSONSchema(ConfigSchema)` (zod 4): each field's type, default and its
 * `.describe()` text. test/docs/config-reference.test.ts renders it again and compares.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigSchema, FsTransportSchema } from '../src/config/schema.js';

/** The JSON Schema subset zod emits for the config. */
interface Node {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Node[];
  items?: Node | false;
  prefixItems?: Node[];
  properties?: Record<string, Node>;
  required?: string[];
  minimum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
}

interface Field {
  path: string;
  node: Node;
  required: boolean;
}

export const CONFIG_REFERENCE_PATH = 'docs/configuration.md';

const GENERATED_NOTE =
  '<!-- Generated from src/config/schema.ts by scripts/gen-config-docs.ts. Do not edit: ' +
  "change the schema's .describe() texts and run `npm run docs`. -->";

const HEADER = `${GENERATED_NOTE}

# Configuration reference

cc2cc reads one config per project: a \`cc2cc\` key in \`package.json\`, \`.cc2ccrc\` (JSON
or YAML), \`.cc2ccrc.{json,yaml,yml,js,ts,mjs,cjs}\`, or \`cc2cc.config.{ts,js,mjs,cjs,json}\`
(read with [cosmiconfig](https://github.com/cosmiconfig/cosmiconfig)). \`--config FILE\`
names one instead.

**One bus per repository.** From the current folder up, the first folder that holds a cc2cc
config or an existing \`.cc2cc/\` is the project folder (\`transport.root\` is resolved against it).
The search stops at the repository root (the nearest folder with \`.git\`); when it found
nothing, the repository root is the project folder, so a session started in a sub-package
(\`packages/api\`, with its own \`package.json\`) uses the repository's bus. Only a
sub-package with its own config (or its own \`.cc2cc/\`) has a bus of its own. Outside a git
repository the search stops at the first folder with a \`package.json\` or at the home
folder, and finding nothing means the current folder. \`cc2cc doctor\` says which folder is
in use and why (its \`root\` line).

Every field is optional;
a field the schema does not know, or a value of the wrong type, stops the program with the
path of the field and what was expected; \`cc2cc doctor\` shows the same.

\`\`\`ts
// cc2cc.config.ts
import { defineConfig } from 'cc2cc';

export default defineConfig({
  agents: ['backend', 'tests', 'reviewer'],
  plugins: ['rooms', 'topics'],
  routes: [{ match: { to: 'topic:ci.*' }, also: ['room:reviewers'] }],
});
\`\`\`

The same in \`.cc2ccrc.json\`: \`{ "agents": ["backend", "tests", "reviewer"], "plugins": ["rooms", "topics"], ... }\`.
Plugins take their own options (\`["rooms", { "members": { ... } }]\`): see [plugins](plugins.md).

## TypeScript configs

A \`.ts\` config (\`cc2cc.config.ts\`, \`.cc2ccrc.ts\`, also \`.mts\` and \`.cts\`) is loaded with
[jiti](https://github.com/unjs/jiti), as ESLint and Tailwind load theirs: the config and the local
TypeScript files it imports are transpiled, so a plugin or transport of your own sits next to
it and is imported the usual ESM way, with \`.js\` for a \`.ts\` file:

\`\`\`ts
// cc2cc.config.ts, next to guard.ts and journaled-transport.ts
import { defineConfig } from 'cc2cc';
import { guard } from './guard.js';
import { journaled } from './journaled-transport.js';

export default defineConfig({ plugins: [guard], transport: journaled() });
\`\`\`

Installed packages (\`cc2cc\` itself, a plugin package) are imported natively, so the config
and the CLI share one copy of cc2cc. The \`typescript\` package is not needed.

**The transpile cache.** Each transpiled file is kept on disk, named after its path and used
only while the hash of its source still matches, so after the first command a config loads in
milliseconds. It lives in \`node_modules/.cache/cc2cc/\` of the config's folder when that folder
has a \`node_modules\`, else in \`cc2cc-<uid>/config-cache/\` of the system's temporary folder
(made with mode 0700; a folder there that another user owns or can write to is not used, so
nobody can plant code that your CLI would run). \`CC2CC_CONFIG_CACHE=<folder>\` puts it
elsewhere; \`CC2CC_CONFIG_CACHE=0\` turns it off. Deleting the folder is always safe.

When the config or a file it imports fails to load (a misspelled import, a package that is
not installed), every verb stops with \`CONFIG_LOAD_FAILED\` and the loader's message, and
\`cc2cc doctor\` shows it with what to check.
`;

/** The whole reference page, as Markdown. */
export function renderConfigReference(): string {
  const root = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as Node;
  const fields = collect(root, '');
  // The folder transport's options sit in the `transport` union: listed after it, as `transport.<option>`.
  const fs = z.toJSONSchema(FsTransportSchema, { io: 'input', unrepresentable: 'any' }) as Node;
  const after = fields.findIndex((field) => field.path === 'transport') + 1;
  fields.splice(after, 0, ...collect(fs, 'transport.'));
  const lines = [HEADER, '## Fields', '', '| field | type | default |', '| --- | --- | --- |'];
  for (const field of fields)
    lines.push(
      `| [\`${field.path}\`](#${anchor(field.path)}) | ${cell(fieldType(field.node))} | ${cell(defaultOf(field))} |`,
    );
  for (const field of fields) {
    lines.push('', `### ${field.path}`, '');
    lines.push(`Type: ${fieldType(field.node)}. Default: ${defaultOf(field)}.`);
    if (field.node.description) lines.push('', field.node.description);
  }
  return `${lines.join('\n')}\n`;
}

/** Every field, depth first: nested objects (`retention`, `routes[].match`) list theirs after them. */
function collect(node: Node, prefix: string): Field[] {
  const fields: Field[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${name}`;
    fields.push({ path, node: child, required: node.required?.includes(name) ?? false });
    if (child.properties) fields.push(...collect(child, `${path}.`));
    if (child.type === 'array' && child.items && child.items.properties)
      fields.push(...collect(child.items, `${path}[].`));
  }
  return fields;
}

/** A field's own object (or list of objects) has its fields listed after it. */
function fieldType(node: Node): string {
  if (node.properties) return 'object (its fields follow)';
  if (node.type === 'array' && node.items && node.items.properties) return 'array of objects (their fields follow)';
  return typeOf(node);
}

function typeOf(node: Node): string {
  if (node.enum) return node.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.anyOf) return node.anyOf.map(typeOf).join(' \\| ');
  switch (node.type) {
    case 'string':
      return node.minLength ? 'non-empty string' : 'string';
    case 'integer':
    case 'number': {
      const word = node.type === 'integer' ? 'integer' : 'number';
      if (node.exclusiveMinimum !== undefined) return `${word} > ${node.exclusiveMinimum}`;
      if (node.minimum !== undefined) return `${word} ≥ ${node.minimum}`;
      return word;
    }
    case 'boolean':
      return 'boolean';
    case 'array': {
      if (node.prefixItems) return `[${node.prefixItems.map(typeOf).join(', ')}]`;
      const item = node.items ? typeOf(node.items) : 'unknown';
      const list = item.includes(' ') ? `array of (${item})` : `${item}[]`;
      return node.minItems ? `${list}, at least ${node.minItems}` : list;
    }
    case 'object': {
      const properties = Object.entries(node.properties ?? {});
      if (properties.length === 0) return 'object';
      // An object nested in a union reads best inline; a field's own object is listed below it.
      return `{ ${properties.map(([name, child]) => `${name}: ${typeOf(child)}`).join(', ')}, … }`;
    }
    default:
      // zod's custom schemas (a plugin object, a transport factory) have no JSON Schema: their description names them.
      return node.description ?? 'unknown';
  }
}

function defaultOf(field: Field): string {
  const value = field.node.default;
  if (value === undefined) return field.required ? 'none (required)' : 'none';
  const shown = `\`${JSON.stringify(value)}\``;
  return typeof value === 'number' && /Ms$/.test(field.path) && value >= 1000 ? `${shown} (${duration(value)})` : shown;
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` removed. */
function anchor(path: string): string {
  return path
    .toLowerCase()
    .replace(/[^a-z0-9_\- ]/g, '')
    .replace(/ /g, '-');
}

function cell(text: string): string {
  return text.replace(/\n/g, ' ');
}

async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? CONFIG_REFERENCE_PATH);
  await writeFile(target, renderConfigReference());
  process.stdout.write(`wrote ${target}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`gen-config-docs: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
