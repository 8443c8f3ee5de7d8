import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvelope, encodeEnvelope } from '../../../src/kernel/envelope.js';
import { linkIntoInboxes } from '../../../src/transports/fs/linked-write.js';
import { names, Scratch } from './helpers.js';

describe('one message for several inboxes (putMany)', () => {
  const scratch = new Scratch();
  beforeEach(() => scratch.setUp());
  afterEach(() => scratch.tearDown());

  const box = (agent: string, folder: string) => join(scratch.root, `to-${agent}`, folder);
  const agents = ['calm-owl', 'quiet-owl', 'bold-fox'];

  it.each([true, false])(
    'writes the file once and links it into each inbox (fsync %s), leaving no temp file',
    async (fsync) => {
      const transport = scratch.transport({ fsync });
      const envelope = createEnvelope({ from: 'brave-fox', to: 'room:team', text: 'to all' });
      const outcomes = await transport.putMany(agents, envelope);
      expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
      const files = agents.map((agent) => join(box(agent, 'inbox'), `${envelope.id}.json`));
      const infos = await Promise.all(files.map((file) => stat(file)));
      expect(new Set(infos.map((info) => info.ino)).size).toBe(1);
      expect(infos[0]!.nlink).toBe(3);
      expect((infos[0]!.mode & 0o777).toString(8)).toBe('600');
      expect(await readFile(files[0]!, 'utf8')).toBe(encodeEnvelope(envelope));
      for (const agent of agents) expect(await names(box(agent, 'tmp'))).toEqual([]);
    },
  );

  it(
    'writes the ordinary way where a link cannot be made, and refuses only the inbox that cannot ' + 'take it',
    async () => {
      const transport = scratch.transport();
      const envelope = createEnvelope({ from: 'brave-fox', to: 'room:team', text: 'to all' });
      // A folder squatting the message's name in one inbox: the link meets EEXIST, the copy meets a folder.
      await mkdir(join(box('quiet-owl', 'inbox'), `${envelope.id}.json`), { recursive: true });
      const outcomes = await transport.putMany(agents, envelope);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('quiet-owl');
      expect((await stat(join(box('bold-fox', 'inbox'), `${envelope.id}.json`))).isFile()).toBe(true);
    },
  );

  it('writes each inbox the ordinary way when the shared temp file cannot be written', async () => {
    const transport = scratch.transport();
    // folders made and remembered
    await transport.putMany(agents, createEnvelope({ from: 'brave-fox', to: 'room:team', text: 'first' }));
    await rm(box('calm-owl', 'tmp'), { recursive: true }); // where the shared temp file goes
    const envelope = createEnvelope({ from: 'brave-fox', to: 'room:team', text: 'second' });
    const outcomes = await transport.putMany(agents, envelope);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    for (const agent of agents) expect((await stat(join(box(agent, 'inbox'), `${envelope.id}.json`))).nlink).toBe(1);
  });

  it('says "copy instead" for a target whose folder is missing, and removes its temp file', async () => {
    await mkdir(join(scratch.dir, 'tmp'));
    await mkdir(join(scratch.dir, 'a'));
    const temp = join(scratch.dir, 'tmp', 'message.tmp');
    const outcomes = await linkIntoInboxes(temp, '{"x":1}', [
      join(scratch.dir, 'a', 'm.json'),
      join(scratch.dir, 'missing', 'm.json'),
    ]);
    expect(outcomes).toEqual(['linked', 'copy instead']);
    expect(await names(join(scratch.dir, 'tmp'))).toEqual([]);
    expect(await readFile(join(scratch.dir, 'a', 'm.json'), 'utf8')).toBe('{"x":1}');
  });
});
