import { execFileSync } from 'node:child_process';
import { copyFile, lstat, mkdir, readFile, rename, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEnvelope, type Envelope } from '../../../src/kernel/envelope.js';
import { newId } from '../../../src/kernel/ids.js';
import type { Delivery } from '../../../src/kernel/transport.js';
import { envelope, modeOf, names, recorder, Scratch, waitFor } from './helpers.js';

describe('inbox reader', () => {
  const scratch = new Scratch();
  beforeEach(() => scratch.setUp());
  afterEach(() => scratch.tearDown());

  const box = (folder: string) => join(scratch.root, 'to-calm-owl', folder);

  /** Write a raw file into inbox/ as a foreign writer would (by rename, so it is complete). */
  async function plant(name: string, content: string): Promise<void> {
    await mkdir(box('tmp'), { recursive: true });
    await mkdir(box('inbox'), { recursive: true });
    await writeFile(join(box('tmp'), name), content);
    await rename(join(box('tmp'), name), join(box('inbox'), name));
  }

  it('delivers in id order, one handler call at a time, and acks into done/', async () => {
    const transport = scratch.transport();
    const messages = Array.from({ length: 20 }, () => envelope());
    for (const message of [...messages].reverse()) await transport.put('calm-owl', message);
    const seen = recorder(async (delivery) => {
      await new Promise((resolve) => setImmediate(resolve));
      await delivery.ack();
    });
    await transport.open('calm-owl', seen.handler);
    await waitFor(async () => (await names(box('done'))).length === 20, { what: '20 acks' });
    expect(seen.ids()).toEqual(messages.map((message) => message.id));
    expect(seen.maxConcurrent()).toBe(1);
    expect(seen.deliveries.every((delivery) => delivery.attempt === 1)).toBe(true);
    expect(await names(box('inbox'))).toEqual([]);
    expect(await names(box('cur'))).toEqual([]);
    expect(await transport.stats('calm-owl')).toEqual({ queued: 0, claimed: 0, done: 20, dead: 0 });
  });

  it('notices messages put after open (watch) and with watch off (rescan)', async () => {
    for (const watch of [true, false]) {
      const transport = scratch.transport({ watch, rescanMs: 50 });
      const agent = watch ? 'calm-owl' : 'quiet-owl';
      const seen = recorder();
      await transport.open(agent, seen.handler);
      const message = envelope();
      await transport.put(agent, message);
      await waitFor(() => seen.ids().includes(message.id), { what: `delivery with watch=${watch}` });
    }
  });

  it('moves a symlink and a FIFO in inbox/ to dead/ unopened, then delivers the next good message', async () => {
    const transport = scratch.transport();
    const bait = envelope('you should never read this');
    const baitPath = join(scratch.dir, 'bait.json');
    await writeFile(baitPath, encodeEnvelope(bait));
    await transport.put('calm-owl', envelope('first good'));
    const linkId = newId();
    await symlink(baitPath, join(box('inbox'), `${linkId}.json`));
    const fifoId = newId();
    execFileSync('mkfifo', [join(box('inbox'), `${fifoId}.json`)]);
    const good = envelope('after the traps');
    await transport.put('calm-owl', good);

    const seen = recorder();
    await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.ids().includes(good.id), { what: 'the good message' });
    await waitFor(async () => (await transport.stats('calm-owl')).dead === 2, { what: 'two dead letters' });
    expect(seen.ids()).not.toContain(bait.id);
    const dead = await transport.deadLetters('calm-owl');
    expect(dead.map((letter) => letter.id)).toEqual([linkId, fifoId]);
    expect(dead[0]!.reason).toMatch(/symlink/);
    expect(dead[1]!.reason).toMatch(/FIFO/);
    expect(dead.every((letter) => letter.envelope === undefined)).toBe(true);
    // Moved as they were: the link is still a link, its target untouched.
    expect((await lstat(join(box('dead'), `${linkId}.json`))).isSymbolicLink()).toBe(true);
    expect((await lstat(join(box('dead'), `${fifoId}.json`))).isFIFO()).toBe(true);
    expect(await readFile(baitPath, 'utf8')).toBe(encodeEnvelope(bait));
    expect(modeOf(await lstat(join(box('dead'), `${linkId}.reason`)))).toBe('600');
    expect(transport.logger.lines.filter((line) => line.level === 'warn').length).toBeGreaterThanOrEqual(2);
  });

  it('dead-letters bad files with a reason that says which problem, and goes on', async () => {
    const transport = scratch.transport({ maxBytes: 4096 });
    const template = JSON.parse(encodeEnvelope(envelope())) as Record<string, unknown>;
    const ids = {
      json: newId(),
      schema: newId(),
      version: newId(),
      oversized: newId(),
      mismatch: newId(),
      folder: newId(),
    };
    await plant(`${ids.json}.json`, '{"v":1, "id": broken');
    await plant(`${ids.schema}.json`, JSON.stringify({ ...template, id: ids.schema, kind: 'shout' }));
    await plant(`${ids.version}.json`, JSON.stringify({ ...template, id: ids.version, v: 2 }));
    await plant(`${ids.oversized}.json`, JSON.stringify({ ...template, id: ids.oversized, text: 'x'.repeat(5000) }));
    await plant(`${ids.mismatch}.json`, JSON.stringify({ ...template, id: newId() }));
    await mkdir(join(box('inbox'), `${ids.folder}.json`));
    await plant('notes.txt', 'stray');
    await plant('.editor-swap', 'a dotfile is left alone');
    const good = envelope('still delivered');
    await transport.put('calm-owl', good);

    const seen = recorder();
    await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.ids().includes(good.id));
    await waitFor(async () => (await transport.stats('calm-owl')).dead === 7, { what: 'seven dead letters' });
    expect(seen.ids()).toEqual([good.id]);
    const reasons = new Map((await transport.deadLetters('calm-owl')).map((letter) => [letter.id, letter.reason]));
    expect(reasons.get(ids.json)).toMatch(/not valid JSON/);
    expect(reasons.get(ids.schema)).toMatch(/INVALID_ENVELOPE.*kind/);
    expect(reasons.get(ids.version)).toMatch(/UNSUPPORTED_VERSION.*version 2/);
    expect(reasons.get(ids.oversized)).toMatch(/oversized: \d+ bytes, over the limit of 4096/);
    expect(reasons.get(ids.mismatch)).toMatch(/file name says id .* but the envelope inside has id/);
    expect(reasons.get(ids.folder)).toMatch(/folder/);
    expect([...reasons.values()].some((reason) => /unexpected file name "notes.txt"/.test(reason))).toBe(true);
    expect(await names(box('inbox'))).toEqual(['.editor-swap']);
  });

  it('refuses a second open of the same inbox in this process, naming the pid', async () => {
    const transport = scratch.transport();
    await transport.open('calm-owl', recorder().handler);
    const other = scratch.transport();
    await expect(other.open('calm-owl', recorder().handler)).rejects.toMatchObject({
      code: 'INBOX_LOCKED',
      message: expect.stringContaining(`pid ${process.pid}`),
    });
  });

  it('abort() then open() delivers a claimed message again', async () => {
    const transport = scratch.transport();
    const message = envelope();
    await transport.put('calm-owl', message);
    const holding = recorder(() => {}); // returns without settling: the message stays claimed
    const first = await transport.open('calm-owl', holding.handler);
    await waitFor(() => holding.deliveries.length === 1);
    expect(await names(box('cur'))).toEqual([`${message.id}.json`]);
    await first.abort();
    await holding.deliveries[0]!.ack(); // settles nothing after abort
    expect(await names(box('cur'))).toEqual([`${message.id}.json`]);
    expect(await names(join(scratch.root, 'to-calm-owl'))).not.toContain('lock');

    const again = recorder();
    await transport.open('calm-owl', again.handler);
    await waitFor(() => again.deliveries.length === 1);
    expect(again.deliveries[0]!.envelope).toEqual(message);
    // The receiver died with it in the handler: that hand-over counts (crash-counts.ts).
    expect(again.deliveries[0]!.attempt).toBe(2);
    await waitFor(async () => (await names(box('done'))).includes(`${message.id}.json`));
  });

  it('acks a message whose id is already in done/ without calling the handler', async () => {
    const transport = scratch.transport();
    const message = envelope();
    await transport.put('calm-owl', message);
    const seen = recorder();
    await transport.open('calm-owl', seen.handler);
    await waitFor(async () => (await names(box('done'))).length === 1);
    // The same file shows up again (a sender retried its put, or a copy was restored).
    await copyFile(join(box('done'), `${message.id}.json`), join(box('tmp'), 'copy'));
    await rename(join(box('tmp'), 'copy'), join(box('inbox'), `${message.id}.json`));
    const next = envelope();
    await transport.put('calm-owl', next);
    await waitFor(() => seen.ids().includes(next.id));
    await waitFor(async () => (await names(box('inbox'))).length === 0);
    expect(seen.ids()).toEqual([message.id, next.id]);
  });

  it('remembers done/ across opens', async () => {
    const message = envelope();
    const writer = scratch.transport();
    await writer.put('calm-owl', message);
    await mkdir(box('done'), { recursive: true });
    await copyFile(join(box('inbox'), `${message.id}.json`), join(box('done'), `${message.id}.json`));
    const seen = recorder();
    await scratch.transport().open('calm-owl', seen.handler);
    await waitFor(async () => (await names(box('inbox'))).length === 0);
    expect(seen.deliveries).toEqual([]);
  });

  it('retry keeps the order: nothing behind a retried message goes first', async () => {
    const transport = scratch.transport();
    const first = envelope('first');
    const second = envelope('second');
    await transport.put('calm-owl', first);
    await transport.put('calm-owl', second);
    const seen = recorder((delivery) =>
      delivery.envelope.id === first.id && delivery.attempt < 3 ? delivery.retry('not yet', 30) : delivery.ack(),
    );
    await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.ids().includes(second.id));
    expect(seen.deliveries.map((delivery) => [delivery.envelope.text, delivery.attempt])).toEqual([
      ['first', 1],
      ['first', 2],
      ['first', 3],
      ['second', 1],
    ]);
  });

  it(
    'order is per sender: a message waiting for its retry holds back its sender only, other ' + 'senders pass',
    async () => {
      const transport = scratch.transport();
      const annFirst = envelope('ann 1', { from: 'ann' });
      const bobOnly = envelope('bob 1', { from: 'bob' });
      const annSecond = envelope('ann 2', { from: 'ann' });
      for (const message of [annFirst, bobOnly, annSecond]) await transport.put('calm-owl', message);
      let release: () => void = () => {};
      const bobSeen = new Promise<void>((resolve) => (release = resolve));
      const seen = recorder(async (delivery) => {
        if (delivery.envelope.id === bobOnly.id) release();
        // ann's first message is held until bob's has been delivered: bob must not wait behind it.
        if (delivery.envelope.id === annFirst.id && delivery.attempt === 1)
          return delivery.retry('rate limited', 60_000);
        return delivery.ack();
      });
      await transport.open('calm-owl', seen.handler);
      await bobSeen;
      await waitFor(async () => (await names(box('done'))).includes(`${bobOnly.id}.json`));
      // ann's second message did not overtake her first.
      expect(seen.deliveries.map((delivery) => delivery.envelope.text)).toEqual(['ann 1', 'bob 1']);
      expect((await names(box('inbox'))).sort()).toEqual([annFirst.id, annSecond.id].map((id) => `${id}.json`).sort());
    },
  );

  it('a retry with no delay is offered again before the later messages of its sender', async () => {
    const transport = scratch.transport();
    const first = envelope('first');
    const second = envelope('second');
    await transport.put('calm-owl', first);
    await transport.put('calm-owl', second);
    const seen = recorder((delivery) =>
      delivery.envelope.id === first.id && delivery.attempt === 1 ? delivery.retry('now', 0) : delivery.ack(),
    );
    await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.ids().includes(second.id));
    expect(seen.deliveries.map((delivery) => delivery.envelope.text)).toEqual(['first', 'first', 'second']);
  });

  it('gives back what it claimed ahead when a message is held for a retry, and when it closes', async () => {
    const transport = scratch.transport();
    const messages = Array.from({ length: 30 }, (_, index) => envelope(`message ${index}`));
    for (const message of messages) await transport.put('calm-owl', message);
    const held = messages[3]!;
    let heldAt: Promise<void> | undefined;
    const seen = recorder((delivery) => {
      if (delivery.envelope.id !== held.id) return delivery.ack();
      heldAt = delivery.retry('later', 60_000);
      return heldAt;
    });
    const inbox = await transport.open('calm-owl', seen.handler);
    await waitFor(() => heldAt !== undefined, { what: 'the retry' });
    await heldAt;
    // While the fourth message waits, the ones claimed ahead of it are back in inbox/: nothing is stuck in cur/.
    await waitFor(async () => (await names(box('cur'))).length === 0, { what: 'cur/ emptied' });
    expect(await names(box('inbox'))).toEqual(messages.slice(3).map((message) => `${message.id}.json`));
    expect(seen.ids()).toEqual(messages.slice(0, 4).map((message) => message.id));
    await inbox.close();
    expect(await names(box('cur'))).toEqual([]);
    expect(await names(box('inbox'))).toHaveLength(27);
  });

  it('a handler that throws counts as a retry', async () => {
    const transport = scratch.transport();
    const message = envelope();
    await transport.put('calm-owl', message);
    const seen = recorder((delivery) => {
      if (delivery.attempt === 1) throw new Error('sink is down');
      return delivery.ack();
    });
    await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.deliveries.length === 2);
    expect(seen.deliveries[1]!.attempt).toBe(2);
    await waitFor(async () => (await names(box('done'))).length === 1);
  });

  it('holds an unsettled message, moves on, and settles it later; settling twice is a no-op', async () => {
    const transport = scratch.transport();
    const held = envelope('held');
    const next = envelope('next');
    await transport.put('calm-owl', held);
    await transport.put('calm-owl', next);
    const seen = recorder((delivery) => (delivery.envelope.id === held.id ? undefined : delivery.ack()));
    await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.ids().includes(next.id));
    expect(await names(box('cur'))).toEqual([`${held.id}.json`]);
    const delivery = seen.deliveries[0] as Delivery;
    await delivery.deadLetter('the agent refused it');
    await delivery.ack();
    await delivery.retry('again', 0);
    expect(await names(box('cur'))).toEqual([]);
    expect(await names(box('done'))).toEqual([`${next.id}.json`]);
    expect(await transport.deadLetters('calm-owl')).toEqual([
      { id: held.id, reason: 'the agent refused it', envelope: held },
    ]);
  });

  it('close() waits for the handler in progress and releases the lock', async () => {
    const transport = scratch.transport();
    const message = envelope();
    await transport.put('calm-owl', message);
    let finish: () => void = () => {};
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const seen = recorder(async (delivery) => {
      await gate;
      await delivery.ack();
    });
    const inbox = await transport.open('calm-owl', seen.handler);
    await waitFor(() => seen.deliveries.length === 1);
    let closed = false;
    const closing = inbox.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    finish();
    await closing;
    expect(await names(box('done'))).toEqual([`${message.id}.json`]);
    expect(await names(join(scratch.root, 'to-calm-owl'))).not.toContain('lock');
    await transport.open('calm-owl', recorder().handler);
  });

  it(
    'close() does not wait forever for a handler that never returns: the message stays claimed ' +
      'and is offered again',
    async () => {
      const transport = scratch.transport({ closeTimeoutMs: 100 });
      const message = envelope();
      await transport.put('calm-owl', message);
      const stuck = recorder(() => new Promise<void>(() => {}));
      const inbox = await transport.open('calm-owl', stuck.handler);
      await waitFor(() => stuck.deliveries.length === 1);
      await inbox.close();
      expect(await names(box('cur'))).toEqual([`${message.id}.json`]);
      expect(await names(join(scratch.root, 'to-calm-owl'))).not.toContain('lock');
      expect(transport.logger.lines.some((line) => line.message.includes('did not return within 100 ms'))).toBe(true);
      await stuck.deliveries[0]!.ack(); // too late: settles nothing
      expect(await names(box('cur'))).toEqual([`${message.id}.json`]);
      const again = recorder();
      await transport.open('calm-owl', again.handler);
      await waitFor(() => again.ids().includes(message.id));
    },
  );

  it('removes stale temp files on open and keeps fresh ones', async () => {
    const transport = scratch.transport({ tmpGraceMs: 60_000 });
    await transport.put('calm-owl', envelope());
    const stale = join(box('tmp'), `${newId()}.999.aaaa.json`);
    const fresh = join(box('tmp'), `${newId()}.999.bbbb.json`);
    await writeFile(stale, '{"half":');
    await writeFile(fresh, '{"being written":');
    const past = new Date(Date.now() - 120_000);
    await utimes(stale, past, past);
    await transport.open('calm-owl', recorder().handler);
    expect(await names(box('tmp'))).toEqual([fresh.slice(box('tmp').length + 1)]);
  });

  it('leaves done/ alone while a drain delivers, and prunes it to maxDone when the drain ends', async () => {
    const count = 1100; // past the 1,000 acks after which a receiver prunes
    const files: string[] = [];
    for (let index = 0; index < count; index++) {
      const message = envelope(`queued ${index}`);
      files.push(`${message.id}.json`);
      await plant(`${message.id}.json`, encodeEnvelope(message));
    }
    const transport = scratch.transport({ maxDone: 50 });
    let doneAtLast = -1;
    let seen = 0;
    await transport.open('calm-owl', async (delivery) => {
      if (++seen === count) doneAtLast = (await names(box('done'))).length;
      await delivery.ack();
    });
    await waitFor(() => doneAtLast >= 0, { what: 'the last delivery', timeoutMs: 60_000 });
    expect(doneAtLast).toBe(count - 1); // every earlier ack still there: nothing pruned mid-drain
    await waitFor(async () => (await names(box('done'))).length === 50, {
      what: 'done/ pruned to maxDone',
      timeoutMs: 60_000,
    });
    expect(await names(box('done'))).toEqual(files.slice(-50));
  });

  it('prunes done/ beyond maxDone, oldest first, and past retentionMs', async () => {
    const messages: Envelope[] = Array.from({ length: 6 }, () => envelope());
    const writer = scratch.transport();
    for (const message of messages) await writer.put('calm-owl', message);
    const first = recorder();
    const inbox = await writer.open('calm-owl', first.handler);
    await waitFor(async () => (await names(box('done'))).length === 6);
    await inbox.close();

    const keepFour = scratch.transport({ maxDone: 4 });
    await (await keepFour.open('calm-owl', recorder().handler)).close();
    expect(await names(box('done'))).toEqual(messages.slice(2).map((message) => `${message.id}.json`));

    const keepNone = scratch.transport({ retentionMs: 0 });
    await (await keepNone.open('calm-owl', recorder().handler)).close();
    expect(await names(box('done'))).toEqual([]);
  });
});
