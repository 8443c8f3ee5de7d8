import { describe, expect, it } from 'vitest';
import { registerClauses } from '../../src/testing/skips.js';

// The refusals happen before any test is registered, so they can be checked inside a test.
const clauses = {
  required: { 'a required clause': async () => {} },
  optional: { putMany: { title: 'an optional clause', test: async () => {} } },
};

describe('contract skips', () => {
  it('refuses to skip a required clause', () => {
    expect(() =>
      registerClauses('suite', clauses, [{ reason: 'no', tests: ['a required clause'] }], () => ({})),
    ).toThrow('cannot skip "a required clause": only optional clauses can be skipped (putMany)');
  });

  it('refuses a skip that names no clause, so a renamed clause is not skipped silently', () => {
    expect(() => registerClauses('suite', clauses, [{ reason: 'gone', tests: ['put many'] }], () => ({}))).toThrow(
      'cannot skip "put many"',
    );
  });

  it('refuses a skip without a reason', () => {
    expect(() => registerClauses('suite', clauses, [{ reason: ' ', tests: ['putMany'] }], () => ({}))).toThrow(
      'a skip needs a reason',
    );
  });
});
