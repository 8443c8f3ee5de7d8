import { Cc2ccError } from '../kernel/errors.js';
import { DEFAULT_ROOT, FsTransportSchema, type TransportSpec } from './schema.js';

export interface TransportEntry {
  /** `fs` as `{ use: 'fs', ... }` with every option filled in; other entries as written. */
  spec: TransportSpec;
  /** The folder for this machine's files (the whole bus, with `fs`), relative to the project folder. */
  root: string;
}

/**
 * The config's `transport` as the registry reads it: the one place a transport's options
 * come from. The folder transport's options are checked here, when the config loads.
 */
export function resolveTransportEntry(
  spec: TransportSpec,
  source: string | undefined,
  factoryRoot?: string,
): TransportEntry {
  if (typeof spec === 'object' && 'create' in spec && typeof spec.create === 'function')
    return { spec, root: factoryRoot ?? DEFAULT_ROOT };
  const entry = (typeof spec === 'string' ? { use: spec } : spec) as { use: string; root?: unknown };
  if (entry.use !== 'fs') {
    if (entry.root !== undefined && (typeof entry.root !== 'string' || entry.root === '')) {
      throw invalid(source, [
        `  transport.root: expected a non-empty string (a folder), got ${JSON.stringify(entry.root)}`,
      ]);
    }
    return { spec, root: (entry.root as string | undefined) ?? DEFAULT_ROOT };
  }
  const parsed = FsTransportSchema.safeParse(entry);
  if (!parsed.success)
    throw invalid(
      source,
      parsed.error.issues.map((issue) => `  ${['transport', ...issue.path.map(String)].join('.')}: ${issue.message}`),
    );
  return { spec: parsed.data, root: parsed.data.root };
}

function invalid(source: string | undefined, problems: string[]): Cc2ccError {
  return new Cc2ccError(
    'INVALID_CONFIG',
    `invalid cc2cc config in ${source ?? 'inline config'}:\n${problems.join('\n')}`,
    { source },
  );
}

/** The registered name the config's transport goes by (`fs`, `redis`, ...); undefined for a `{ create() }` object. */
export function transportName(spec: TransportSpec): string | undefined {
  if (typeof spec === 'string') return spec;
  return 'use' in spec && typeof spec.use === 'string' ? spec.use : undefined;
}
