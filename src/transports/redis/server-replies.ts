import { ErrorReply } from 'redis';
import { Cc2ccError, type ErrorCode } from '../../kernel/errors.js';

/**
 * Error replies that mean "Redis cannot serve anybody right now", not "this command is
 * wrong": each becomes a typed error that says what happened and what to do. The command
 * did not run, so an operation that got one may be repeated.
 */
const STATES: Array<{ prefix: RegExp; code: ErrorCode; explain: (where: string) => string }> = [
  {
    prefix: /^LOADING\b/,
    code: 'REDIS_LOADING',
    explain: (where) =>
      `Redis at ${where} is loading its data set after a restart and answers nothing else until ` +
      `it is done; wait for it (INFO persistence shows loading:1 meanwhile)`,
  },
  {
    prefix: /^BUSY\s/,
    code: 'REDIS_BUSY',
    explain: (where) =>
      `Redis at ${where} is busy running a long script or function (BUSY); it answers again once ` +
      `that ends. If it never does, someone must run SCRIPT KILL (or FUNCTION KILL) there`,
  },
  {
    prefix: /^OOM\b/,
    code: 'REDIS_OUT_OF_MEMORY',
    explain: (where) =>
      `Redis at ${where} reached its maxmemory and refuses writes (OOM, maxmemory-policy ` +
      `noeviction); space frees as receivers settle their messages. Raise maxmemory or free memory there`,
  },
];

/** The typed error for a LOADING, BUSY or OOM reply, else undefined (other replies are the caller's). */
export function serverStateError(error: unknown, where: string, what: string): Cc2ccError | undefined {
  if (!(error instanceof ErrorReply)) return undefined;
  const state = STATES.find(({ prefix }) => prefix.test(error.message));
  if (!state) return undefined;
  return new Cc2ccError(
    state.code,
    `could not ${what}: ${state.explain(where)} (Redis said: ${error.message})`,
    { url: where, reply: error.message },
    { cause: error },
  );
}
