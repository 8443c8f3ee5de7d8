import { describe, expect, it } from 'vitest';
import { addressExamples, addressPhrase } from '../../src/mcp/address-forms.js';
import { makeProject, startAgent } from './support.js';

describe('the addresses an agent is told about', () => {
  it('names an agent and everyone, plus each enabled scheme and no other', () => {
    expect(addressPhrase([])).toBe('an agent (by name) or everyone (*)');
    expect(addressPhrase(['a room (room:NAME)'])).toBe('an agent (by name), a room (room:NAME) or everyone (*)');
    expect(addressPhrase(['a room (room:NAME)', 'a topic (topic:a.b)'])).toBe(
      'an agent (by name), a room (room:NAME), a topic (topic:a.b) or everyone (*)',
    );
  });

  it("gives the send tool's `to` an example of each form", () => {
    expect(addressExamples([])).toBe('agent name such as "calm-owl" or "*"');
    expect(addressExamples(['a room (room:NAME)', 'team:TARGET'])).toBe(
      'agent name such as "calm-owl", "room:NAME", "team:TARGET" or "*"',
    );
  });
});

describe('a served agent is told only of the addresses its project can send to', () => {
  const sendTool = async (agent: Awaited<ReturnType<typeof startAgent>>) => {
    const send = (await agent.tools()).find((tool) => tool.name === 'send');
    const to = (send?.inputSchema.properties as { to?: { description?: string } } | undefined)?.to;
    return `${send?.description} ${to?.description}`;
  };

  it('without group plugins: agents and everyone, no rooms or topics', async () => {
    const agent = await startAgent(await makeProject({ agents: ['bob'] }), ['--name', 'bob']);
    const told = `${await sendTool(agent)} ${agent.client.getInstructions()}`;
    expect(told).toContain('an agent (by name) or everyone (*)');
    expect(told).not.toMatch(/room|topic/);
  });

  it('with the rooms plugin: rooms too, still no topics', async () => {
    const agent = await startAgent(await makeProject({ agents: ['bob'], plugins: ['rooms'] }), ['--name', 'bob']);
    const told = `${await sendTool(agent)} ${agent.client.getInstructions()}`;
    expect(await sendTool(agent)).toContain('an agent (by name), a room (room:NAME) or everyone (*)');
    expect(agent.client.getInstructions()).toContain('send: message an agent (by name), a room (room:NAME) or');
    expect(told).toContain('"room:NAME"');
    expect(told).not.toMatch(/topic/);
  });
});
