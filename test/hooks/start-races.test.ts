import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { runCli } from '../cli/process-helpers.js';
import { CLI, DELIVERY_TIMEOUT_MS, makeProject } from '../mcp/support.js';
import { cleanEnv, contextOf, startServer, type HookRun } from './support.js';

/**
 * Issue 13: the two start-up races of a session's first hook, made certain. The settle
 * time is long here so that a loaded machine cannot end a wait early: each test holds
 * one side at the racy moment and releases it only once the other side says it waits.
 */
const SETTLE = { CC2CC_HOOK_SETTLE_MS: '60000' };
const START = { hook_event_name: 'SessionStart', source: 'startup' };

/** A running process's output, and a way to wait for a line in it (or for its exit). */
function watch(child: ChildProcess) {
  const out = { stdout: '', stderr: '', closed: false };
  child.stdout!.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const closed = once(child, 'close').then(([code]) => {
    out.closed = true;
    return code as number | null;
  });
  const says = (text: string) =>
    waitFor(() => out.stderr.includes(text) || out.closed, {
      what: `"${text}" on stderr`,
      timeoutMs: DELIVERY_TIMEOUT_MS,
      intervalMs: 20,
    });
  return { out, closed, says };
}

/** The real `cc2cc hook session-start` for bob, started now and not yet awaited. */
function startHook(project: string) {
  const child = spawn(process.execPath, [CLI, 'hook', 'session-start'], {
    cwd: project,
    env: { ...cleanEnv(), CC2CC_NAME: 'bob', CC2CC_HOOK_WAIT_MS: '0', ...SETTLE },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(JSON.stringify({ ...START, cwd: project }));
  const watched = watch(child);
  const done = async (): Promise<HookRun> => ({
    code: await watched.closed,
    stdout: watched.out.stdout,
    stderr: watched.out.stderr,
  });
  return { ...watched, done };
}

async function queueForBob(project: string, text: string): Promise<string> {
  const sent = await runCli(['send', 'bob', text, '--from', 'alice'], project);
  expect(sent.code, sent.stderr).toBe(0);
  return /^([0-9A-HJKMNP-TV-Z]{26})/.exec(sent.stdout)![1]!;
}

describe('the first hook of a session, while its server is starting', () => {
  it(
    'a server that holds the inbox but has no hook socket yet: the hook waits for the socket and ' +
      'gives the backlog',
    async () => {
      const project = await makeProject({ agents: ['alice', 'bob'] });
      const id = await queueForBob(project, 'queued before the session');
      const server = await startServer(project, ['--name', 'bob'], { ...SETTLE, CC2CC_PUSH_CONFIRM_MS: '0' }, false);
      onTestFinished(() => server.close());
      // The moment between opening the inbox and opening the socket, held: the endpoint record is not there.
      const record = join(project, '.cc2cc', 'sessions', 'bob.json');
      await rename(record, `${record}.later`);
      const hook = startHook(project);
      await hook.says('waiting up to');
      await rename(`${record}.later`, record);
      const run = await hook.done();
      const context = contextOf(run);
      expect(context, run.stderr).toContain(`id="${id}"`);
      expect(context).toContain('queued before the session');
      expect(run.stderr).not.toContain('no hook socket yet');
    },
  );

  it(
    'a backlog still on its way into the server (the client has not started pushes): the answer ' + 'waits for it',
    async () => {
      const project = await makeProject({ agents: ['alice', 'bob'] });
      const id = await queueForBob(project, 'queued before the session');
      // A server whose client has not initialized yet: the backlog is claimed and waits for the first push.
      const serve = spawn(process.execPath, [CLI, 'serve', '--name', 'bob'], {
        cwd: project,
        env: { ...cleanEnv(), ...SETTLE },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const server = watch(serve);
      onTestFinished(async () => {
        serve.stdin!.end();
        await server.closed;
      });
      await waitFor(() => existsSync(join(project, '.cc2cc', 'sessions', 'bob.json')) || server.out.closed, {
        what: "bob's hook endpoint",
        timeoutMs: DELIVERY_TIMEOUT_MS,
      });
      const hook = startHook(project);
      // Until the server says it waits (a hook answered at once is done: the checks below fail then).
      await waitFor(() => server.out.stderr.includes('session start: waiting') || hook.out.closed, {
        what: 'the server waiting for its backlog',
        timeoutMs: DELIVERY_TIMEOUT_MS,
      });
      const message = (value: unknown) =>
        serve.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', ...(value as object) })}\n`);
      message({
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'test', version: '1' },
        },
      });
      message({ method: 'notifications/initialized' });
      const run = await hook.done();
      const context = contextOf(run);
      expect(context, `${run.stderr}\n${server.out.stderr}`).toContain(`id="${id}"`);
      expect(context).toContain('queued before the session');
      expect(context).not.toContain('No messages waiting');
    },
  );
});
