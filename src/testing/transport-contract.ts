import { afterEach, beforeEach, describe } from 'vitest';
import { DEFAULT_MAX_BYTES } from '../kernel/envelope.js';
import type { Transport } from '../kernel/transport.js';
import { registerClauses, type Skip } from './skips.js';
import type { TransportFixture } from './transport-clause-context.js';
import { deliveryClauses } from './transport-delivery-clauses.js';
import { lifecycleClauses } from './transport-lifecycle-clauses.js';
import { observeClauses } from './transport-observe-clauses.js';
import { optionalClauses } from './transport-optional-clauses.js';

export type { TransportFixture };

/** The clauses of the transport contract that a transport may leave out, with a reason. */
export type OptionalTransportClause = keyof typeof optionalClauses;

export interface ContractOptions {
  name: string;
  /** A new, empty store; `connect()` on it is one more process. Called before each clause. */
  create(): Promise<TransportFixture>;
  /** The `maxBytes` the fixture's transports were given (default 256 KiB, the kernel's default). */
  maxBytes?: number;
  /** Optional capabilities this transport does not have: `[{ reason, tests: [clause names] }]`. */
  skip?: Array<Skip<OptionalTransportClause>>;
}

/**
 * The contract every transport passes unchanged: one test per clause documented on
 * `Transport` (src/kernel/transport.ts). Required clauses cannot be skipped.
 */
export function runTransportContract({ name, create, maxBytes = DEFAULT_MAX_BYTES, skip = [] }: ContractOptions): void {
  describe(`Transport contract: ${name}`, () => {
    let fixture: TransportFixture;
    const opened: Transport[] = [];
    const connect = async () => {
      const transport = await fixture.connect();
      opened.push(transport);
      return transport;
    };

    beforeEach(async () => {
      fixture = await create();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((transport) => transport.close()));
      await fixture.cleanup();
    });

    registerClauses(
      `runTransportContract(${name})`,
      { required: { ...deliveryClauses, ...lifecycleClauses, ...observeClauses }, optional: optionalClauses },
      skip,
      () => ({ connect, fixture, maxBytes }),
    );
  });
}
