import { Cc2ccError } from '../../kernel/errors.js';

/** The errno code of a Node fs error (`ENOENT`, `EPERM`...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export function isMissing(error: unknown): boolean {
  return errnoCode(error) === 'ENOENT';
}

/** A raw fs error as the catalogue's IO_FAILED, saying what was being done to which path. */
export function ioFailed(action: string, path: string, error: unknown): Cc2ccError {
  if (error instanceof Cc2ccError) return error;
  const code = errnoCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new Cc2ccError(
    'IO_FAILED',
    `could not ${action} ${path}: ${detail}`,
    { path, ...(code && { code }) },
    { cause: error },
  );
}
