// The published package: tsc's JS output (dist/src, dist/plugins) bundled into dist/pkg/ with shared chunks.
// Why (docs/architecture.md, "Packaging"): on Node 20 start-up is module loading, and zod's ~95 ES modules alone
// cost ~40 ms to import where one bundled chunk costs ~22 ms. Every entry point is in one build, so the CLI and a
// config that imports `cc2cc`, `cc2cc/plugin`, `cc2cc/plugins` or `cc2cc/testing` share one instance of each module.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'rolldown';

/** The config, the kernel, the sinks, the folder and memory transports, and zod and ulid that they use. */
const CONFIG_PATH = new RegExp(
  [
    String.raw`dist[\\/]src[\\/](config[\\/](earlier-keys|load|plugin-loader|schema|transport-entry)|runtime`,
    String.raw`kernel|sinks|transports[\\/](fs|memory|registry))|node_modules[\\/](zod|ulid)[\\/]`,
  ].join('|'),
);
/** ... but not the few of them `--help` and the hook load (test/cli/startup-imports.test.ts keeps zod out of both). */
const LIGHT = new RegExp(
  String.raw`dist[\\/]src[\\/](kernel[\\/](check|errors|logger|message-kinds|names|process-alive|services|tokens)` +
    String.raw`|sinks[\\/]console-sink)\.js$`,
);

export default defineConfig({
  input: {
    main: 'dist/src/cli/main.js', // the `cc2cc` bin
    index: 'dist/src/index.js', // `cc2cc`
    plugin: 'dist/src/plugin.js', // `cc2cc/plugin`
    plugins: 'dist/plugins/index.js', // `cc2cc/plugins`
    testing: 'dist/src/testing/index.js', // `cc2cc/testing`
    // Programs the contracts of cc2cc/testing run in a child process (src/testing/built-program.ts).
    'state-worker': 'dist/src/testing/state-worker.js',
    'observe-worker': 'dist/src/testing/observe-worker.js',
  },
  platform: 'node',
  // An entry chunk may export more than its entry module (what the config-path group below
  // needs, which rolldown would otherwise set itself, with a warning on every build).
  preserveEntrySignatures: 'allow-extension',
  // Name node_modules files by the path they were found at, not a symlink's target (a linked node_modules would
  // otherwise leak the target's folder into the maps' sources).
  resolve: { symlinks: false },
  external: [
    /^node:/,
    // Loaded with require() only for a TypeScript config; 1.6 MB that the other paths never need.
    'jiti',
    // The optional peer of cc2cc/testing: the user's own test runner, never a copy of it.
    'vitest',
    // commander, cosmiconfig, tsyringe and reflect-metadata are CommonJS that the sources require() through
    // createRequire (src/cli/commander.ts, src/kernel/di.ts): rolldown leaves those calls alone, so they load
    // from node_modules as before, one instance per process. `redis` stays out as well: it loads on first use of
    // the Redis transport, and bundling its CommonJS into ESM would make that path no faster.
    /^redis$/,
    /^@redis\//,
  ],
  plugins: [chainTscSourceMaps(), lazyAjvProvider()],
  output: {
    dir: 'dist/pkg',
    cleanDir: true, // chunk names carry a content hash: no stale chunk of an earlier build stays behind
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    sourcemap: true,
    // The modules every command that loads a project's config needs, and `--help` and the hook do not, in one
    // chunk instead of about forty small ones: on Node 20 each ES module costs a resolve, a read and a compile.
    // Only the modules named (not what they import): the hook and `--help` keep their few small chunks.
    codeSplitting: {
      includeDependenciesRecursively: false,
      groups: [{ name: 'config-path', test: (id) => CONFIG_PATH.test(id) && !LIGHT.test(id) }],
    },
    // Stack traces name src/...ts lines for cc2cc's code; node_modules frames are marked as library code.
    sourcemapIgnoreList: (source) => source.includes('node_modules'),
  },
});

/**
 * tsc's output carries `//# sourceMappingURL=x.js.map` back to the .ts file. Rolldown does not read an input
 * file's map by itself, so each tsc file is loaded with its map; rolldown then composes it with its own, and the
 * bundle's map leads to src/...ts instead of dist/src/...js.
 */
function chainTscSourceMaps() {
  const MAP_COMMENT = /\n\/\/# sourceMappingURL=(\S+)\s*$/;
  return {
    name: 'chain-tsc-source-maps',
    load(id) {
      if (!/\/dist\/(src|plugins)\/.*\.js$/.test(id)) return null;
      const code = readFileSync(id, 'utf8');
      const comment = MAP_COMMENT.exec(code);
      if (!comment) return null;
      const map = JSON.parse(readFileSync(new URL(comment[1], `file://${id}`), 'utf8'));
      // tsc writes sources relative to the map's folder; make them absolute so rolldown does not re-base them.
      const sources = map.sources.map((source) => new URL(source, `file://${id}`).pathname);
      map.sources = sources;
      // The package ships dist/ only, so the maps carry the .ts text: a debugger shows it without the repository.
      map.sourcesContent = sources.map((source) => readFileSync(source, 'utf8'));
      delete map.sourceRoot;
      return { code: code.slice(0, comment.index), map };
    },
  };
}

/**
 * The MCP SDK's Server and Client import their default JSON Schema validator (Ajv with its formats: ~250 kB of
 * CommonJS that bundling would evaluate at start-up) even when given another one, as cc2cc's server is
 * (src/mcp/lazy-ajv.ts). Their import is pointed at a stand-in that requires the SDK's own provider, from
 * node_modules, the first time one is constructed: the same validator, loaded when it is needed.
 */
function lazyAjvProvider() {
  const STAND_IN = '\0lazy-ajv-provider';
  return {
    name: 'lazy-ajv-provider',
    resolveId(source, importer) {
      const fromSdk = importer?.includes('/node_modules/@modelcontextprotocol/sdk/dist/esm/');
      if (fromSdk && source.endsWith('/validation/ajv-provider.js')) return STAND_IN;
      return null;
    },
    load(id) {
      if (id !== STAND_IN) return null;
      return `import { createRequire } from 'node:module';
export class AjvJsonSchemaValidator {
  constructor(ajv) {
    const provider = createRequire(import.meta.url)('@modelcontextprotocol/sdk/validation/ajv');
    return new provider.AjvJsonSchemaValidator(ajv);
  }
}
`;
    },
  };
}
