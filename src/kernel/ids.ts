import { monotonicFactory } from 'ulid';

/** ULIDs: unique, sortable by creation time; monotonic within one process. */
const nextUlid = monotonicFactory();

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function newId(now: number = Date.now()): string {
  return nextUlid(now);
}

export function isUlid(value: unknown): value is string {
  return typeof value === 'string' && ULID_PATTERN.test(value);
}
