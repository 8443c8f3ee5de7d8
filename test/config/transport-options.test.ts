import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli/process-helpers.js';
import { resolveConfig } from '../../src/config/load.js';
import { defineConfig } from '../../src/config/schema.js';
import { upgradeEarlierKeys } from '../../src/config/earlier-keys.js';
import { isCc2ccError } from '../../src/kernel/errors.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { createTransport } from '../../src/transports/registry.js';

const FS_DEFAULTS = {
  use: 'fs',
  root: '.cc2cc',
  fsync: true,
  rescanMs: 2000,
  closeTimeoutMs: 2000,
  retention: { doneMs: 86_400_000, maxDone: 10_000 },
  watch: true,
};

afterEach(() => {
  vi.restoreAllMocks();
});

/** Everything written to stderr while `run` runs. */
function stderrOf(run: () => void): string {
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    vi.restoreAllMocks();
  }
  return written.join('');
}

describe('transport options in one place', () => {
  it('reads the folder transport\'s options from transport: { use: "fs", ... }, with nothing on stderr', () => {
    let config!: ReturnType<typeof resolveConfig>;
    const written = stderrOf(() => {
      config = resolveConfig(
        { transport: { use: 'fs', root: 'bus', fsync: false, rescanMs: 0, retention: { maxDone: 5 } } },
        { projectDir: '/work/app', source: '/work/app/new-spelling.json' },
      );
    });
    expect(written).toBe('');
    expect(config.transport).toEqual({
      ...FS_DEFAULTS,
      root: 'bus',
      fsync: false,
      rescanMs: 0,
      retention: { doneMs: 86_400_000, maxDone: 5 },
    });
    expect(config.rootDir).toBe('/work/app/bus');
  });

  it('fills in every option of "fs" given as a name', () => {
    expect(resolveConfig({ transport: 'fs' }, { projectDir: '/work/app' }).transport).toEqual(FS_DEFAULTS);
  });

  it('names a bad folder transport option by its path', () => {
    const error = (() => {
      try {
        return resolveConfig(
          { transport: { use: 'fs', rescanMs: -1, fsnc: true } },
          { projectDir: '/work/app', source: 'x.json' },
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(isCc2ccError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(/transport\.rescanMs: .*>=0/);
    expect((error as Error).message).toMatch(/transport: Unrecognized key: "fsnc"/);
  });

  it('still reads the earlier top-level keys, and notes the new spelling once', () => {
    const earlier = { root: 'old-bus', fsync: false, rescanMs: 500, retention: { doneMs: 1000 } };
    let config!: ReturnType<typeof resolveConfig>;
    const written = stderrOf(() => {
      config = resolveConfig(earlier, { projectDir: '/work/app', source: '/work/app/earlier.json' });
      resolveConfig(earlier, { projectDir: '/work/app', source: '/work/app/earlier.json' });
    });
    expect(config.transport).toEqual({
      ...FS_DEFAULTS,
      root: 'old-bus',
      fsync: false,
      rescanMs: 500,
      retention: { doneMs: 1000, maxDone: 10_000 },
    });
    expect(config.rootDir).toBe('/work/app/old-bus');
    const notes = written.split('\n').filter(Boolean);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /earlier\.json: "root", "fsync", "rescanMs", "retention" at the top of the config are deprecated/,
    );
    expect(notes[0]).toContain(
      'write transport: { use: "fs", root: "old-bus", fsync: false, rescanMs: 500, retention: {"doneMs":1000} }',
    );
  });

  it('lets the transport entry win over an earlier top-level key', () => {
    const { config } = upgradeEarlierKeys(
      { rescanMs: 500, transport: { use: 'fs', rescanMs: 100 } },
      'both.json',
      () => {},
    );
    expect(config).toEqual({ transport: { use: 'fs', rescanMs: 100 } });
  });

  it('moves only what Redis takes into its entry, and says which keys it does not use', () => {
    const notes: string[] = [];
    const { config } = upgradeEarlierKeys(
      { root: 'local', fsync: false, retention: { maxDone: 9 }, transport: { use: 'redis', url: 'redis://x' } },
      'r.json',
      (text) => notes.push(text),
    );
    expect(config).toEqual({ transport: { use: 'redis', url: 'redis://x', root: 'local', retention: { maxDone: 9 } } });
    expect(notes).toEqual([
      expect.stringMatching(
        new RegExp(
          String.raw`write transport: \{ use: "redis", root: "local", retention` +
            String.raw`: \{"maxDone":9\} \} \(fsync: not used by this transport\)`,
        ),
      ),
    ]);
  });

  it("gives any transport entry a root for this machine's files", () => {
    const config = resolveConfig({ transport: { use: 'redis', root: 'local-files' } }, { projectDir: '/work/app' });
    expect(config.rootDir).toBe('/work/app/local-files');
  });

  it('rewrites the earlier topic and room route shorthands into "to"', () => {
    const written = stderrOf(() => {
      // Typed as a cc2cc.config.ts writes it: the shorthands are deprecated, not type errors.
      const asWritten = defineConfig({
        routes: [
          { match: { topic: 'ci.*', from: 'ci-*' }, also: ['room:reviewers'] },
          { match: { room: 'dev' }, also: ['room:reviewers'] },
        ],
      });
      const config = resolveConfig(asWritten, { projectDir: '/work/app', source: 'routes.json' });
      expect(config.routes.map((route) => route.match)).toEqual([
        { from: 'ci-*', to: 'topic:ci.*' },
        { to: 'room:dev' },
      ]);
    });
    expect(written).toContain(
      'routes.json: route match { topic: "ci.*" } is deprecated; write match: { to: "topic:ci.*" }',
    );
    expect(written).toContain('write match: { to: "room:dev" }');
  });
});

describe('the folder transport reads its resolved entry', () => {
  it("keeps its bus in the entry's root", async () => {
    const config = resolveConfig(
      { transport: { use: 'fs', root: 'elsewhere', rescanMs: 0 } },
      { projectDir: '/work/app' },
    );
    const transport = await createTransport(config, silentLogger);
    try {
      expect(transport.where).toBe('/work/app/elsewhere');
    } finally {
      await transport.close();
    }
  });
});

describe('a verb with a config of an earlier version (the built CLI)', () => {
  it('runs on it, and says once how to write it now', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-earlier-keys-'));
    try {
      await writeFile(
        join(dir, '.cc2ccrc.json'),
        JSON.stringify({ agents: ['calm-owl'], root: 'old-bus', rescanMs: 500 }),
      );
      const sent = await runCli(['send', 'calm-owl', 'still delivered', '--from', 'brave-fox'], dir);
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stdout).toMatch(/calm-owl: offline \(queued\)/);
      expect(await readdir(join(dir, 'old-bus', 'to-calm-owl', 'inbox'))).toHaveLength(1);
      const notes = sent.stderr.split('\n').filter((line) => line.includes('deprecated'));
      expect(notes).toEqual([
        expect.stringContaining('write transport: { use: "fs", root: "old-bus", rescanMs: 500 }'),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
