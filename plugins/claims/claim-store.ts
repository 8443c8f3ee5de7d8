import { randomBytes } from 'node:crypto';
import {
  AGENT_PREFIX,
  Cc2ccError,
  SKIP,
  agentStateKey,
  isAgentName,
  type State,
  type StateValue,
} from '../../src/plugin.js';
import { globsOverlap, normalizeGlob } from './glob-overlap.js';

/** One claim as stored in `agent/<holder>/claims` (a list), so forgetting the agent drops it. */
export interface Claim {
  holder: string;
  paths: string[];
  exclusive: boolean;
  reason?: string;
  /** ISO time of the claim. */
  since: string;
  /** ms since the epoch; the holder's heartbeat moves it to now + ttlMs. */
  expiresAt: number;
  ttlMs: number;
}

export interface ClaimRequest {
  paths: string[];
  exclusive: boolean;
  ttlMs: number;
  reason?: string;
}

const PART = 'claims';
/**
 * Claims and renewals take this lock: the conflict check reads every agent's claims and
 * writes one agent's, so two claimants must not both check before either wrote. A holder
 * that dies holding it only delays others by its time-to-live.
 */
const LOCK_KEY = 'claims/lock';
const LOCK_TTL_MS = 10_000;
const LOCK_WAIT_MS = 30_000;

/** Every live claim of every agent, oldest first. */
export async function allClaims(state: State, now: number): Promise<Claim[]> {
  return (await storedClaims(state)).filter((claim) => claim.expiresAt > now);
}

/** Every claim stored, expired ones too (a list keeps them until its holder next writes it): for `doctor`. */
export async function storedClaims(state: State): Promise<Claim[]> {
  const found: Claim[] = [];
  for (const entry of await state.list(AGENT_PREFIX)) {
    const [name, part, ...rest] = entry.key.slice(AGENT_PREFIX.length).split('/');
    if (part !== PART || rest.length > 0 || !isAgentName(name)) continue;
    found.push(...claimsIn(name, entry.value));
  }
  return found.sort((a, b) => a.since.localeCompare(b.since) || a.holder.localeCompare(b.holder));
}

/** The claims of others that refuse this request: overlapping, and one of the two exclusive. */
export function conflictsWith(
  claims: readonly Claim[],
  holder: string,
  request: Pick<ClaimRequest, 'paths' | 'exclusive'>,
): Claim[] {
  return claims.filter(
    (claim) =>
      claim.holder !== holder &&
      (claim.exclusive || request.exclusive) &&
      claim.paths.some((held) => request.paths.some((wanted) => globsOverlap(held, wanted))),
  );
}

/** Claims of others covering any of these paths, shared or exclusive: an edit there is refused. */
export function holdersOf(claims: readonly Claim[], holder: string | undefined, paths: readonly string[]): Claim[] {
  return conflictsWith(claims, holder ?? '', { paths: [...paths], exclusive: true });
}

/**
 * Adds the claim, or rejects with CLAIM_CONFLICT naming each holder. Re-claiming the same paths
 * replaces the old claim.
 */
export async function addClaim(state: State, holder: string, request: ClaimRequest, now: () => number): Promise<Claim> {
  const paths = checkPaths(request.paths);
  return withClaimsLock(state, holder, async () => {
    const at = now();
    const conflicts = conflictsWith(await allClaims(state, at), holder, { paths, exclusive: request.exclusive });
    if (conflicts.length > 0) {
      throw new Cc2ccError(
        'CLAIM_CONFLICT',
        `cannot claim ${paths.join(', ')}: ${conflicts.map((claim) => describeClaim(claim, at)).join('; ')}`,
        {
          holders: [...new Set(conflicts.map((claim) => claim.holder))],
        },
      );
    }
    const claim: Claim = {
      holder,
      paths,
      exclusive: request.exclusive,
      ...(request.reason && { reason: request.reason }),
      since: new Date(at).toISOString(),
      expiresAt: at + request.ttlMs,
      ttlMs: request.ttlMs,
    };
    const same = (other: Claim) => other.paths.join('\n') === paths.join('\n');
    await writeOwn(state, holder, at, (own) => [...own.filter((other) => !same(other)), claim]);
    return claim;
  });
}

/**
 * Removes the given globs from the holder's claims (all of its claims when `paths` is undefined);
 * returns the globs released.
 */
export async function releaseClaims(
  state: State,
  holder: string,
  paths: string[] | undefined,
  now: number,
): Promise<string[]> {
  const wanted = paths && new Set(checkPaths(paths));
  let released: string[] = [];
  await writeOwn(state, holder, now, (own) => {
    released = [];
    const kept = own.flatMap((claim) => {
      const left = claim.paths.filter((path) => !(wanted ? wanted.has(path) : true));
      released.push(...claim.paths.filter((path) => !left.includes(path)));
      return left.length > 0 ? [{ ...claim, paths: left }] : [];
    });
    return kept.length === own.length && released.length === 0 ? SKIP : kept;
  });
  return released;
}

