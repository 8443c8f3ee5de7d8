import { afterEach, describe, expect, it } from 'vitest';
import { clientSuite, PINS } from './support/clients.js';
import { factsTable, sessionFacts } from './support/facts.js';
import { seedGemini, startGeminiPrompt, writeGeminiProject } from './support/gemini.js';
import { isAlive } from './support/processes.js';
import { hookContextReport, hooksConfig, makeHookProbe, serveEntry, waitForServer } from './support/probes.js';
import { makeSandbox, type Sandbox } from './support/sandbox.js';

const gemini = clientSuite('gemini');
const VERSION = PINS['@google/gemini-cli'];

describe.skipIf(!gemini.run)(`the real Gemini CLI ${VERSION}, offline (gemini -p)`, () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.cleanup();
    sandbox = undefined;
  });

  it('runs a trusted project hooks and cc2cc serve: each hook run reaches the chat file once', async () => {
    sandbox = await makeSandbox('gemini');
    const probe = makeHookProbe(sandbox);
    await seedGemini(sandbox);
    await writeGeminiProject(sandbox, {
      hooks: hooksConfig({ SessionStart: probe.command('SessionStart'), BeforeAgent: probe.command('BeforeAgent') }),
      mcpServers: { cc2cc: serveEntry('gemini-agent') },
    });

    const run = startGeminiPrompt(sandbox, 'the only prompt');
    const server = await waitForServer(sandbox.project, 'gemini-agent');
    await run.waitForModelCall();

    expect(run.transcriptPaths()).toHaveLength(1);
    const transcript = run.transcript();
    expect(transcript.userPrompts).toEqual(['the only prompt']);
    const report = hookContextReport(probe, transcript);
    expect(report.runs).toEqual({ SessionStart: 1, BeforeAgent: 1 });
    expect(Object.values(report.timesInTranscript)).toEqual([1, 1]);
    expect(report.strays).toEqual([]);

    // DESIGN §4: hooks get GEMINI_SESSION_ID and GEMINI_PROJECT_DIR, the server neither; both descend from gemini.
    const [hook] = probe.runs();
    expect(hook!.input?.['transcript_path']).toBe(run.transcriptPath());
    expect(hook!.env['GEMINI_SESSION_ID']).toBe(hook!.input?.['session_id']);
    expect(hook!.env['GEMINI_PROJECT_DIR']).toBe(sandbox.project);
    expect(server.env['GEMINI_SESSION_ID']).toBeUndefined();
    expect(server.env['GEMINI_PROJECT_DIR']).toBeUndefined();
    const facts = sessionFacts(`Gemini CLI ${VERSION}`, hook!, server);
    expect(server.ancestry.map((process) => process.pid)).toContain(run.process.pid);
    expect(facts.shared && facts.shared.pid !== process.pid).toBe(true);
    expect(facts.shared).toMatchObject({ hookDepth: 1, serverDepth: 1 });
    console.info(factsTable(facts));

    await run.end();
    expect(isAlive(server.pid)).toBe(false);
  }, 120_000);
});
