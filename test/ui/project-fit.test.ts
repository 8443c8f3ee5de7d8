import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/process-helpers.js';
import { waitFor } from '../../src/testing/wait-for.js';
import { builtCli, makeProject, startUiProcess } from './helpers.js';
import type { MessageView, Snapshot } from '../../src/ui/protocol.js';

// What a config's `import ... from 'cc2cc/plugins'` loads (package.json exports), next to the bundled CLI.
const BUILT_PLUGINS = pathToFileURL(resolve(import.meta.dirname, '../../dist/pkg/plugins.js')).href;

describe('cc2cc ui in a real project (the built CLI)', () => {
  const closers: Array<() => unknown> = [];
  beforeAll(() => {
    if (!builtCli) throw new Error('these tests run the built CLI: run `npm run build` first');
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it.each([
    [
      'rooms({ members }) in a JS config',
      'cc2cc.config.mjs',
      `import { rooms } from ${JSON.stringify(BUILT_PLUGINS)};\nexport default { agents: ` +
        `['calm-owl', 'brave-fox'], plugins: [rooms({ members: { reviewers: ['calm-owl', 'brave-fox'] } })] };\n`,
    ],
    [
      "['rooms', { members }] in a JSON config",
      '.cc2ccrc.json',
      JSON.stringify({
        agents: ['calm-owl', 'brave-fox'],
        plugins: [['rooms', { members: { reviewers: ['calm-owl', 'brave-fox'] } }]],
      }),
    ],
  ])('shows the static members of %s', async (_form, file, text) => {
    const dir = await mkdtemp(join(tmpdir(), 'cc2cc-ui-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, file), text);
    const ui = await startUiProcess(dir);
    closers.push(() => ui.stop());
    const snapshot = (await (await fetch(`${ui.url}api/agents`)).json()) as Snapshot;
    expect(snapshot.schemes).toEqual([
      { scheme: 'room', groups: [{ target: 'reviewers', agents: ['brave-fox', 'calm-owl'] }] },
    ]);
  });

  it(
    "with --allow-send, a reply to the page's sender (human) is accepted without configuring " + 'human, and shows',
    async () => {
      const made = await makeProject({ agents: ['calm-owl'] });
      closers.push(() => made.cleanup());
      const ui = await startUiProcess(made.dir, ['--allow-send']);
      closers.push(() => ui.stop());
      const sent = await runCli(['send', 'human', 'here is the answer', '--from', 'calm-owl'], made.dir);
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stdout).toMatch(/human: queued/);
      const id = /^(\w{26}) →/.exec(sent.stdout)![1]!;
      const seen = await waitFor(
        async () => {
          const view = (await (await fetch(`${ui.url}api/messages/${id}`)).json()) as MessageView;
          return view.deliveries?.['human']?.some((step) => step.state === 'done') ? view : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: 'the reply to human to be read' },
      );
      expect(seen.envelope?.text).toBe('here is the answer');
    },
  );

  it('starts with the recent history the folder still holds, not an empty page', async () => {
    const made = await makeProject({ agents: ['calm-owl', 'brave-fox'] });
    closers.push(() => made.cleanup());
    const sent = await runCli(['send', 'calm-owl', 'sent before the page', '--from', 'brave-fox'], made.dir);
    expect(sent.code, sent.stderr).toBe(0);
    const ui = await startUiProcess(made.dir);
    closers.push(() => ui.stop());
    const messages = (await (await fetch(`${ui.url}api/messages`)).json()) as MessageView[];
    expect(messages.map((message) => message.envelope?.text)).toEqual(['sent before the page']);
    expect(messages[0]!.deliveries['calm-owl']?.at(-1)?.state).toBe('queued');
  });
});
