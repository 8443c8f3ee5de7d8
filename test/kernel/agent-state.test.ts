import { describe, expect, it } from 'vitest';
import { agentParts, agentStateKey, allAgentState, forgetAgentState } from '../../src/kernel/agent-state.js';
import { isCc2ccError } from '../../src/kernel/errors.js';
import { MemoryState } from '../../src/kernel/memory-state.js';

describe('agent state: what the bus keeps for a name', () => {
  it('keys are agent/<name>/<part>, and the name must pass the name rule', () => {
    expect(agentStateKey('brave-fox', 'rooms')).toBe('agent/brave-fox/rooms');
    expect(() => agentStateKey('../x', 'rooms')).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }));
    try {
      agentStateKey('brave-fox', 'Rooms');
      throw new Error('accepted a bad part');
    } catch (error) {
      expect(isCc2ccError(error, 'BAD_INPUT')).toBe(true);
    }
  });

  it('reads one part of every agent, and all parts by agent', async () => {
    const state = new MemoryState();
    await state.set('agent/ann/rooms', ['backend']);
    await state.set('agent/bob/rooms', ['backend', 'ops']);
    await state.set('agent/bob/topics', ['ci.*']);
    await state.set('agent/bob/deeper/key', 'not a part'); // not agent/<name>/<part>: left out
    await state.set('session/abc', 'bob');
    expect(Object.fromEntries(await agentParts(state, 'rooms'))).toEqual({ ann: ['backend'], bob: ['backend', 'ops'] });
    expect(Object.fromEntries(await allAgentState(state))).toEqual({
      ann: { rooms: ['backend'] },
      bob: { rooms: ['backend', 'ops'], topics: ['ci.*'] },
    });
  });

  it('forgetting an agent drops everything under its name and the sessions that map to it, nothing else', async () => {
    const state = new MemoryState();
    await state.set('agent/bob/rooms', ['backend']);
    await state.set('agent/bob/topics', ['ci.*']);
    await state.set('agent/bobby/rooms', ['ops']);
    await state.set('session/one', 'bob');
    await state.set('session/two', 'ann');
    expect((await forgetAgentState(state, 'bob')).sort()).toEqual([
      'agent/bob/rooms',
      'agent/bob/topics',
      'session/one',
    ]);
    expect((await state.list('')).map((entry) => entry.key)).toEqual(['agent/bobby/rooms', 'session/two']);
    expect(await forgetAgentState(state, 'bob')).toEqual([]);
  });
});
