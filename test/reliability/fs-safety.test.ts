import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, rename, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, encodeEnvelope, type Envelope } from '../../src/kernel/envelope.js';
import { newId } from '../../src/kernel/ids.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { FsTransport } from '../../src/transports/fs/index.js';
import { killLeftovers, runCli, spawnCli, startReceiver, type Agent } from './support/processes.js';
import { names, Project, waitFor } from './support/project.js';
import { recordFigures } from './support/report.js';

/**
 * Filesystem tricks against a real receiver process: symlinks, FIFOs, folders where files
 * belong and files where folders belong, in inbox/, cur/, done/, the lock and the inbox
 * folders themselves; files too deep to parse and not UTF-8; a root other users can read.
 * Each is refused and reported (a dead letter with its reason, a warning or a typed error),
 * never followed or opened, and the receiver keeps delivering everything else.
 */
const AGENT = 'calm-owl';
const LONG = { timeoutMs: 60_000 };

describe('filesystem safety, with real processes', () => {
  const project = new Project();
  /** Every trick played, by name; and the good messages the first test delivered. */
  const traps: string[] = [];
  let delivered = 0;
  let passed = 0;
  afterEach(async () => {
    await killLeftovers();
    await project.remove();
  });
  afterAll(async () => {
    if (passed === 4) await recordSafety(traps.length, delivered);
  });

  const box = (folder: 'tmp' | 'inbox' | 'cur' | 'done' | 'dead' | '') => project.box(AGENT, folder);
  const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

  async function receiver(): Promise<Agent> {
    const agent = startReceiver(project.dir, AGENT, { CC2CC_TEST_LOG_LEVEL: 'warn', CC2CC_TEST_TRACE: '1' });
    await waitFor(() => agent.of('ready').length > 0 || agent.of('error').length > 0 || agent.ended(), {
      ...LONG,
      what: 'the receiver to start',
    });
    return agent;
  }

  async function put(
    text: string,
    envelope = createEnvelope({ from: 'brave-fox', to: AGENT, text }),
  ): Promise<Envelope> {
    const writer = new FsTransport({ root: project.root, logger: silentLogger });
    await writer.put(AGENT, envelope);
    await writer.close();
    return envelope;
  }

  it('traps in inbox/, cur/ and done/ are refused with reasons, never followed; every good ' +
    'message arrives once', async () => {
    await project.create({ agents: [AGENT, 'brave-fox'], transport: { use: 'fs', rescanMs: 200 } });
    const good: Envelope[] = [await put('first')];
    const bait = join(project.dir, 'bait.json');
    const baitText = encodeEnvelope(
      createEnvelope({ from: 'brave-fox', to: AGENT, text: 'never read through a link' }),
    );
    await writeFile(bait, baitText);
    const trap = (name: string) => {
      const id = newId();
      traps.push(name);
      return { id, file: `${id}.json` };
    };
    const expectedReasons = new Map<string, RegExp>();
    // inbox/: a link to a file outside the root, a FIFO, a folder, 100,000-deep JSON, bytes that are not UTF-8.
    const link = trap('symlink in inbox/');
    await symlink(bait, join(box('inbox'), link.file));
    expectedReasons.set(link.id, /symlink/);
    const fifo = trap('FIFO in inbox/');
    mkfifo(join(box('inbox'), fifo.file));
    expectedReasons.set(fifo.id, /FIFO/);
    const folder = trap('folder named <id>.json in inbox/');
    await mkdir(join(box('inbox'), folder.file));
    expectedReasons.set(folder.id, /folder/);
    const deep = trap('JSON nested 100,000 deep');
    await writeFile(
      join(box('inbox'), deep.file),
      JSON.stringify({ ...createEnvelope({ from: 'brave-fox', to: AGENT, text: '' }), id: deep.id, data: 0 }).replace(
        '"data":0',
        `"data":${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      ),
    );
    expectedReasons.set(deep.id, /INVALID_ENVELOPE: envelope is nested too deeply/);
    const latin = trap('not UTF-8');
    await writeFile(
      join(box('inbox'), latin.file),
      Buffer.concat([
        Buffer.from(
          encodeEnvelope({ ...createEnvelope({ from: 'brave-fox', to: AGENT, text: 'caf' }), id: latin.id }).slice(
            0,
            -2,
          ),
        ),
        Buffer.from([0xe9]),
        Buffer.from('"}'),
      ]),
    );
    expectedReasons.set(latin.id, /not valid UTF-8/);
    // cur/ at start: what a dead receiver could not have claimed is refused, not returned.
    for (const [name, make] of [
      ['symlink in cur/', (path: string) => symlink(bait, path)],
      ['FIFO in cur/', async (path: string) => mkfifo(path)],
      ['folder in cur/', (path: string) => mkdir(path)],
    ] as const) {
      await make(join(box('cur'), trap(name).file));
    }
    // A folder squatting a real message's name in done/: it must neither pass for "delivered"
    // nor block the ack (it is moved to dead/ when the ack needs its place).
    const blockedAck = await put('blocked ack');
    await mkdir(join(box('done'), `${blockedAck.id}.json`));
    traps.push('folder in done/ blocking an ack');
    good.push(blockedAck, await put('last'));

    const agent = await receiver();
    expect(agent.of('ready')).toHaveLength(1);
    await waitFor(() => good.every((envelope) => agent.of('message').some((message) => message.id === envelope.id)), {
      ...LONG,
      what: 'the good messages',
    });
    await waitFor(async () => (await names(box('inbox'))).length === 0 && (await names(box('cur'))).length === 0, {
      ...LONG,
      what: 'inbox/ and cur/ to empty',
    });
    // Each good message once; nothing else handed over (the bait above all).
    expect(
      agent
        .of('message')
        .map((message) => message.id)
        .sort(),
    ).toEqual(good.map((envelope) => envelope.id).sort());
    expect(await readFile(bait, 'utf8')).toBe(baitText);
    const dead = await deadLetters();
    expect(dead).toHaveLength(traps.length);
    for (const [id, reason] of expectedReasons)
      expect(dead.find((letter) => letter.id === id)?.reason, id).toMatch(reason);
    expect(
      dead.filter((letter) =>
        /in cur\/, where only message files belong; never opened or followed/.test(letter.reason),
      ),
    ).toHaveLength(3);
    expect(dead.filter((letter) => /in done\/, where only message files belong/.test(letter.reason))).toHaveLength(1);
    // Moved as they were: the link is still a link to the untouched bait, the FIFO a FIFO.
    expect((await lstat(join(box('dead'), link.file))).isSymbolicLink()).toBe(true);
    expect((await lstat(join(box('dead'), fifo.file))).isFIFO()).toBe(true);
    expect((await lstat(join(box('done'), `${blockedAck.id}.json`))).isFile()).toBe(true);
    // Reported as it happened, on stderr.
    expect(agent.stderr.filter((line) => line.includes('dead letter')).length).toBeGreaterThanOrEqual(traps.length);

    // A folder squatting the name of the next message in cur/, while the receiver runs: it
    // would block the claim; it goes to dead/ and the message is delivered.
    const squatted = createEnvelope({ from: 'brave-fox', to: AGENT, text: 'squatted in cur/' });
    await mkdir(join(box('cur'), `${squatted.id}.json`));
    traps.push('folder in cur/ blocking a claim');
    await put('', squatted);
    good.push(squatted);
    await waitFor(() => agent.of('message').some((message) => message.id === squatted.id), {
      ...LONG,
      what: 'the squatted message',
    });
    expect(agent.of('message').filter((message) => message.id === squatted.id)).toHaveLength(1);
    expect((await deadLetters()).filter((letter) => /named .* in cur\//.test(letter.reason))).toHaveLength(4);

    // A file where a folder belongs, while the receiver runs: reported, and once it is gone,
    // delivery goes on (the receiver makes the folder again).
    // (The receiver makes a missing cur/ again at once: retry until the file took its place.)
    await waitFor(
      async () => {
        await rmdir(box('cur')).catch(() => {});
        return writeFile(box('cur'), 'not a folder', { flag: 'wx' }).then(
          () => true,
          () => false,
        );
      },
      { ...LONG, what: 'a file in the place of cur/' },
    );
    traps.push('file where cur/ belongs (while running)');
    // (Senders refuse to write into a broken inbox too: this one is written as a foreign writer would.)
    const during = createEnvelope({ from: 'brave-fox', to: AGENT, text: 'while cur/ is a file' });
    await writeFile(join(box('tmp'), `${during.id}.x.json`), encodeEnvelope(during));
    await rename(join(box('tmp'), `${during.id}.x.json`), join(box('inbox'), `${during.id}.json`));
    await waitFor(() => agent.stderr.some((line) => line.includes('should be a folder')), {
      ...LONG,
      what: 'the report',
    });
    expect(agent.of('message').some((message) => message.id === during.id)).toBe(false);
    await unlink(box('cur'));
    await waitFor(() => agent.of('message').some((message) => message.id === during.id), {
      ...LONG,
      what: 'delivery after the fix',
    });
    good.push(during);
    expect(agent.ended()).toBeUndefined();

    expect(
      agent
        .of('message')
        .map((message) => message.id)
        .sort(),
    ).toEqual(good.map((envelope) => envelope.id).sort());
    delivered = good.length;
    passed++;

    async function deadLetters() {
      const reader = new FsTransport({ root: project.root, logger: silentLogger });
      const letters = await reader.deadLetters(AGENT);
      await reader.close();
      return letters;
    }
  }, 120_000);

  it('a lock, an inbox folder or a folder of it that is not what it should be: the receiver ' +
    'refuses to start, naming it', async () => {
    await project.create({ agents: [AGENT], transport: { use: 'fs', rescanMs: 200 } });
    await put('waiting');
    const cases: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
      ['FIFO as the lock', async () => mkfifo(join(box(''), 'lock')), () => unlink(join(box(''), 'lock'))],
      ['folder as the lock', () => mkdir(join(box(''), 'lock')), () => rmdir(join(box(''), 'lock'))],
      [
        'file as inbox/',
        async () => {
          await rename(box('inbox'), `${box('inbox')}.aside`);
          await writeFile(box('inbox'), 'x');
        },
        async () => {
          await unlink(box('inbox'));
          await rename(`${box('inbox')}.aside`, box('inbox'));
        },
      ],
      [
        'symlink as done/',
        async () => {
          await mkdir(join(project.dir, 'elsewhere'));
          await rmdir(box('done'));
          await symlink(join(project.dir, 'elsewhere'), box('done'));
        },
        async () => {
          await unlink(box('done'));
          await mkdir(box('done'), { mode: 0o700 });
        },
      ],
    ];
    for (const [name, plant, clear] of cases) {
      await plant();
      traps.push(name);
      const agent = await receiver();
      const error = agent.of('error')[0];
      expect(error, name).toMatchObject({ code: 'UNSAFE_PATH' });
      expect(error!.message, name).toContain(project.root);
      await agent.exited;
      // doctor looks at the same folder without hanging on a FIFO or following a link.
      const doctor = await runCli(['doctor'], project.dir);
      expect(doctor.code, name).toBe(1);
      expect(doctor.stdout, name).toMatch(
        name.includes('lock') ? /is not a lock file/ : /FAIL agents: calm-owl: UNSAFE_PATH/,
      );
      await clear();
    }
    expect(await names(join(project.dir, 'elsewhere'))).toEqual([]);
    const agent = await receiver();
    await waitFor(() => agent.of('message').some((message) => message.text === 'waiting'), {
      ...LONG,
      what: 'delivery once all is cleared',
    });
    passed++;
  }, 120_000);

  it('a dead letter is never replaced: a copy refused again gets a fresh id, the first keeps its ' +
    'file and reason', async () => {
    await project.create({ agents: [AGENT], transport: { use: 'fs', rescanMs: 200 } });
    const transport = new FsTransport({ root: project.root, logger: silentLogger, rescanMs: 50 });
    const refused: string[] = [];
    const inbox = await transport.open(AGENT, async (delivery) => {
      refused.push(delivery.envelope.id);
      await delivery.deadLetter(`refused, copy ${refused.length}`);
    });
    const message = await put('refused twice');
    await waitFor(() => refused.length === 1, { what: 'the first refusal' });
    // The same message shows up again (a sender that retried its put) and is refused again.
    await writeFile(join(box('tmp'), 'copy'), encodeEnvelope(message));
    await rename(join(box('tmp'), 'copy'), join(box('inbox'), `${message.id}.json`));
    await waitFor(() => refused.length === 2, { what: 'the second refusal' });
    await inbox.close();
    const letters = await transport.deadLetters(AGENT);
    await transport.close();
    expect(letters).toHaveLength(2);
    expect(letters.find((letter) => letter.id === message.id)).toMatchObject({
      reason: 'refused, copy 1',
      envelope: message,
    });
    expect(letters.find((letter) => letter.id !== message.id)).toMatchObject({
      reason: `refused, copy 2 (message ${message.id}: dead/ already holds that id)`,
      envelope: message,
    });
    passed++;
  }, 60_000);

  it('warns on stderr when the root is open to other users, at the start of a receiver and of cc2cc tail', async () => {
    await project.create({ agents: [AGENT], transport: { use: 'fs', rescanMs: 200 } });
    await put('hello');
    await chmod(project.root, 0o755);
    const agent = await receiver();
    await waitFor(() => agent.stderr.some((line) => /open to other users \(mode 755\).*chmod 700/.test(line)), {
      ...LONG,
      what: 'the warning',
    });
    const tail = spawnCli(['tail'], project.dir);
    await waitFor(() => tail.stderr.some((line) => /open to other users \(mode 755\)/.test(line)), {
      ...LONG,
      what: 'the warning from tail',
    });
    tail.child.kill('SIGTERM');
    traps.push('root readable by others');
    // Once it is 0700 again, nothing to say.
    await chmod(project.root, 0o700);
    const warnings: string[] = [];
    const quiet = new FsTransport({
      root: project.root,
      logger: { ...silentLogger, warn: (message) => void warnings.push(message) },
    });
    await (await quiet.observe(() => {}))();
    await quiet.close();
    expect(warnings).toEqual([]);
    passed++;
  }, 60_000);
});

async function recordSafety(tricks: number, delivered: number): Promise<void> {
  await recordFigures(
    {
      scenario: 'fs-safety',
      order: 70,
      title: 'Filesystem tricks',
      proves: [
        'A receiver process starts on an inbox with a symlink to a file outside the root, a FIFO, ' +
          'a folder named like a message, JSON nested 100,000 deep and a file that is not UTF-8 ' +
          "in inbox/; a symlink, a FIFO and a folder in cur/; a folder squatting a real message's " +
          'name in done/ (in the way of its ack) and, while it runs, another in cur/ (in the way of a claim).',
        'Each is moved to dead/ as it is (a link stays a link, its target untouched) with a ' +
          'reason, and reported on stderr; every good message is delivered once (the squatted ' +
          'ones too), the bait never.',
        'cur/ replaced by a file while the receiver runs: reported, and delivery resumes once it ' +
          'is gone. A FIFO or folder as the lock, a file as inbox/, a symlink as done/: the ' +
          'receiver refuses to start with UNSAFE_PATH naming the path, and `cc2cc doctor` reports it without hanging.',
        'A root other users can read gets a warning on stderr when a receiver or `cc2cc tail` starts.',
        'A message refused twice (a copy that came back) leaves two dead letters: the second gets ' +
          'a fresh id; the first is never overwritten.',
      ],
      table: {
        columns: ['tricks', 'refused and reported', 'followed', 'good messages', 'delivered once', 'lost'],
        rows: [[tricks, tricks, 0, delivered, delivered, 0]],
      },
      summary: { runs: 1, messages: delivered, kills: 0, delivered, lost: 0, duplicated: 0 },
      command: 'npm run build && npx vitest run test/reliability/fs-safety.test.ts',
    },
    { replay: false },
  );
}
