/** Defaults of `cc2cc ui`, apart from the server so the CLI can show them without loading it. */
export const UI_DEFAULTS = {
  port: 0,
  sender: 'human',
  idleAfterMs: 5 * 60_000,
  snapshotMs: 2000,
  /** The recent messages kept for the page, by estimated bytes: the oldest go first. */
  historyBytes: 32 * 1024 * 1024,
  /** Unsent data one event stream may hold before it is disconnected (its page reconnects). */
  streamBytes: 8 * 1024 * 1024,
  /** A message's text is kept up to this many characters; the rest is cut. */
  previewChars: 4096,
  /** The page opens with the last this many messages still in the inboxes (folder transport). */
  replayMessages: 500,
} as const;
