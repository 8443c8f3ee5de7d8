import { describe, expect } from 'vitest';
import { createEnvelope, type Envelope } from '../kernel/envelope.js';
import { isCc2ccError, type ErrorCode } from '../kernel/errors.js';
import type { AgentInfo } from '../kernel/presence.js';
import type { Directory, Router, SchemeContext, SchemeResolver } from '../kernel/router.js';
import { registerClauses, type ClauseTest } from './skips.js';

export interface RouterContractOptions {
  name: string;
  /**
   * A router whose plugin schemes are these resolvers (`room` for `room:backend`), refusing
   * names the directory does not know (the kernel's default, `allowUnknownRecipients: false`).
   */
  create(schemes: Record<string, SchemeResolver>): Router | Promise<Router>;
}

interface RouterClauseContext {
  create: RouterContractOptions['create'];
}

/** Every agent the directory of each clause knows. */
const KNOWN = ['brave-fox', 'calm-owl', 'quiet-owl'];
const directory: Directory = {
  agents: async () => KNOWN.map((name): AgentInfo => ({ name, state: 'online' })),
};

const routerClauses = {
  'resolves a known agent name to that agent alone': async ({ create }) => {
    const router = await create({});
    expect(await router.resolve(envelopeTo('calm-owl'), directory)).toEqual([{ agent: 'calm-owl' }]);
  },

  'refuses a name the directory does not know with UNKNOWN_RECIPIENT': async ({ create }) => {
    await expectRefusal(await create({}), envelopeTo('lost-cat'), 'UNKNOWN_RECIPIENT');
  },

  'resolves * to every known agent but the sender, each once, via *': async ({ create }) => {
    const recipients = await (await create({})).resolve(envelopeTo('*'), directory);
    expect(recipients.map((recipient) => recipient.agent).sort()).toEqual(['calm-owl', 'quiet-owl']);
    expect(recipients.every((recipient) => recipient.via === '*')).toBe(true);
  },

  'refuses * with NO_RECIPIENTS when nobody but the sender is known': async ({ create }) => {
    const alone: Directory = { agents: async () => [{ name: 'brave-fox', state: 'online' }] };
    await expectRefusal(await create({}), envelopeTo('*'), 'NO_RECIPIENTS', alone);
  },

  'resolves a scheme through its resolver, given the target and envelope, each recipient via the address': async ({
    create,
  }) => {
    const calls: Array<{ target: string; context: SchemeContext }> = [];
    const router = await create({
      room: (target, context) => {
        calls.push({ target, context });
        return ['calm-owl', 'quiet-owl'];
      },
    });
    const envelope = envelopeTo('room:backend');
    const recipients = await router.resolve(envelope, directory);
    expect(recipients).toEqual([
      { agent: 'calm-owl', via: 'room:backend' },
      { agent: 'quiet-owl', via: 'room:backend' },
    ]);
    const seen = calls.map(({ target, context }) => ({ target, id: context.envelope.id }));
    expect(seen).toEqual([{ target: 'backend', id: envelope.id }]);
  },

  'lists each recipient of a scheme once, and never the sender': async ({ create }) => {
    const router = await create({ room: async () => ['calm-owl', 'brave-fox', 'calm-owl', 'quiet-owl', 'quiet-owl'] });
    const recipients = await router.resolve(envelopeTo('room:backend'), directory);
    expect(recipients.map((recipient) => recipient.agent).sort()).toEqual(['calm-owl', 'quiet-owl']);
  },

  'refuses with NO_RECIPIENTS a scheme whose resolver finds nobody but the sender': async ({ create }) => {
    const router = await create({ room: () => [], topic: () => ['brave-fox'] });
    await expectRefusal(router, envelopeTo('room:empty'), 'NO_RECIPIENTS');
    await expectRefusal(router, envelopeTo('topic:only.me'), 'NO_RECIPIENTS');
  },

  'refuses a scheme no resolver handles with UNKNOWN_SCHEME': async ({ create }) => {
    await expectRefusal(await create({ room: () => ['calm-owl'] }), envelopeTo('topic:ci.build'), 'UNKNOWN_SCHEME');
  },

  'refuses a recipient name from a resolver that breaks the naming rule with INVALID_NAME': async ({ create }) => {
    const router = await create({ room: () => ['calm-owl', '../etc'] });
    await expectRefusal(router, envelopeTo('room:backend'), 'INVALID_NAME');
  },
} satisfies Record<string, ClauseTest<RouterClauseContext>>;

/** The contract every `Router` (src/kernel/router.ts) passes unchanged: one test per documented clause. */
export function runRouterContract({ name, create }: RouterContractOptions): void {
  describe(`Router contract: ${name}`, () => {
    registerClauses(`runRouterContract(${name})`, { required: routerClauses, optional: {} }, [], () => ({ create }));
  });
}

function envelopeTo(to: string): Envelope {
  return createEnvelope({ from: 'brave-fox', to, text: 'routed' });
}

async function expectRefusal(router: Router, envelope: Envelope, code: ErrorCode, known = directory): Promise<void> {
  const error = await router.resolve(envelope, known).then(
    (recipients) => new Error(`resolved to ${JSON.stringify(recipients)}`),
    (caught: unknown) => caught,
  );
  expect(isCc2ccError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}
