import { Cc2ccError } from '../kernel/errors.js';
import type { Transport } from '../kernel/transport.js';

/** Set to 1 to let the CLI run on a process-local transport anyway (tests of the CLI itself). */
export const ALLOW_PROCESS_LOCAL_ENV = 'CC2CC_ALLOW_PROCESS_LOCAL';

/** Why a process-local transport is no bus, for the refusal and for `doctor`. */
export function processLocalReason(transport: Pick<Transport, 'kind'>): string {
  return (
    `the transport "${transport.kind}" keeps messages inside one process: what this command sends or receives ` +
    'would exist only until it exits, and no other agent would ever see it'
  );
}

export const PROCESS_LOCAL_FIX =
  'use "fs" (the default, one machine) or "redis" (several machines), or a transport that stores messages ' +
  `outside the process; "memory" is for tests that compose the kernel in code (${ALLOW_PROCESS_LOCAL_ENV}=1 forces it)`;

/**
 * `serve`, `send` and plugin verbs talk to other processes: a transport that declares
 * `scope: 'process'` would take the message and lose it (`offline (queued)` to an online
 * agent). Refused with the reason, unless ALLOW_PROCESS_LOCAL_ENV is 1.
 */
export function assertSharedTransport(
  transport: Pick<Transport, 'kind' | 'scope'>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (transport.scope !== 'process' || env[ALLOW_PROCESS_LOCAL_ENV] === '1') return;
  throw new Cc2ccError('PROCESS_LOCAL_TRANSPORT', `${processLocalReason(transport)}; ${PROCESS_LOCAL_FIX}`, {
    kind: transport.kind,
  });
}
