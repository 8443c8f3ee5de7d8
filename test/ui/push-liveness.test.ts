import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { makeProject, startAgent, startUi } from './helpers.js';

describe('cc2cc ui: push liveness per agent', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it("shows what an online agent's server says in data.push, and nothing for one that says nothing", async () => {
    const made = await makeProject({ agents: ['calm-owl', 'brave-fox'] });
    closers.push(() => made.cleanup());
    const owl = await startAgent(made.dir, 'calm-owl');
    closers.push(() => owl.kernel.close());
    const fox = await startAgent(made.dir, 'brave-fox');
    closers.push(() => fox.kernel.close());
    await owl.kernel.bus.setPresenceData('push', 'not reaching');
    await fox.kernel.bus.setPresenceData('push', { state: 'live', since: '2026-11-27T10:00:00Z' });
    const { ui, close } = await startUi(made.dir);
    closers.push(close);
    const agents = await waitFor(async () => {
      const snapshot = ui.feed.snapshot();
      return snapshot.agents.length === 2 ? snapshot.agents : undefined;
    });
    expect(Object.fromEntries(agents.map((agent) => [agent.name, agent.push]))).toEqual({
      'calm-owl': 'not reaching',
      'brave-fox': 'live',
    });

    await owl.kernel.close(); // offline: what its last session said is not shown
    await ui.feed.refresh();
    expect(ui.feed.snapshot().agents.find((agent) => agent.name === 'calm-owl')?.push).toBeUndefined();
  });
});
