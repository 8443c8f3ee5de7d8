import { describe, expect, onTestFinished } from 'vitest';
import { createEnvelope, type Envelope } from '../kernel/envelope.js';
import type { Settle, Sink } from '../kernel/sink.js';
import { registerClauses, type ClauseTest, type OptionalClause, type Skip } from './skips.js';

/** One sink and the agent at its other end, as the test sees them. */
export interface SinkFixture {
  sink: Sink;
  /** The texts of the messages the agent has, in the order it got them. */
  received(): string[];
  /** For a sink that holds messages: the agent reads what is held (the sink then acks it). */
  read?(): Promise<void>;
  /** From now on the agent cannot take messages (its connection closed, its output failed). */
  breakAgent?(): void;
  /** The notices the agent got (`Sink.notice`). */
  notices?(): string[];
  cleanup?(): Promise<void>;
}

export interface SinkContractOptions {
  name: string;
  create(): SinkFixture | Promise<SinkFixture>;
  /** Optional capabilities this sink does not have: `[{ reason, tests: [clause names] }]`. */
  skip?: Array<Skip<OptionalSinkClause>>;
}

interface SinkClauseContext {
  fixture(): Promise<SinkFixture>;
}

const sinkClauses = {
  'has a name': async ({ fixture }) => {
    expect((await fixture()).sink.name).toMatch(/\S/);
  },

  'hands each message to the agent, once, in the order given, then resolves delivered or held': async ({ fixture }) => {
    const { sink, received, read } = await fixture();
    const settles = [counter(), counter(), counter()];
    const outcomes = [];
    for (const [index, text] of ['first', 'second', 'third'].entries()) {
      outcomes.push(await sink.deliver(message(text), settles[index]!));
    }
    for (const outcome of outcomes) expect(['delivered', 'held']).toContain(outcome);
    if (outcomes.includes('held')) {
      if (!read) throw new Error('this sink holds messages: the fixture must give read()');
      await read();
    }
    expect(received()).toEqual(['first', 'second', 'third']);
  },

  'leaves the ack of a delivered message to the bus, and acks a held one when the agent has it': async ({
    fixture,
  }) => {
    const { sink, received, read } = await fixture();
    const settle = counter();
    const outcome = await sink.deliver(message('settled'), settle);
    if (outcome === 'delivered') {
      expect(received()).toEqual(['settled']); // the agent has it when deliver resolves
      expect(settle.acks).toBe(0);
      return;
    }
    expect(settle.acks, 'a held message is acked only once the agent has it').toBe(0);
    if (!read) throw new Error('this sink holds messages: the fixture must give read()');
    await read();
    expect(received()).toEqual(['settled']);
    await read(); // reading again hands nothing out twice
    expect(received()).toEqual(['settled']);
    expect(settle.acks).toBe(1);
  },
} satisfies Record<string, ClauseTest<SinkClauseContext>>;

const optionalSinkClauses = {
  refusal: {
    title: 'rejects, without acking, a message the agent could not take',
    test: async ({ fixture }) => {
      const { sink, received, breakAgent } = await fixture();
      if (!breakAgent) throw new Error('the fixture has no breakAgent(): give one, or skip "refusal" and say why');
      breakAgent();
      const settle = counter();
      await expect(sink.deliver(message('lost'), settle)).rejects.toBeDefined();
      expect(settle.acks).toBe(0);
      expect(received()).toEqual([]);
    },
  },

  notice: {
    title: 'tells the agent a notice, and never throws, even when the agent cannot take it',
    test: async ({ fixture }) => {
      const { sink, notices, breakAgent } = await fixture();
      if (!sink.notice || !notices) throw new Error('no notice, or no notices() in the fixture: skip "notice"');
      sink.notice('cc2cc: this session no longer receives');
      expect(notices()).toContain('cc2cc: this session no longer receives');
      breakAgent?.();
      expect(() => sink.notice!('cc2cc: said to nobody')).not.toThrow();
    },
  },
} satisfies Record<string, OptionalClause<SinkClauseContext>>;

export type OptionalSinkClause = keyof typeof optionalSinkClauses;

/** The contract every `Sink` (src/kernel/sink.ts) passes unchanged: one test per documented clause. */
export function runSinkContract({ name, create, skip = [] }: SinkContractOptions): void {
  describe(`Sink contract: ${name}`, () => {
    const fixture = async () => {
      const made = await create();
      if (made.cleanup) onTestFinished(made.cleanup);
      return made;
    };
    const clauses = { required: sinkClauses, optional: optionalSinkClauses };
    registerClauses(`runSinkContract(${name})`, clauses, skip, () => ({ fixture }));
  });
}

function message(text: string): Envelope {
  return createEnvelope({ from: 'brave-fox', to: 'calm-owl', text });
}

function counter(): Settle & { acks: number } {
  const settle = {
    acks: 0,
    async ack() {
      settle.acks++;
    },
  };
  return settle;
}
