/**
 * Seeds for the reliability tests: fixed by default, so each run makes the same choices
 * (and the figures in docs/reliability.md are the same run after run), replaceable from
 * the environment to replay or explore. The seed in use is always printed.
 */
export interface Seed {
  readonly variable: string;
  readonly seed: number;
  /** True when the seed came from the environment: such a run does not rewrite the figures. */
  readonly replay: boolean;
}

export function seedFrom(variable: string, fallback: number): Seed {
  const raw = process.env[variable];
  const fromEnv = raw !== undefined && raw.trim() !== '';
  const seed = fromEnv ? Number(raw) : fallback;
  if (!Number.isSafeInteger(seed)) throw new Error(`${variable} must be an integer, got ${JSON.stringify(raw)}`);
  const replay = fromEnv && seed !== fallback;
  console.log(
    `[reliability] ` +
      `${variable}=${seed}${replay ? ' (from the environment: figures are not recorded)' : ' (default)'}; ` +
      `replay with ${variable}=${seed}`,
  );
  return { variable, seed, replay };
}

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max], both included. */
export function between(next: () => number, min: number, max: number): number {
  return min + Math.floor(next() * (max - min + 1));
}
