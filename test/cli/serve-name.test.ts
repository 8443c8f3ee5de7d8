import { describe, expect, it } from 'vitest';
import { makeProject, selfWake, startAgent } from '../mcp/support.js';

const environment = (extra: Record<string, string>) => ({
  ...(Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >),
  ...extra,
});

describe('cc2cc serve: the agent name from CC2CC_NAME', () => {
  it('names the agent when --name is not given, so sessions sharing one .mcp.json get their own names', async () => {
    const project = await makeProject({ agents: ['backend'] });
    const agent = await startAgent(project, [], { env: environment({ CC2CC_NAME: 'backend' }) });
    expect((await selfWake(agent)).content).toMatch(/^cc2cc: you are backend\./);
  });

  it('lets --name win over it, and treats an empty value as not set', async () => {
    const project = await makeProject();
    const named = await startAgent(project, ['--name', 'tests'], { env: environment({ CC2CC_NAME: 'backend' }) });
    expect((await selfWake(named)).content).toMatch(/^cc2cc: you are tests\./);
    const unnamed = await startAgent(project, [], { env: environment({ CC2CC_NAME: '' }) });
    expect((await selfWake(unnamed)).content).toMatch(/^cc2cc: you are [a-z]+-[a-z]+\./);
  });
});
