import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compose, type Cc2cc } from '../../src/kernel/compose.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { createFsTransport } from '../../src/transports/fs/index.js';
import { rooms } from '../../plugins/rooms/index.js';
import { signing } from '../../plugins/signing/index.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { deadReason, plant } from './support/inbox.js';
import { kernelConfig, RecordingSink } from '../kernel/helpers.js';
import type { Envelope } from '../../src/kernel/envelope.js';
import type { Plugin } from '../../src/kernel/plugin.js';

/**
 * Replay into another inbox, with the folder transport: a message stored for one agent,
 * copied into another agent's inbox, is refused there (dead letter with the reason), and
 * rewriting the recorded recipients breaks the signature.
 */
let root: string;
const kernels: Cc2cc[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cc2cc-replay-'));
});
afterEach(async () => {
  await Promise.all(kernels.splice(0).map((kernel) => kernel.close()));
  await rm(root, { recursive: true, force: true });
});

async function agent(name: string, plugins: () => Plugin[]) {
  const sink = new RecordingSink();
  const kernel = await compose({
    config: kernelConfig({ rootDir: root }),
    transport: createFsTransport({ root, logger: silentLogger }),
    sink,
    plugins: plugins(),
    logger: silentLogger,
  });
  kernels.push(kernel);
  await kernel.bus.attach(name);
  return { kernel, sink, name };
}

describe.each([
  {
    mode: 'signed',
    plugins: () => [rooms({ members: { ops: ['dev-one'] } }), signing({ keyFile: join(root, 'signing.key') })],
  },
  { mode: 'unsigned', plugins: () => [rooms({ members: { ops: ['dev-one'] } })] },
])('replay into another inbox ($mode)', ({ mode, plugins }) => {
  it(
    "a copy of a message to dev-one, or to a room dev-two is not in, goes to dev-two's dead " +
      'letters with the reason',
    async () => {
      const [alice, one, two] = [
        await agent('alice', plugins),
        await agent('dev-one', plugins),
        await agent('dev-two', plugins),
      ];
      const direct = await alice.kernel.bus.send({ to: 'dev-one', text: 'deploy now' });
      const room = await alice.kernel.bus.send({ to: 'room:ops', text: 'ops: restart the db' });
      expect(direct.envelope.rcpt).toEqual(['dev-one']);
      expect(room.envelope.rcpt).toEqual(['dev-one']);
      if (mode === 'signed') expect(direct.envelope.sig).toBeDefined();
      await waitFor(() => one.sink.received.length === 2, { what: 'dev-one to get both' });

      // The stored file, byte for byte, copied into dev-two's inbox.
      for (const sent of [direct, room]) {
        const stored = JSON.parse(
          await readFile(join(root, 'to-dev-one', 'done', `${sent.id}.json`), 'utf8'),
        ) as Envelope;
        await plant(root, 'dev-two', stored);
        expect(await deadReason(two, sent.id)).toBe(
          `not addressed to dev-two: the sender's routing recorded dev-one for ${sent.envelope.to} ` +
            `(a copy from another inbox?)`,
        );
      }

      // Rewriting the recorded recipients: signed, the signature no longer verifies.
      const rewritten = { ...direct.envelope, id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', rcpt: ['dev-two'] };
      await plant(root, 'dev-two', rewritten);
      if (mode === 'signed') {
        expect(await deadReason(two, rewritten.id)).toMatch(/^signing: bad signature/);
        expect(two.sink.received).toEqual([]);
      } else {
        // Without signing anyone who can write the folder can write any field: see docs/signing.md.
        await waitFor(() => two.sink.received.length === 1, { what: 'the unsigned rewrite to pass' });
      }
    },
  );
});
