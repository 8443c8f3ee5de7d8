import type { Logger } from '../kernel/logger.js';
import { describeError } from '../kernel/errors.js';

export interface ClientWatchOptions {
  logger: Logger;
  /** After this long the process exits even if `stop` has not finished. */
  graceMs?: number;
  /** How often to check that the parent process is still ours. */
  orphanCheckMs?: number;
  exit?: (code: number) => never;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * A server lives exactly as long as its client. It stops (runs `stop`, then exits) on the
 * first of: stdin ends (the client closed the pipe or died), SIGTERM/SIGINT/SIGHUP, a
 * broken stdout pipe (EPIPE: nobody reads our answers), or the parent process going away.
 * `stop` closes the runtime: the inbox lock is released and presence says offline.
 * Returns a function that removes the watch (for a start that failed).
 */
export function exitWhenClientGone(stop: (reason: string) => Promise<void>, options: ClientWatchOptions): () => void {
  const { logger, graceMs = 3000, orphanCheckMs = 2000 } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;

  const trigger = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping: ${reason}`);
    // Never outlive the client, even when closing hangs (not unref'd on purpose).
    setTimeout(() => {
      logger.warn(`stop took longer than ${graceMs} ms; exiting anyway`);
      exit(1);
    }, graceMs);
    stop(reason).then(
      () => exit(0),
      (error: unknown) => {
        logger.error(`stop failed: ${describeError(error)}`);
        exit(1);
      },
    );
  };

  const onStdinEnd = () => trigger('stdin closed');
  const onStdoutError = (error: NodeJS.ErrnoException) =>
    trigger(error.code === 'EPIPE' ? 'stdout closed (EPIPE)' : `stdout failed: ${error.message}`);
  const onStderrError = () => {}; // a closed stderr must not crash the shutdown that logs to it
  const onSignal = (signal: NodeJS.Signals) => trigger(signal);
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parent) trigger('parent process exited');
  }, orphanCheckMs);
  orphanCheck.unref();

  process.stdin.on('end', onStdinEnd);
  process.stdin.on('close', onStdinEnd);
  process.stdout.on('error', onStdoutError);
  process.stderr.on('error', onStderrError);
  for (const signal of SIGNALS) process.on(signal, onSignal);

  return () => {
    clearInterval(orphanCheck);
    process.stdin.off('end', onStdinEnd);
    process.stdin.off('close', onStdinEnd);
    process.stdout.off('error', onStdoutError);
    process.stderr.off('error', onStderrError);
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}
