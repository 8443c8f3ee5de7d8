/** Defaults of `cc2cc ui`, apart from the server so the CLI can show them without loading it. */
export const UI_DEFAULTS = { port: 0, sender: 'human', idleAfterMs: 5 * 60_000, snapshotMs: 2000 } as const;
