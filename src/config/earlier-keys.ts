import { formatAddress } from '../kernel/names.js';

/** Top-level keys of earlier versions that are the transport's options now. */
const MOVED_TO_TRANSPORT = ['root', 'fsync', 'rescanMs', 'closeTimeoutMs', 'retention'] as const;

/** Which of them each transport takes: `root` is every transport's (its files on this machine). */
const TAKEN_BY: Record<string, readonly string[]> = { fs: MOVED_TO_TRANSPORT, redis: ['root', 'retention'] };

/** Route shorthands of earlier versions: `match: { topic: 'ci.*' }` is `match: { to: 'topic:ci.*' }`. */
const ROUTE_SHORTHANDS = ['topic', 'room'] as const;

export interface Upgraded {
  config: Record<string, unknown>;
  /** An earlier top-level `root` where the transport is a `{ create() }` object, which has no place for it. */
  root?: string;
}

const noted = new Set<string>();

/**
 * Rewrites the spellings of earlier versions into today's, so one place holds each setting:
 * the folder transport's keys move into `transport: { use: 'fs', ... }` (an explicit one
 * wins) and the `topic`/`room` route shorthands become `to`. Each rewrite is noted once on
 * stderr with the new spelling.
 */
export function upgradeEarlierKeys(
  raw: Record<string, unknown>,
  source: string | undefined,
  note: (text: string) => void = noteOnce,
): Upgraded {
  const where = source ?? 'inline config';
  const routes = upgradeRoutes(raw['routes'], where, note);
  const moved = MOVED_TO_TRANSPORT.filter((key) => raw[key] !== undefined);
  const config: Record<string, unknown> = { ...raw, ...(routes !== undefined && { routes }) };
  if (moved.length === 0) return { config };
  for (const key of moved) delete config[key];
  const spec = raw['transport'] ?? 'fs';
  const entry = typeof spec === 'string' ? { use: spec } : spec;
  const use =
    typeof entry === 'object' && entry !== null && typeof (entry as { use?: unknown }).use === 'string'
      ? (entry as { use: string }).use
      : undefined;
  const taken = moved.filter((key) => (use === undefined ? key === 'root' : (TAKEN_BY[use] ?? ['root']).includes(key)));
  const spelled = taken.map((key) => `${key}: ${JSON.stringify(raw[key])}`).join(', ');
  note(
    `cc2cc: ${where}: ` +
      `${moved.map((key) => `"${key}"`).join(', ')} ` +
      `at the top of the config ${moved.length > 1 ? 'are' : 'is'} deprecated; ` +
      (use === undefined
        ? 'with a transport object it still sets the folder this once'
        : `write transport: { use: ${JSON.stringify(use)}${spelled ? `, ${spelled}` : ''} }`) +
      (taken.length < moved.length
        ? ` (${moved.filter((key) => !taken.includes(key)).join(', ')}: not used by this transport)`
        : ''),
  );
  if (use === undefined) return { config, ...(typeof raw['root'] === 'string' && { root: raw['root'] }) };
  const earlier = Object.fromEntries(taken.map((key) => [key, raw[key]]));
  config['transport'] = { ...earlier, ...(entry as object) };
  return { config };
}

function upgradeRoutes(routes: unknown, where: string, note: (text: string) => void): unknown[] | undefined {
  if (!Array.isArray(routes)) return undefined;
  let changed = false;
  const upgraded = routes.map((route: unknown) => {
    const match = (route as { match?: unknown } | null)?.match;
    if (typeof match !== 'object' || match === null) return route;
    const given = ROUTE_SHORTHANDS.filter((key) => typeof (match as Record<string, unknown>)[key] === 'string');
    // Two addresses in one match stay as written: the schema refuses the shorthand then.
    if (given.length !== 1 || (match as { to?: unknown }).to !== undefined) return route;
    const scheme = given[0]!;
    const { [scheme]: target, ...rest } = match as Record<string, string>;
    const to = formatAddress({ kind: 'scheme', scheme, target: target! });
    note(
      `cc2cc: ${where}: route match { ${scheme}: ${JSON.stringify(target)} } is deprecated; write ` +
        `match: { to: ${JSON.stringify(to)} }`,
    );
    changed = true;
    return { ...(route as object), match: { ...rest, to } };
  });
  return changed ? upgraded : undefined;
}

function noteOnce(text: string): void {
  if (noted.has(text)) return;
  noted.add(text);
  process.stderr.write(`${text}\n`);
}
