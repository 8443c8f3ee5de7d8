import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientOutput, detectClient, parseHookEvent } from '../../src/hooks/clients.js';
import { matchServer } from '../../src/hooks/find-server.js';
import { DeliveryLedger } from '../../src/hooks/ledger.js';
import { transcriptShows } from '../../src/hooks/transcript.js';
import type { SessionEndpoint } from '../../src/hooks/session-files.js';

const folders: string[] = [];
afterEach(async () => Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))));

const endpoint = (name: string, ancestors: number[], claudeSessionId?: string): SessionEndpoint => ({
  v: 1,
  name,
  pid: process.pid, // alive
  ancestors,
  ...(claudeSessionId && { claudeSessionId }),
  socket: `/tmp/${name}.sock`,
  delivery: 'auto',
  startedAt: '2026-01-01T00:00:00.000Z',
});

describe('matchServer', () => {
  it("prefers the same Claude Code session id, and never takes another session's server", () => {
    const servers = [endpoint('a', [10, 1000], 's-a'), endpoint('b', [20, 1000], 's-b')];
    expect(matchServer(servers, [30, 10], { CLAUDE_CODE_SESSION_ID: 's-b' })).toMatchObject({
      endpoint: { name: 'b' },
    });
    // The hook shares a parent with a, but a belongs to another session.
    expect(matchServer(servers, [30, 10], { CLAUDE_CODE_SESSION_ID: 's-c' })).toHaveProperty('none');
  });

  it('finds the server through the nearest shared parent, not a far one (a terminal both sessions share)', () => {
    const servers = [endpoint('a', [11, 10, 5, 4, 3, 2]), endpoint('b', [21, 20, 5, 4, 3, 2])];
    expect(matchServer(servers, [12, 10, 5], {})).toMatchObject({ endpoint: { name: 'a' } });
    const far = [endpoint('b', [21, 20, 6, 7, 8, 2])];
    expect(matchServer(far, [12, 13, 14, 15, 16, 2], {})).toHaveProperty('none');
  });

  it('says it is ambiguous when two servers share the parent, unless CC2CC_NAME picks one', () => {
    const servers = [endpoint('a', [10]), endpoint('b', [10])];
    expect(matchServer(servers, [10], {})).toMatchObject({ ambiguous: [{ name: 'a' }, { name: 'b' }] });
    expect(matchServer(servers, [10], { CC2CC_NAME: 'b' })).toMatchObject({ endpoint: { name: 'b' } });
    expect(matchServer([endpoint('c', [99])], [10], { CC2CC_NAME: 'c' })).toMatchObject({
      endpoint: { name: 'c' },
      how: 'CC2CC_NAME',
    });
  });
});

describe('DeliveryLedger', () => {
  it('keeps pushed and seen across instances (sessions); seen wins; a second writer is read on refresh', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-ledger-'));
    folders.push(dir);
    const path = join(dir, 'sessions', 'bob.ledger');
    const first = await DeliveryLedger.load(path);
    await first.record('A', 'pushed');
    await first.record('B', 'seen', 'hook');
    await first.record('B', 'pushed'); // never goes back
    const second = await DeliveryLedger.load(path);
    expect([second.state('A'), second.state('B'), second.via('B'), second.state('C')]).toEqual([
      'pushed',
      'seen',
      'hook',
      undefined,
    ]);
    await second.record('A', 'seen', 'check_inbox');
    await first.refresh();
    expect(first.state('A')).toBe('seen');
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(3);
  });

  it('makes its folder again when it was removed mid-session', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-ledger-'));
    folders.push(dir);
    const path = join(dir, 'sessions', 'bob.ledger');
    const ledger = await DeliveryLedger.load(path);
    await ledger.record('A', 'pushed');
    await rm(join(dir, 'sessions'), { recursive: true });
    await ledger.record('B', 'seen', 'reply');
    expect((await DeliveryLedger.load(path)).state('B')).toBe('seen');
  });
});

describe('client formats', () => {
  it("maps every client's event names, tells the client, and prints its JSON", () => {
    expect(
      [
        'SessionStart',
        'UserPromptSubmit',
        'BeforeAgent',
        'PostToolUse',
        'AfterTool',
        'Stop',
        'AfterAgent',
        'stop',
        'x',
      ].map(parseHookEvent),
    ).toEqual([
      'session-start',
      'prompt-submit',
      'prompt-submit',
      'post-tool',
      'post-tool',
      'stop',
      'stop',
      'stop',
      undefined,
    ]);
    expect(detectClient('AfterTool', {})).toBe('gemini');
    expect(detectClient('Stop', { CLAUDE_CODE_SESSION_ID: 'x' })).toBe('claude');
    expect(detectClient('Stop', { CODEX_HOME: '/x' })).toBe('codex');
    expect(JSON.parse(clientOutput('gemini', 'post-tool', { context: 'hi' })!)).toEqual({
      hookSpecificOutput: { hookEventName: 'AfterTool', additionalContext: 'hi' },
    });
    expect(JSON.parse(clientOutput('codex', 'stop', { block: 'read' })!)).toEqual({
      decision: 'block',
      reason: 'read',
    });
    expect(clientOutput('claude', 'stop', { context: 'ignored at stop' })).toBeUndefined();
  });
});

describe('transcriptShows', () => {
  it('counts a framed id (raw or JSON-escaped) or a recorded meta id, not a line that only names it', () => {
    const id = '01J00000000000000000000000';
    expect(transcriptShows(`<channel source="cc2cc" id="${id}">x</channel>`, id)).toBe(true);
    expect(transcriptShows(JSON.stringify({ content: `<channel id="${id}">x</channel>` }), id)).toBe(true);
    expect(transcriptShows(JSON.stringify({ meta: { id } }), id)).toBe(true);
    expect(transcriptShows(`cc2cc: 1 new message pushed to you (${id} from alice)`, id)).toBe(false);
  });
});
