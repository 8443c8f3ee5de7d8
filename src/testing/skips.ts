import { it } from 'vitest';

/** Optional capabilities an implementation does not have: the clauses it leaves out, by id, and why. */
export interface Skip<Clause extends string> {
  reason: string;
  tests: readonly Clause[];
}

export type ClauseTest<Context> = (context: Context) => Promise<void>;

/** An optional clause: its test, and the title it is reported under (its id is the key it is stored under). */
export interface OptionalClause<Context> {
  title: string;
  test: ClauseTest<Context>;
}

/**
 * Registers each clause of a contract as one test, named by the clause. An optional clause
 * named by its id in `skip` is reported as skipped with its reason. A skip that names no
 * optional clause is refused, so a skip list cannot hide a required clause or outlive a
 * renamed one.
 */
export function registerClauses<Context>(
  suite: string,
  clauses: { required: Record<string, ClauseTest<Context>>; optional: Record<string, OptionalClause<Context>> },
  skips: readonly Skip<string>[],
  context: () => Context,
): void {
  const reasons = new Map<string, string>();
  for (const { reason, tests } of skips) {
    if (!reason.trim()) throw new Error(`${suite}: a skip needs a reason (skipping ${tests.join(', ')})`);
    for (const test of tests) {
      if (!(test in clauses.optional)) {
        const known = Object.keys(clauses.optional).join(', ') || 'none';
        throw new Error(`${suite}: cannot skip "${test}": only optional clauses can be skipped (${known})`);
      }
      reasons.set(test, reason);
    }
  }
  for (const [name, test] of Object.entries(clauses.required)) it(name, () => test(context()));
  for (const [id, { title, test }] of Object.entries(clauses.optional)) {
    const reason = reasons.get(id);
    if (reason === undefined) it(`${title} [${id}]`, () => test(context()));
    else it.skip(`${title} [${id}] (skipped: ${reason})`, () => test(context()));
  }
}