/**
 * The heartbeat: every live claim of the holder lasts its time-to-live from now. Under the lock, so
 * nothing expired comes back.
 */
export async function renewClaims(state: State, holder: string, now: () => number): Promise<number> {
  if (!(await state.get(agentStateKey(holder, PART)))) return 0;
  return withClaimsLock(state, holder, async () => {
    const at = now();
    let count = 0;
    await writeOwn(state, holder, at, (own) => {
      count = own.length;
      return own.length === 0 ? SKIP : own.map((claim) => ({ ...claim, expiresAt: at + claim.ttlMs }));
    });
    return count;
  });
}

/** `brave-fox holds src/** (exclusive, "refactor", expires in 58 min)`. */
export function describeClaim(claim: Claim, now: number): string {
  const reason = claim.reason ? `, "${claim.reason}"` : '';
  return (
    `${claim.holder} holds ${claim.paths.join(', ')} ` +
    `(${claim.exclusive ? 'exclusive' : 'shared'}${reason}, expires ` +
    `${new Date(claim.expiresAt).toISOString()}, in ${duration(claim.expiresAt - now)})`
  );
}

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function checkPaths(paths: readonly string[]): string[] {
  const normal = [...new Set(paths.map(normalizeGlob))].sort();
  if (normal.length === 0 || normal.some((path) => path === ''))
    throw new Cc2ccError(
      'BAD_INPUT',
      'claim at least one path or glob, relative to the repository root (e.g. "src/**")',
    );
  const outside = normal.find(
    (path) => path.startsWith('/') || path === '..' || path.startsWith('../') || path.includes('/../'),
  );
  if (outside)
    throw new Cc2ccError(
      'BAD_INPUT',
      `"${outside}" is not inside the repository: give paths relative to its root (e.g. "src/**")`,
    );
  return normal;
}

/**
 * The holder's own list, changed by `change` (compare-and-set), expired claims dropped; the key
 * lives as long as its last claim.
 */
async function writeOwn(
  state: State,
  holder: string,
  now: number,
  change: (own: Claim[]) => Claim[] | typeof SKIP,
): Promise<void> {
  const key = agentStateKey(holder, PART);
  let ttlMs: number | undefined;
  // Not updateState: its ttl is fixed for all attempts, and here it follows the list's last expiry.
  for (let attempt = 0; attempt < 100; attempt++) {
    const current = await state.get(key);
    const own = claimsIn(holder, current?.value).filter((claim) => claim.expiresAt > now);
    const next = change(own);
    if (next === SKIP) return;
    if (next.length === 0) {
      if (!current || (await state.delete(key, { ifVersion: current.version }))) return;
      continue;
    }
    ttlMs = Math.max(1, Math.max(...next.map((claim) => claim.expiresAt)) - now);
    const value = next.map(({ holder: _holder, ...rest }) => rest) as unknown as StateValue;
    const result = await state.set(key, value, { ifVersion: current?.version ?? null, ttlMs });
    if (result.ok) return;
  }
  throw new Cc2ccError('TIMEOUT', `the claims of ${holder} changed under 100 writes in a row; try again`);
}

async function withClaimsLock<T>(state: State, holder: string, work: () => Promise<T>): Promise<T> {
  const token = `${holder}.${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let version: string | undefined;
  for (let attempt = 1; version === undefined; attempt++) {
    const result = await state.set(LOCK_KEY, token, { ifVersion: null, ttlMs: LOCK_TTL_MS });
    if (result.ok) version = result.entry.version;
    else {
      if (Date.now() > deadline) {
        throw new Cc2ccError(
          'TIMEOUT',
          `the claims lock stayed taken for ${LOCK_WAIT_MS / 1000} s (by ${String(result.current?.value)}); try again`,
        );
      }
      await new Promise((done) => setTimeout(done, Math.min(50, 2 + Math.floor(Math.random() * 4 * attempt))));
    }
  }
  try {
    return await work();
  } finally {
    await state.delete(LOCK_KEY, { ifVersion: version }).catch(() => false);
  }
}

function claimsIn(holder: string, value: StateValue | undefined): Claim[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Claim[] => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return [];
    const { paths, exclusive, reason, since, expiresAt, ttlMs } = item;
    if (
      !Array.isArray(paths) ||
      typeof expiresAt !== 'number' ||
      typeof ttlMs !== 'number' ||
      typeof since !== 'string'
    )
      return [];
    return [
      {
        holder,
        paths: paths.filter((path): path is string => typeof path === 'string'),
        exclusive: exclusive !== false,
        ...(typeof reason === 'string' && { reason }),
        since,
        expiresAt,
        ttlMs,
      },
    ];
  });
}
