import { afterEach, describe, expect, it } from 'vitest';
import { clientSuite, PINS } from './support/clients.js';
import { seedCodex, startCodexExec, writeCodexProject } from './support/codex.js';
import { factsTable, sessionFacts } from './support/facts.js';
import { isAlive } from './support/processes.js';
import { hookContextReport, hooksConfig, makeHookProbe, serveEntry, waitForServer } from './support/probes.js';
import { makeSandbox, type Sandbox } from './support/sandbox.js';

const codex = clientSuite('codex');
const VERSION = PINS['@openai/codex'];

describe.skipIf(!codex.run)(`the real Codex CLI ${VERSION}, offline (codex exec)`, () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.cleanup();
    sandbox = undefined;
  });

  it('runs a trusted project hooks and cc2cc serve: each hook run reaches the rollout once', async () => {
    sandbox = await makeSandbox('codex');
    const probe = makeHookProbe(sandbox);
    await seedCodex(sandbox);
    await writeCodexProject(sandbox, {
      hooks: hooksConfig({
        SessionStart: probe.command('SessionStart'),
        UserPromptSubmit: probe.command('UserPromptSubmit'),
      }),
      mcpServers: { cc2cc: serveEntry('codex-agent') },
    });

    const run = startCodexExec(sandbox, 'the only prompt');
    const server = await waitForServer(sandbox.project, 'codex-agent');
    await run.waitForModelCall();

    expect(run.transcriptPaths()).toHaveLength(1);
    const transcript = run.transcript();
    expect(transcript.userPrompts).toEqual(['the only prompt']);
    const report = hookContextReport(probe, transcript);
    expect(report.runs).toEqual({ SessionStart: 1, UserPromptSubmit: 1 });
    expect(Object.values(report.timesInTranscript)).toEqual([1, 1]);
    expect(report.strays).toEqual([]);

    // DESIGN §4: the hooks get the session in their input, not their environment; the server gets
    // no session id at all; both descend from the codex process.
    const [hook] = probe.runs();
    expect(hook!.input?.['transcript_path']).toBe(run.transcriptPath());
    expect(typeof hook!.input?.['session_id']).toBe('string');
    expect(Object.keys(server.env).filter((name) => /SESSION/.test(name))).toEqual([]);
    const facts = sessionFacts(`Codex CLI ${VERSION}`, hook!, server);
    expect(facts.shared?.command).toMatch(/codex/);
    expect(server.ancestry.map((process) => process.pid)).toContain(run.process.pid);
    expect(facts.shared).toMatchObject({ hookDepth: 1, serverDepth: 1 });
    console.info(factsTable(facts));

    await run.end();
    expect(isAlive(server.pid)).toBe(false);
  }, 120_000);
});
