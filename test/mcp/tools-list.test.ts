import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPluginLoaders } from '../../src/runtime.js';
import { CORE_TOOLS } from '../../src/mcp/tools.js';
import { makeProject, startAgent, ZOD_URL } from './support.js';

const toolNames = async (agent: Awaited<ReturnType<typeof startAgent>>) =>
  (await agent.tools()).map((tool) => tool.name).sort();
const builtinPlugins = await builtinPluginLoaders();
const hasDemoPlugins = ['rooms', 'topics', 'request-reply'].every((name) => name in builtinPlugins);

describe('tools/list', () => {
  it('lists exactly the core tools on a fresh server', async () => {
    const agent = await startAgent(await makeProject());
    expect(await toolNames(agent)).toEqual([...CORE_TOOLS].sort());
  });

  it.skipIf(!hasDemoPlugins)(
    'adds the tools of rooms, topics and request-reply when a JSON config enables them',
    async () => {
      const project = await makeProject({ plugins: ['rooms', 'topics', 'request-reply'] });
      const agent = await startAgent(project, ['--name', 'bob']);
      const names = await toolNames(agent);
      expect(names).toEqual(
        expect.arrayContaining([...CORE_TOOLS, 'join', 'leave', 'subscribe', 'unsubscribe', 'request']),
      );
      // A plugin tool's zod shape became a JSON schema, and its input is checked.
      const join = (await agent.tools()).find((tool) => tool.name === 'join')!;
      expect(join.inputSchema.required).toEqual(['room']);
      expect(await agent.call('join', { room: 'backend' })).toMatchObject({ isError: false });
      const bad = await agent.call('join', {});
      expect(bad.isError).toBe(true);
      expect(bad.text).toMatch(/room/);
    },
  );

  it('lists a tool that a plugin in a JS config adds; a plugin left out of "plugins" adds none', async () => {
    const project = await makeProject();
    await writeFile(
      join(project, 'cc2cc.config.mjs'),
      `import { z } from ${JSON.stringify(ZOD_URL)};
const tool = (name) => ({
  name,
  description: 'says the text back',
  input: { text: z.string().describe('what to say back') },
  run: ({ text }, { bus }) => ({ text: name + ' from ' + bus.name + ': ' + text }),
});
const echo = { name: 'echo-plugin', setup(ctx) { ctx.addTool(tool('echo')); } };
// Defined but not enabled: its tool must not appear.
export const unused = { name: 'unused-plugin', setup(ctx) { ctx.addTool(tool('unused_tool')); } };
export default { plugins: [echo] };
`,
    );
    const agent = await startAgent(project, ['--name', 'bob']);
    expect(await toolNames(agent)).toEqual([...CORE_TOOLS, 'echo'].sort());
    expect(await agent.call('echo', { text: 'hi' })).toEqual({ text: 'echo from bob: hi', isError: false });
    const bad = await agent.call('echo', { text: 42 });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/text/);
    expect((await agent.call('list_agents')).isError).toBe(false);
  });
});
