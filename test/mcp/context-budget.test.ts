import { describe, expect, it } from 'vitest';
import { CORE_TOOLS } from '../../src/mcp/tools.js';
import { makeProject, startAgent } from './support.js';

/** Every tool costs context on every turn: the core tools plus instructions stay near 1,000 tokens. */
const BUDGET_CHARS = 4000;

describe('the context cost of cc2cc', () => {
  it(`the core tools' schemas plus the instructions fit in ${BUDGET_CHARS} characters`, async () => {
    const agent = await startAgent(await makeProject(), ['--name', 'bob']);
    const tools = (await agent.tools()).filter((tool) => (CORE_TOOLS as readonly string[]).includes(tool.name));
    expect(tools.map((tool) => tool.name).sort()).toEqual([...CORE_TOOLS].sort());
    const schemas = tools
      .map((tool) => JSON.stringify({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }))
      .join('');
    const instructions = agent.client.getInstructions() ?? '';
    expect(instructions).not.toContain('delivered'); // no send result says it
    expect(schemas.length + instructions.length).toBeLessThanOrEqual(BUDGET_CHARS);
  });
});
