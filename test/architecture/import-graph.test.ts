import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importEdges, reachable } from './import-graph.js';

/**
 * Dependencies point one way (docs/architecture.md): the kernel at the centre, the plugin API
 * (`cc2cc/plugin`) a leaf over it, plugins on the plugin API, and one composition root that
 * knows the built-in plugins by name.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const edges = importEdges(ROOT, ['src', 'plugins']);
const COMPOSITION_ROOT = 'src/runtime.ts';
const PLUGIN_API = 'src/plugin.ts';

describe('the import graph', () => {
  it('sees the project (a parser that finds nothing would pass every rule)', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: COMPOSITION_ROOT, to: 'plugins/registry.ts', typeOnly: false });
  });

  it('has no import from src/ into plugins/ outside the composition root', () => {
    const intoPlugins = edges.filter((edge) => edge.from.startsWith('src/') && edge.to.startsWith('plugins/'));
    const stray = intoPlugins.filter((edge) => edge.from !== COMPOSITION_ROOT);
    expect(stray).toEqual([]);
  });

  it('lets plugins import only the plugin API from src/', () => {
    const stray = edges.filter(
      (edge) => edge.from.startsWith('plugins/') && edge.to.startsWith('src/') && edge.to !== PLUGIN_API,
    );
    expect(stray).toEqual([]);
  });

  it('keeps the plugin API a leaf over the kernel', () => {
    const outside = [...reachable(edges, PLUGIN_API)].filter(
      (file) => file !== PLUGIN_API && !file.startsWith('src/kernel/'),
    );
    expect(outside).toEqual([]);
  });

  it('keeps the kernel free of everything around it', () => {
    const stray = edges.filter((edge) => edge.from.startsWith('src/kernel/') && !edge.to.startsWith('src/kernel/'));
    expect(stray).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it('finds a cycle when there is one, and ignores type-only edges', () => {
    const edge = (from: string, to: string, typeOnly = false) => ({ from, to, typeOnly });
    expect(importCycles([edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'd')])).toEqual([['a', 'b', 'c']]);
    expect(importCycles([edge('a', 'b'), edge('b', 'a', true)])).toEqual([]);
  });
});
