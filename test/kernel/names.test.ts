import { describe, expect, it } from 'vitest';
import { assertAgentName, isAgentName, parseAddress } from '../../src/kernel/names.js';
import { isCc2ccError } from '../../src/kernel/errors.js';

describe('agent names', () => {
  it.each(['brave-fox', 'a', 'x1', '0-9-a', 'a'.repeat(32)])('accepts %j', (name) => {
    expect(assertAgentName(name)).toBe(name);
  });

  it.each(['../x', 'a/b', 'Brave-Fox', '-x', 'x-', 'a--b', '', 'a'.repeat(33), 'a\0b', 'a.b', '..', 'a b', 'ä'])(
    'refuses %j with the rule',
    (name) => {
      expect(isAgentName(name)).toBe(false);
      try {
        assertAgentName(name);
        expect.unreachable();
      } catch (error) {
        expect(isCc2ccError(error, 'INVALID_NAME')).toBe(true);
        expect((error as Error).message).toContain('lowercase [a-z0-9] words joined by single hyphens');
      }
    },
  );

  it('refuses non-strings', () => {
    expect(() => assertAgentName(undefined)).toThrow(/invalid agent name/);
    expect(() => assertAgentName(42)).toThrow(/invalid agent name/);
  });
});

describe('addresses', () => {
  it('parses names, everyone and schemes', () => {
    expect(parseAddress('calm-owl')).toEqual({ kind: 'agent', name: 'calm-owl' });
    expect(parseAddress('*')).toEqual({ kind: 'all' });
    expect(parseAddress('room:backend')).toEqual({ kind: 'scheme', scheme: 'room', target: 'backend' });
    expect(parseAddress('topic:ci.build')).toEqual({ kind: 'scheme', scheme: 'topic', target: 'ci.build' });
  });

  it.each(['', 'Calm-Owl', '../x', ':x', 'room:', 'a'.repeat(300)])('refuses %j', (address) => {
    expect(() => parseAddress(address)).toThrow(/invalid address/);
  });
});
