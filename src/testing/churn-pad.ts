/**
 * The 16 KiB pad of each churn record the State contract's worker writes: large enough that a torn write would
 * show. A module of its own so the worker program (state-worker.ts) is imported by nothing and stays its own
 * bundle entry (its "run as a program" check compares its own file with the one node was started on).
 */
export const CHURN_PAD = 'x'.repeat(16 * 1024);
