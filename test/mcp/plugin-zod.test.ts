import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, makeProject, startAgent, ZOD_URL } from './support.js';

/**
 * The bundled CLI carries its own copy of zod (rolldown.config.mjs); a third-party plugin imports the `zod` of
 * node_modules. zod v4 is built for two copies in one process (its checks go by traits, not one class, and the
 * registry of descriptions lives on globalThis): this is the proof, through the server users run.
 */
describe('a plugin built with its own zod', () => {
  it('the bundle does carry a zod of its own (else the test below proves nothing)', async () => {
    const chunks = join(dirname(CLI), 'chunks');
    const maps = (await readdir(chunks)).filter((name) => name.endsWith('.js.map'));
    const sources = await Promise.all(
      maps.map(
        async (name) => (JSON.parse(await readFile(join(chunks, name), 'utf8')) as { sources: string[] }).sources,
      ),
    );
    expect(sources.flat().some((source) => source.includes('node_modules/zod/v4/core/'))).toBe(true);
  });

  it('lists its tool with the descriptions and refuses bad input with an error naming the field', async () => {
    const project = await makeProject();
    await writeFile(
      join(project, 'cc2cc.config.mjs'),
      `import { z } from ${JSON.stringify(ZOD_URL)};
const shout = {
  name: 'shout-plugin',
  setup(ctx) {
    ctx.addTool({
      name: 'shout',
      description: 'says the text back in capitals',
      input: { text: z.string().min(1).describe('what to shout'), times: z.number().int().max(3).optional() },
      run: ({ text, times = 1 }) => ({ text: text.toUpperCase().repeat(times) }),
    });
  },
};
export default { plugins: [shout] };
`,
    );
    const agent = await startAgent(project, ['--name', 'bob']);
    const tool = (await agent.tools()).find((listed) => listed.name === 'shout');
    expect(tool?.description).toBe('says the text back in capitals');
    const properties = tool?.inputSchema.properties as Record<string, { type?: string; description?: string }>;
    expect(properties.text).toMatchObject({ type: 'string', description: 'what to shout' });
    expect(tool?.inputSchema.required).toEqual(['text']);

    expect(await agent.call('shout', { text: 'hi', times: 2 })).toEqual({ text: 'HIHI', isError: false });
    const wrongType = await agent.call('shout', { text: 42 });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toMatch(/Invalid arguments for tool shout: .*expected string, received number at text/);
    const tooMany = await agent.call('shout', { text: 'hi', times: 9 });
    expect(tooMany.isError).toBe(true);
    expect(tooMany.text).toMatch(/Invalid arguments for tool shout: Too big: expected number to be <=3 at times/);
  });
});
