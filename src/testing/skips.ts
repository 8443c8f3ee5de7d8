import { it } from 'vitest';

/** One optional capability an implementation does not have: the clauses it leaves out, and why. */
export interface Skip<Clause extends string> {
  reason: string;
  tests: readonly Clause[];
}

export type ClauseTest<Context> = (context: Context) => Promise<void>;

/**
 * Registers each clause of a contract as one test, named by the clause. A clause named in
 * `skip` is reported as skipped with its reason; only optional clauses may be skipped, and
 * a skip that names no optional clause is refused, so a skip list cannot hide a required
 * clause or outlive a renamed one.
 */
export function registerClauses<Context>(
  suite: string,
  clauses: { required: Record<string, ClauseTest<Context>>; optional: Record<string, ClauseTest<Context>> },
  skips: readonly Skip<string>[],
  context: () => Context,
): void {
  const reasons = new Map<string, string>();
  for (const { reason, tests } of skips) {
    if (!reason.trim()) throw new Error(`${suite}: a skip needs a reason (skipping ${tests.join(', ')})`);
    for (const test of tests) {
      if (test in clauses.required) throw new Error(`${suite}: "${test}" is required by the contract and cannot be skipped`);
      if (!(test in clauses.optional)) {
        throw new Error(`${suite}: cannot skip "${test}": no optional clause has that name (${Object.keys(clauses.optional).join('; ')})`);
      }
      reasons.set(test, reason);
    }
  }
  for (const [name, test] of [...Object.entries(clauses.required), ...Object.entries(clauses.optional)]) {
    const reason = reasons.get(name);
    if (reason === undefined) it(name, () => test(context()));
    else it.skip(`${name} (skipped: ${reason})`, () => test(context()));
  }
}
