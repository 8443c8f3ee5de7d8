import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { envelope, names, recorder, Scratch, waitFor } from './helpers.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** The child side, run by plain Node against the transport compiled to JavaScript. */
const CHILD = `
import { createFsTransport } from './out/transports/fs/index.js';
import { createEnvelope } from './out/kernel/envelope.js';
const [root, mode, count] = process.argv.slice(2);
const say = (line) => process.stdout.write(line + '\\n');
const logger = {
  debug() {},
  info() {},
  warn: (m) => process.stderr.write(m + '\\n'),
  error: (m) => process.stderr.write(m + '\\n'),
};
const transport = createFsTransport({ root, logger });
if (mode === 'hold') {
  // Claims messages and never settles them, like a receiver that dies mid-delivery.
  // Nothing else keeps this process alive: the open inbox must.
  await transport.open('calm-owl', async (delivery) => say('claimed ' + delivery.envelope.id));
  say('ready');
} else if (mode === 'receive-one') {
  await transport.open('calm-owl', async (delivery) => {
    await delivery.ack();
    say('got ' + delivery.envelope.text);
    await transport.close(); // the process may end now
  });
  say('ready');
} else if (mode === 'send') {
  for (let i = 0; i < Number(count); i++) {
    await transport.put('calm-owl', createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'n' + i }));
  }
  await transport.close();
}
`;

describe('fs transport across processes', () => {
  let build = '';
  const scratch = new Scratch();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    build = await mkdtemp(join(tmpdir(), 'cc2cc-fs-build-'));
    const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '..', 'bin', 'tsc');
    await promisify(execFile)(process.execPath, [
      tsc,
      '--noCheck',
      '--outDir',
      join(build, 'out'),
      '--rootDir',
      join(repo, 'src'),
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      join(repo, 'src/transports/fs/index.ts'),
    ]);
    await symlink(join(repo, 'node_modules'), join(build, 'node_modules'));
    await writeFile(join(build, 'package.json'), '{"type":"module"}');
    await writeFile(join(build, 'child.mjs'), CHILD);
  }, 120_000);
  afterAll(() => rm(build, { recursive: true, force: true }));
  beforeEach(() => scratch.setUp());
  afterEach(async () => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await scratch.tearDown();
  });

  function child(...args: string[]): { process: ChildProcess; lines: string[] } {
    const proc = spawn(process.execPath, [join(build, 'child.mjs'), scratch.root, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(proc);
    const lines: string[] = [];
    createInterface({ input: proc.stdout! }).on('line', (line) => lines.push(line));
    return { process: proc, lines };
  }

  it(
    'a receiver killed mid-delivery: its lock is refused while it lives, taken over after, the ' +
      'message delivered again',
    async () => {
      const writer = scratch.transport();
      const message = envelope();
      await writer.put('calm-owl', message);
      const holder = child('hold');
      await waitFor(() => holder.lines.includes(`claimed ${message.id}`), { what: 'the child to claim the message' });
      expect(await names(join(scratch.root, 'to-calm-owl', 'cur'))).toEqual([`${message.id}.json`]);
      const lock = JSON.parse(await readFile(join(scratch.root, 'to-calm-owl', 'lock'), 'utf8')) as { pid: number };
      expect(lock.pid).toBe(holder.process.pid);

      await expect(writer.open('calm-owl', recorder().handler)).rejects.toMatchObject({
        code: 'INBOX_LOCKED',
        message: expect.stringContaining(`pid ${holder.process.pid}`),
      });

      holder.process.kill('SIGKILL');
      await once(holder.process, 'exit');
      const seen = recorder();
      await writer.open('calm-owl', seen.handler);
      await waitFor(() => seen.deliveries.length === 1, { what: 'redelivery after the crash' });
      expect(seen.deliveries[0]!.envelope).toEqual(message);
      // The receiver died with it in the handler: that hand-over counts (crash-counts.ts).
      expect(seen.deliveries[0]!.attempt).toBe(2);
      await waitFor(async () => (await names(join(scratch.root, 'to-calm-owl', 'done'))).length === 1);
    },
  );

  it('an open inbox keeps its process alive until it is closed', async () => {
    const receiver = child('receive-one');
    await waitFor(() => receiver.lines.includes('ready'), { what: 'the child to open its inbox' });
    await scratch.transport().put('calm-owl', envelope('wake up'));
    const [code] = (await once(receiver.process, 'exit')) as [number];
    expect(receiver.lines).toEqual(['ready', 'got wake up']);
    expect(code).toBe(0);
  });

  it('messages put by another process arrive once each, in order', async () => {
    const seen = recorder();
    await scratch.transport().open('calm-owl', seen.handler);
    const sender = child('send', '60');
    const [code] = (await once(sender.process, 'exit')) as [number];
    expect(code).toBe(0);
    await waitFor(() => seen.deliveries.length === 60, { what: '60 deliveries' });
    expect(seen.deliveries.map((delivery) => delivery.envelope.text)).toEqual(
      Array.from({ length: 60 }, (_, i) => `n${i}`),
    );
    await waitFor(async () => (await names(join(scratch.root, 'to-calm-owl', 'done'))).length === 60);
  });
});
