import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../src/testing/wait-for.js';
import { makeProject, selfWake, startAgent } from '../../mcp/support.js';
import {
  deleteNamespace,
  REDIS_URL,
  skipWithoutRedisServer,
  uniqueNamespace,
  useRedis,
} from '../../transports/redis/support.js';

const RACER = resolve(import.meta.dirname, '../../fixtures/claims-racer.mjs');

/** Two families of globs: every two in a family overlap, no two of different families do. */
const FAMILIES: Record<string, string[]> = {
  a: ['a/**', 'a/*.ts', 'a/x.ts', 'a/[wx].ts', 'a/**/x.ts'],
  b: ['b/**', 'b/*.md', 'b/y.md', 'b/{y,z}.md', 'b/?.md'],
};

/** 10 racer processes, each ready before any starts, then all released at once. */
async function race(project: string): Promise<Map<string, string>> {
  const entries = Object.entries(FAMILIES).flatMap(([family, globs]) =>
    globs.map((glob, index) => ({ name: `${family}-racer-${index}`, glob })),
  );
  const racers = entries.map(({ name, glob }) => {
    const child = spawn(process.execPath, [RACER, project, name, JSON.stringify([glob])], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    return { name, child, out: () => out };
  });
  await waitFor(() => racers.every((racer) => racer.out().includes('ready\n')), {
    what: '10 racers ready',
    timeoutMs: 60_000,
  });
  for (const racer of racers) racer.child.stdin.write('go\n');
  await Promise.all(racers.map((racer) => (racer.child.exitCode === null ? once(racer.child, 'close') : undefined)));
  return new Map(racers.map((racer) => [racer.name, racer.out().replace('ready\n', '').trim()]));
}

async function exactlyOneWinnerPerFamily(config: Record<string, unknown>): Promise<void> {
  const project = await makeProject({ plugins: ['claims'], ...config });
  const outcomes = await race(project);
  for (const family of Object.keys(FAMILIES)) {
    const mine = [...outcomes].filter(([name]) => name.startsWith(`${family}-`));
    const winners = mine.filter(([, outcome]) => outcome === 'won').map(([name]) => name);
    expect(winners, JSON.stringify(mine)).toHaveLength(1);
    for (const [, outcome] of mine.filter(([name]) => name !== winners[0])) {
      expect(outcome).toMatch(new RegExp(`^lost CLAIM_CONFLICT .*${winners[0]} holds`));
    }
  }
  // What a running agent sees afterwards: the two winners' claims, nothing else.
  const viewer = await startAgent(project, ['--name', 'viewer']);
  await selfWake(viewer);
  const listed = (await viewer.call('list_claims')).text.split('\n').map((line) => line.split(' ')[0]);
  expect(listed.sort()).toEqual(
    [...outcomes]
      .filter(([, outcome]) => outcome === 'won')
      .map(([name]) => name)
      .sort(),
  );
}

describe('claims race: 10 processes claiming overlapping globs at once', () => {
  it('on the folder: exactly one winner per conflict', async () => {
    await exactlyOneWinnerPerFamily({});
  });

  describe.skipIf(!REDIS_URL && skipWithoutRedisServer('the claims race on Redis'))('on Redis', () => {
    const redis = useRedis();

    it('exactly one winner per conflict', async () => {
      const namespace = uniqueNamespace('claims-race');
      try {
        await exactlyOneWinnerPerFamily({ transport: { use: 'redis', url: redis.url, namespace } });
      } finally {
        await deleteNamespace(redis.url, namespace);
      }
    });
  });
});
