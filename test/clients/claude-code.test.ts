import { afterEach, describe, expect, it } from 'vitest';
import { seedClaudeCode, startClaudeCode, writeClaudeProject } from './support/claude-code.js';
import { clientSuite, PINS } from './support/clients.js';
import { factsTable, sessionFacts } from './support/facts.js';
import { isAlive } from './support/processes.js';
import { hookContextReport, hooksConfig, makeHookProbe, serveEntry, waitForServer } from './support/probes.js';
import { makeSandbox, type Sandbox } from './support/sandbox.js';

const claude = clientSuite('claude-code');
const VERSION = PINS['@anthropic-ai/claude-code'];

describe.skipIf(!claude.run)(`the real Claude Code ${VERSION}, offline in tmux`, () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.cleanup();
    sandbox = undefined;
  });

  it('runs the project hooks and cc2cc serve: each hook run reaches the transcript once, and they ' +
    'share the session', async () => {
    sandbox = await makeSandbox('claude');
    const probe = makeHookProbe(sandbox);
    await seedClaudeCode(sandbox, { approvedMcpServers: ['cc2cc'] });
    await writeClaudeProject(sandbox, {
      hooks: hooksConfig({
        SessionStart: probe.command('SessionStart'),
        UserPromptSubmit: probe.command('UserPromptSubmit'),
      }),
      mcpServers: { cc2cc: serveEntry('claude-agent') },
    });

    const session = await startClaudeCode(sandbox);
    await session.waitForPrompt();
    const server = await waitForServer(sandbox.project, 'claude-agent');
    await session.submit('first prompt');
    await session.submit('second prompt');

    const transcript = session.transcript();
    expect(transcript.userPrompts).toEqual(['first prompt', 'second prompt']);
    const report = hookContextReport(probe, transcript);
    expect(report.runs).toEqual({ SessionStart: 1, UserPromptSubmit: 2 });
    expect(Object.values(report.timesInTranscript)).toEqual([1, 1, 1]);
    expect(report.strays).toEqual([]);
    expect(
      transcript.hookContexts.filter((context) => context.text.includes(probe.marker)).map((context) => context.event),
    ).toEqual(['SessionStart', 'UserPromptSubmit', 'UserPromptSubmit']);

    // DESIGN §4: hooks and server of one session share CLAUDE_CODE_SESSION_ID, CLAUDE_PROJECT_DIR
    // and the claude process.
    const [hook] = probe.runs();
    expect(hook!.input?.['transcript_path']).toBe(session.transcriptPath());
    for (const run of probe.runs()) {
      expect(run.env['CLAUDE_CODE_SESSION_ID']).toBe(session.sessionId);
      expect(run.env['CLAUDE_PROJECT_DIR']).toBe(sandbox.project);
      expect(run.ancestry.map((process) => process.pid)).toContain(session.pid);
    }
    expect(server.env['CLAUDE_CODE_SESSION_ID']).toBe(session.sessionId);
    expect(server.env['CLAUDE_PROJECT_DIR']).toBe(sandbox.project);
    expect(server.ancestry[1]?.pid).toBe(session.pid);
    const facts = sessionFacts(`Claude Code ${VERSION}`, hook!, server);
    expect(facts.shared?.pid).toBe(session.pid);
    // The hook runs under a shell (`sh -c`), so the claude process is its grandparent.
    expect(facts.shared).toMatchObject({ hookDepth: 2, serverDepth: 1 });
    console.info(factsTable(facts));

    await session.exit();
    expect(isAlive(server.pid)).toBe(false);
  }, 180_000);
});
