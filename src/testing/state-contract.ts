import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCc2ccError } from '../kernel/errors.js';
import { MAX_STATE_VALUE_BYTES, type State } from '../kernel/state.js';
import { updateState } from '../kernel/state-update.js';
import { builtProgram } from './built-program.js';
import { waitFor } from './wait-for.js';
import { CHURN_PAD } from './churn-pad.js';

/**
 * The contract every `State` passes unchanged. A fixture is one shared store (a folder, a
 * Redis namespace, a memory space); each `connect()` is a new client of it, as another
 * process would be.
 */
export interface StateFixture {
  connect(): Promise<State>;
  cleanup(): Promise<void>;
  /**
   * How a child process opens this store: an ES module (`opener`, a file URL) whose
   * `open(options)` resolves to `{ state, close() }` (see test/fixtures/state-fs.mjs). Without
   * it, the tests that race real processes are skipped (a store in one process's memory has
   * no other process).
   */
  worker?: { opener: string; options: unknown };
}

export interface StateContractOptions {
  name: string;
  create(): Promise<StateFixture>;
}

const WORKER = builtProgram('state-worker.js');
const RACERS = 10;
const INCREMENTS = 20;
const CRASHES = 8;
const MOVES = 300;

export function runStateContract({ name, create }: StateContractOptions): void {
  describe(`State contract: ${name}`, () => {
    let fixture: StateFixture;
    beforeEach(async () => {
      fixture = await create();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('stores JSON values that every client of the store reads back, with a version', async () => {
      const [one, two] = [await fixture.connect(), await fixture.connect()];
      expect(await one.get('agent/brave-fox/rooms')).toBeUndefined();
      const value = { rooms: ['backend', 'ops'], n: 3, ok: true, none: null, text: 'é "quoted" </channel>' };
      const written = await one.set('agent/brave-fox/rooms', value);
      expect(written.ok).toBe(true);
      const read = await two.get('agent/brave-fox/rooms');
      expect(read).toMatchObject({ key: 'agent/brave-fox/rooms', value });
      expect(read!.version).toBe(written.ok && written.entry.version);
      expect(read!.expiresAt).toBeUndefined();
    });

    it('compare-and-set: writes only over the version the writer read; null creates only if absent', async () => {
      const state = await fixture.connect();
      const created = await state.set('counter', 1, { ifVersion: null });
      if (!created.ok) throw new Error('create-if-absent failed on a missing key');
      const again = await state.set('counter', 99, { ifVersion: null });
      expect(again).toMatchObject({ ok: false, current: { value: 1, version: created.entry.version } });

      const next = await state.set('counter', 2, { ifVersion: created.entry.version });
      if (!next.ok) throw new Error('compare-and-set on the current version failed');
      expect(next.entry.version).not.toBe(created.entry.version);
      const stale = await state.set('counter', 3, { ifVersion: created.entry.version });
      expect(stale).toMatchObject({ ok: false, current: { value: 2, version: next.entry.version } });
      expect(await state.get('counter')).toMatchObject({ value: 2 });

      const missing = await state.set('never-written', 1, { ifVersion: created.entry.version });
      expect(missing).toEqual({ ok: false, current: undefined });
    });

    it(
      'never gives a key an old version back (a value that comes back cannot pass an old ' + 'compare-and-set)',
      async () => {
        const state = await fixture.connect();
        const first = await state.set('claim/x', 'a');
        if (!first.ok) throw new Error('write failed');
        expect(await state.delete('claim/x')).toBe(true);
        const second = await state.set('claim/x', 'a');
        if (!second.ok) throw new Error('write failed');
        expect(second.entry.version).not.toBe(first.entry.version);
        expect((await state.set('claim/x', 'b', { ifVersion: first.entry.version })).ok).toBe(false);
      },
    );

    it('deletes, optionally only at an expected version', async () => {
      const state = await fixture.connect();
      const written = await state.set('session/abc', 'brave-fox');
      if (!written.ok) throw new Error('write failed');
      expect(await state.delete('session/abc', { ifVersion: 'not-the-version' })).toBe(false);
      expect(await state.get('session/abc')).toMatchObject({ value: 'brave-fox' });
      expect(await state.delete('session/abc', { ifVersion: written.entry.version })).toBe(true);
      expect(await state.get('session/abc')).toBeUndefined();
      expect(await state.delete('session/abc')).toBe(false);
    });

    it('lists the live keys under a prefix, sorted by key', async () => {
      const state = await fixture.connect();
      for (const key of ['agent/b/topics', 'agent/a/rooms', 'agent/b/rooms', 'agents', 'session/1'])
        await state.set(key, key);
      expect((await state.list('agent/')).map((entry) => [entry.key, entry.value])).toEqual([
        ['agent/a/rooms', 'agent/a/rooms'],
        ['agent/b/rooms', 'agent/b/rooms'],
        ['agent/b/topics', 'agent/b/topics'],
      ]);
      expect((await state.list('agent')).map((entry) => entry.key)).toEqual([
        'agent/a/rooms',
        'agent/b/rooms',
        'agent/b/topics',
        'agents',
      ]);
      expect((await state.list('')).length).toBe(5);
      expect(await state.list('nothing/')).toEqual([]);
      await state.delete('agent/b/rooms');
      expect((await state.list('agent/b/')).map((entry) => entry.key)).toEqual(['agent/b/topics']);
    });

    it('lists a few hundred keys whole', async () => {
      const state = await fixture.connect();
      const names = Array.from({ length: 150 }, (_, i) => `agent/a${String(i).padStart(3, '0')}/rooms`);
      await Promise.all(names.map((key) => state.set(key, [key])));
      const listed = await state.list('agent/');
      expect(listed.map((entry) => entry.key)).toEqual(names);
      expect(listed.every((entry) => Array.isArray(entry.value) && entry.value[0] === entry.key)).toBe(true);
    }, 60_000);

    it('lists one moment of the store while another client moves a key, never a mix of two', async () => {
      // A move writes the new key, then deletes the old one: at every moment one key or two
      // neighbours exist. A listing pieced together across a move can show none, or a pair
      // that never existed together. The mover is another process where the store allows one.
      const [writer, reader] = [await fixture.connect(), await fixture.connect()];
      await writer.set(moveKey(0), 0);
      let moving = true;
      const mover = fixture.worker
        ? runWorker(fixture.worker, ['move', 'move/', String(MOVES)]).finished.then(({ code, stderr }) => {
            if (code !== 0) throw new Error(`the moving process exited ${code}: ${stderr}`);
          })
        : moveInProcess(writer);
      const moved = mover.finally(() => (moving = false));
      const listings: number[][] = [];
      while (moving) listings.push((await reader.list('move/')).map((entry) => entry.value as number));
      await moved;
      expect(listings.length).toBeGreaterThan(0);
      for (const steps of listings) {
        const moment = steps.length === 1 || (steps.length === 2 && steps[1] === steps[0]! + 1);
        expect(moment, `a listing of ${JSON.stringify(steps)}`).toBe(true);
      }
      expect((await reader.list('move/')).map((entry) => entry.value)).toEqual([MOVES]);
    }, 60_000);

    it('refuses bad keys, prefixes and values before touching the store', async () => {
      const state = await fixture.connect();
      const bad = [
        '',
        'Upper',
        'a//b',
        '/a',
        'a/',
        '../x',
        'a/../b',
        '.hidden',
        'a~b',
        'a b',
        'nul\0',
        'x'.repeat(201),
        'a/b/c/d/e/f/g/h/i',
        'ü',
      ];
      for (const key of bad) {
        await expect(state.get(key), JSON.stringify(key)).rejects.toSatisfy((error) =>
          isCc2ccError(error, 'BAD_INPUT'),
        );
        await expect(state.set(key, 1), JSON.stringify(key)).rejects.toSatisfy((error) =>
          isCc2ccError(error, 'BAD_INPUT'),
        );
        await expect(state.delete(key), JSON.stringify(key)).rejects.toSatisfy((error) =>
          isCc2ccError(error, 'BAD_INPUT'),
        );
      }
      await expect(state.list('../')).rejects.toSatisfy((error) => isCc2ccError(error, 'BAD_INPUT'));
      await expect(state.set('big', 'x'.repeat(MAX_STATE_VALUE_BYTES + 1))).rejects.toSatisfy((error) =>
        isCc2ccError(error, 'BAD_INPUT'),
      );
      await expect(state.set('nothing', undefined as never)).rejects.toSatisfy((error) =>
        isCc2ccError(error, 'BAD_INPUT'),
      );
      await expect(state.set('ttl', 1, { ttlMs: 0 })).rejects.toSatisfy((error) => isCc2ccError(error, 'BAD_INPUT'));
      expect(await state.list('')).toEqual([]);
    });

    it('a key written with a time-to-live disappears once it expired; one without stays', async () => {
      const state = await fixture.connect();
      const short = await state.set('claim/short', 'soon gone', { ttlMs: 200 });
      const long = await state.set('claim/long', 'still here', { ttlMs: 600_000 });
      await state.set('claim/forever', 'kept');
      if (!short.ok || !long.ok) throw new Error('write failed');
      expect(short.entry.expiresAt).toBeGreaterThan(0);
      await waitFor(async () => (await state.get('claim/short')) === undefined, { what: 'claim/short to expire' });
      expect((await state.list('claim/')).map((entry) => entry.key)).toEqual(['claim/forever', 'claim/long']);
      expect(await state.get('claim/long')).toMatchObject({ value: 'still here', expiresAt: long.entry.expiresAt });
      // An expired key counts as absent for create-if-absent.
      expect((await state.set('claim/short', 'mine now', { ifVersion: null })).ok).toBe(true);
    });

    it('loses no update when many clients in one process race on one key', async () => {
      const clients = [await fixture.connect(), await fixture.connect(), await fixture.connect()];
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          updateState(clients[i % 3]!, 'counter', (current) => ((current?.value as number) ?? 0) + 1),
        ),
      );
      expect(await clients[0]!.get('counter')).toMatchObject({ value: 30 });
    });

    it(`loses no update when ${RACERS} processes race on one key`, async (context) => {
      if (!fixture.worker) return context.skip('this State lives in one process');
      const runs = Array.from({ length: RACERS }, () =>
        runWorker(fixture.worker!, ['increment', 'race/counter', String(INCREMENTS)]),
      );
      const outputs = await Promise.all(runs.map((run) => run.finished));
      for (const output of outputs) expect(output.code, output.stderr).toBe(0);
      const conflicts = outputs.reduce((sum, output) => sum + Number(/done (\d+)/.exec(output.stdout)?.[1] ?? NaN), 0);
      expect(conflicts).not.toBeNaN();
      const state = await fixture.connect();
      expect(await state.get('race/counter')).toMatchObject({ value: RACERS * INCREMENTS });
    }, 180_000);

    it('a writer killed in the middle of writes leaves the old value or the new one, never a ' +
      'broken one', async (context) => {
      if (!fixture.worker) return context.skip('this State lives in one process');
      const state = await fixture.connect();
      let lastSeen = 0;
      for (let round = 0; round < CRASHES; round++) {
        const run = runWorker(fixture.worker, ['churn', 'crash/record']);
        // Each round's writer must get past the lock its killed predecessor left behind.
        await waitFor(() => run.output().includes('wrote'), {
          what: `round ${round}: the writer's first write`,
          timeoutMs: 60_000,
        });
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 40)));
        run.child.kill('SIGKILL');
        await run.finished;
        const entry = await state.get('crash/record');
        expect(entry, `round ${round}`).toBeDefined();
        const value = entry!.value as { n: number; pad: string; check: number };
        expect(value.pad).toBe(CHURN_PAD);
        expect(value.check).toBe(value.n * 7);
        expect(value.n).toBeGreaterThanOrEqual(1);
        lastSeen = value.n;
      }
      expect(lastSeen).toBeGreaterThan(0);
      const after = await state.get('crash/record');
      expect((await state.set('crash/record', 'after the crashes', { ifVersion: after!.version })).ok).toBe(true);
    }, 240_000);
  });
}

interface WorkerRun {
  child: ReturnType<typeof spawn>;
  output(): string;
  finished: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `move/000`, `move/001`, ...: where the moved key is after each step (the worker's `move` names them alike). */
function moveKey(step: number): string {
  return `move/${String(step).padStart(4, '0')}`;
}

async function moveInProcess(state: State): Promise<void> {
  for (let step = 1; step <= MOVES; step++) {
    await state.set(moveKey(step), step);
    await state.delete(moveKey(step - 1));
  }
}

function runWorker(worker: NonNullable<StateFixture['worker']>, args: string[]): WorkerRun {
  const child = spawn(process.execPath, [WORKER, worker.opener, JSON.stringify(worker.options), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, output: () => stdout, finished };
}
