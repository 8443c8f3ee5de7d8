import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LIVENESS_CACHE_BOUND, LIVENESS_MAX_AGE_MS, LivenessCache } from '../../src/kernel/process-alive.js';

describe('liveness answers', () => {
  it('are given again for up to a second, then asked afresh', () => {
    let now = 0;
    const asked: number[] = [];
    const cache = new LivenessCache({
      now: () => now,
      probe: (pid) => {
        asked.push(pid);
        return pid !== 2;
      },
    });
    expect([cache.alive(1), cache.alive(2)]).toEqual([true, false]);
    now = LIVENESS_MAX_AGE_MS;
    expect([cache.alive(1), cache.alive(2)]).toEqual([true, false]);
    expect(asked).toEqual([1, 2]);
    now = LIVENESS_MAX_AGE_MS + 1;
    cache.alive(1);
    expect(asked).toEqual([1, 2, 1]);
  });

  it('say a process that exited is dead once its answer is a second old', async () => {
    let now = 0;
    const cache = new LivenessCache({ now: () => now });
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      expect(cache.alive(child.pid!)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    await once(child, 'exit');
    expect(cache.alive(child.pid!)).toBe(true); // the kept answer, at most a second old
    now = LIVENESS_MAX_AGE_MS + 1;
    expect(cache.alive(child.pid!)).toBe(false);
  });

  it('keep at most the bound of old answers', () => {
    let now = 0;
    const cache = new LivenessCache({ now: () => now, probe: () => true });
    for (let pid = 1; pid <= LIVENESS_CACHE_BOUND; pid++) cache.alive(pid);
    expect(cache.size).toBe(LIVENESS_CACHE_BOUND);
    now = LIVENESS_MAX_AGE_MS + 1;
    cache.alive(LIVENESS_CACHE_BOUND + 1); // past the bound: the old answers go
    expect(cache.size).toBe(1);
  });
});
