/**
 * The one catalogue of cc2cc errors. A failed operation rejects with a `Cc2ccError`
 * whose `code` comes from here; `retryable` says whether trying again can help.
 */

export const ERROR_CODES = {
  INVALID_NAME: { retryable: false, summary: 'an agent name breaks the naming rule' },
  INVALID_ADDRESS: { retryable: false, summary: 'an address is not a name, `*` or `scheme:rest`' },
  UNKNOWN_SCHEME: { retryable: false, summary: 'no router or plugin handles this address scheme' },
  UNKNOWN_RECIPIENT: { retryable: false, summary: 'the recipient is not a known agent' },
  NO_RECIPIENTS: { retryable: false, summary: 'the address resolved to nobody' },
  INVALID_ENVELOPE: { retryable: false, summary: 'an envelope does not match wire format v1' },
  UNSUPPORTED_VERSION: { retryable: false, summary: 'an envelope has a format version this reader does not know' },
  ENVELOPE_TOO_LARGE: { retryable: false, summary: 'a serialized envelope is larger than maxBytes' },
  INVALID_CONFIG: { retryable: false, summary: 'the configuration does not match its schema' },
  CONFIG_LOAD_FAILED: { retryable: false, summary: 'the configuration file could not be read or run' },
  UNKNOWN_PLUGIN: { retryable: false, summary: 'a plugin named in the config cannot be found' },
  PLUGIN_INVALID: { retryable: false, summary: 'a plugin object is malformed or its dependencies are missing' },
  HOOK_FAILED: { retryable: true, summary: 'a plugin hook threw' },
  UNKNOWN_TRANSPORT: { retryable: false, summary: 'the configured transport is not known' },
  PROCESS_LOCAL_TRANSPORT: {
    retryable: false,
    summary: 'the configured transport keeps messages inside one process, where no other agent can see them',
  },
  INBOX_LOCKED: { retryable: false, summary: 'another live process holds this inbox' },
  UNSAFE_PATH: { retryable: false, summary: 'a symlink or wrong file type sits where cc2cc keeps its files' },
  IO_FAILED: { retryable: true, summary: 'a file system operation failed' },
  TRANSPORT_CLOSED: { retryable: false, summary: 'the transport was used after close()' },
  NOT_FOUND: { retryable: false, summary: 'the message or agent asked for does not exist' },
  TIMEOUT: { retryable: true, summary: 'an operation did not finish in time' },
  TRANSPORT_UNAVAILABLE: { retryable: true, summary: 'the server behind the transport (e.g. Redis) cannot be reached' },
  OUTCOME_UNKNOWN: {
    retryable: false,
    summary:
      'the request reached the server but no answer came back: it may or may not have taken ' +
      'effect (do not repeat it blindly)',
  },
  REDIS_LOADING: {
    retryable: true,
    summary: 'Redis is loading its data set after a restart and answers nothing else yet',
  },
  REDIS_BUSY: {
    retryable: true,
    summary: 'Redis is busy running a long script or function (BUSY) and answers nothing else',
  },
  REDIS_OUT_OF_MEMORY: {
    retryable: true,
    summary: 'Redis reached maxmemory and refuses writes (OOM); space frees as receivers settle messages',
  },
  INBOX_FULL: { retryable: true, summary: 'the recipient inbox holds as many unsettled messages as it may (maxLen)' },
  BAD_INPUT: { retryable: false, summary: 'a tool or command argument is invalid' },
  AGENT_LIVE: { retryable: true, summary: 'a live session serves this agent, so it cannot be forgotten now' },
  MESSAGES_WAITING: {
    retryable: false,
    summary: "messages wait in this agent's inbox (forget it with --force to move them to dead letters)",
  },
  APPROVAL_CLOSED: { retryable: false, summary: 'a permission request was already answered or has expired' },
  CLAIM_CONFLICT: { retryable: false, summary: 'the paths overlap a file claim another agent holds' },
  SIGNING_KEY_CONFLICT: {
    retryable: false,
    summary: 'the bus state holds another public signing key for this agent name: another process claims the name',
  },
} as const satisfies Record<string, { retryable: boolean; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class Cc2ccError extends Error {
  override readonly name = 'Cc2ccError';
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = ERROR_CODES[code].retryable;
  }

  /** One line for humans: `E_CODE: message`. */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function isCc2ccError(value: unknown, code?: ErrorCode): value is Cc2ccError {
  return value instanceof Cc2ccError && (code === undefined || value.code === code);
}

/** The message of anything thrown, for logs and `.reason` files. */
export function describeError(error: unknown): string {
  if (error instanceof Cc2ccError) return error.toString();
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) {
    // Node's connect to a host with several addresses (localhost: ::1 and 127.0.0.1) fails with an empty message.
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return error.message || (typeof code === 'string' && code) || error.name || 'an error without a message';
  }
  return String(error) || 'an empty error';
}
