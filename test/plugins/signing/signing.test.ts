import { mkdir, mkdtemp, readdir, rm, stat, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../../../src/kernel/envelope.js';
import { silentLogger } from '../../../src/kernel/logger.js';
import { signing, signatureFor, canonicalJson } from '../../../plugins/signing/index.js';
import { loadOrCreateKey } from '../../../plugins/signing/key-file.js';
import { waitFor } from '../../../src/testing/wait-for.js';
import { memoryAgents, useCleanup } from '../../kernel/helpers.js';

const cleanupAfterTest = useCleanup();
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cc2cc-signing-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('signing plugin', () => {
  it('makes a 0600 key on first use and reads the same key after', async () => {
    const path = join(root, 'first-use', 'signing.key');
    const key = await loadOrCreateKey(path, silentLogger);
    expect(key).toHaveLength(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateKey(path, silentLogger)).toEqual(key);
    expect((await readFile(path, 'utf8')).trim()).toBe(key.toString('hex'));
  });

  it('a key made by many racers at once: everyone gets the same whole key, no one reads it empty', async () => {
    for (let round = 0; round < 10; round++) {
      const path = join(root, `race-${round}`, 'signing.key');
      const keys = await Promise.all(Array.from({ length: 12 }, () => loadOrCreateKey(path, silentLogger)));
      expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(1);
      expect((await readdir(join(root, `race-${round}`))).sort()).toEqual(['signing.key']);
    }
  });

  it('an empty key file left by a crashed creator is refused with what happened and the fix', async () => {
    const path = join(root, 'empty', 'signing.key');
    await mkdir(join(root, 'empty'), { recursive: true });
    await writeFile(path, '', { mode: 0o600 });
    await expect(loadOrCreateKey(path, silentLogger)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/is empty: .*delete it/),
    });
  });

  it('signs every outgoing envelope and delivers what verifies', async () => {
    const keyFile = join(root, 'shared.key');
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [signing({ keyFile })] });
    cleanupAfterTest(world.close);
    const sent = await world.agents.ann!.kernel.bus.send({
      to: 'bob',
      text: 'signed',
      data: { b: 1, a: [2, { z: 1, y: 2 }] },
    });
    const key = await loadOrCreateKey(keyFile, silentLogger);
    expect(sent.envelope.sig).toBe(signatureFor(sent.envelope, key));
    await waitFor(() => world.agents.bob!.sink.received.length === 1);
  });

  it('dead-letters unsigned, badly signed, replayed and out-of-window messages with the reason', async () => {
    const keyFile = join(root, 'verify.key');
    const world = await memoryAgents(['ann', 'bob'], { plugins: () => [signing({ keyFile, maxAgeMs: 60_000 })] });
    cleanupAfterTest(world.close);
    const key = await loadOrCreateKey(keyFile, silentLogger);
    const { bus } = world.agents.bob!.kernel;
    const transport = bus.transport;
    const signed = (text: string, ts?: Date) => {
      const envelope = { ...createEnvelope({ from: 'ann', to: 'bob', text }, ts), rcpt: ['bob'] };
      return { ...envelope, sig: signatureFor(envelope, key) };
    };
    await transport.put('bob', createEnvelope({ from: 'ann', to: 'bob', text: 'unsigned' }));
    const forged = createEnvelope({ from: 'ann', to: 'bob', text: 'forged' });
    await transport.put('bob', { ...forged, sig: signatureFor(forged, Buffer.alloc(32, 7)) });
    const tampered = signed('original');
    await transport.put('bob', { ...tampered, text: 'changed' });
    await transport.put('bob', signed('stale', new Date(Date.now() - 120_000)));
    await transport.put('bob', signed('future', new Date(Date.now() + 3_600_000)));
    await transport.put('bob', signed('good'));
    await waitFor(async () => (await transport.deadLetters('bob')).length === 5, { what: 'five dead letters' });
    const reasons = (await transport.deadLetters('bob')).map((letter) => `${letter.envelope?.text}: ${letter.reason}`);
    expect(reasons).toEqual([
      'unsigned: signing: unsigned message refused (signing is on)',
      "forged: signing: bad signature: not signed with this project's key, or changed after signing",
      "changed: signing: bad signature: not signed with this project's key, or changed after signing",
      expect.stringMatching(/^stale: signing: timestamp .* is older than 60000 ms: refused as a possible replay$/),
      expect.stringMatching(/^future: signing: timestamp .* in the future \(allowed skew 300000 ms\)$/),
    ]);
    expect(world.agents.bob!.sink.received.map((envelope) => envelope.text)).toEqual(['good']);

    // The same id offered again as a new delivery is a replay; a retry of one delivery is not.
    const again = signed('again');
    const kernel = world.agents.bob!.kernel;
    expect(await kernel.extensions.runInbound(again, { bus, direction: 'inbound', attempt: 1 })).toEqual({
      envelope: again,
    });
    expect(await kernel.extensions.runInbound(again, { bus, direction: 'inbound', attempt: 2 })).toEqual({
      envelope: again,
    });
    expect(await kernel.extensions.runInbound(again, { bus, direction: 'inbound', attempt: 1 })).toMatchObject({
      drop: `replayed id ${again.id}: already received`,
    });
  });

  it('signs receipts too, so a signing receiver accepts them', async () => {
    const keyFile = join(root, 'receipts.key');
    const world = await memoryAgents(['ann'], { plugins: () => [signing({ keyFile })], config: { agents: ['bob'] } });
    cleanupAfterTest(world.close);
    const key = await loadOrCreateKey(keyFile, silentLogger);
    const expired = createEnvelope({ from: 'ann', to: 'bob', text: 'late', expiresAt: '2020-01-01T00:00:00.000Z' });
    const { compose } = await import('../../../src/kernel/compose.js');
    const { MemoryTransport } = await import('../../../src/transports/memory/memory-transport.js');
    const { kernelConfig, RecordingSink } = await import('../../kernel/helpers.js');
    await world.agents.ann!.kernel.bus.transport.put('bob', { ...expired, sig: signatureFor(expired, key) });
    const bob = await compose({
      config: kernelConfig(),
      transport: new MemoryTransport(world.space),
      sink: new RecordingSink(),
      plugins: [signing({ keyFile })],
      logger: silentLogger,
    });
    await bob.bus.attach('bob');
    await waitFor(() => world.agents.ann!.sink.received.some((envelope) => envelope.meta?.receipt === 'expired'), {
      what: 'a signed expired receipt',
    });
    await bob.close();
  });

  it('signs a canonical form that does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":2,"f":1}]},"b":1}',
    );
  });
});
