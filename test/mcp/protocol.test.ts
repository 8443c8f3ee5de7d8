import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/testing/wait-for.js';
import { CLI, spawnNode } from '../cli/process-helpers.js';
import { INSTRUCTIONS_LIMIT_BYTES } from '../../src/mcp/instructions.js';
import { makeProject } from './support.js';

interface InitializeAnswer {
  id: number;
  result: {
    protocolVersion: string;
    capabilities: { experimental?: Record<string, unknown>; tools?: unknown };
    instructions?: string;
  };
}

describe('the MCP handshake', () => {
  it(
    'answers a client offering protocol 2026-07-28 with an older revision (Claude Code pushes ' + 'only below it)',
    async () => {
      const project = await makeProject();
      const server = spawnNode([CLI, 'serve', '--name', 'bob'], project);
      try {
        const initialize = {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2026-07-28',
            capabilities: {},
            clientInfo: { name: 'raw-client', version: '1.0.0' },
          },
        };
        server.child.stdin!.write(`${JSON.stringify(initialize)}\n`);
        const line = await waitFor(() => server.lines.find((text) => text.includes('"id":1')), {
          what: 'the initialize answer',
          timeoutMs: 20_000,
        });
        const answer = JSON.parse(line) as InitializeAnswer;

        expect(answer.result.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(answer.result.protocolVersion < '2026-07-28').toBe(true);
        expect(answer.result.capabilities.experimental).toEqual({ 'claude/channel': {} });
        expect(answer.result.capabilities.tools).toBeDefined();
        const instructions = answer.result.instructions ?? '';
        expect(Buffer.byteLength(instructions)).toBeLessThan(INSTRUCTIONS_LIMIT_BYTES);
        expect(instructions.split('\n')[0]).toContain('"bob"');
        expect(instructions).toContain('<channel source="cc2cc"');
        expect(instructions).toContain('reply');
        // stdout carries the protocol only: every line is JSON-RPC.
        for (const text of server.lines) expect(JSON.parse(text)).toHaveProperty('jsonrpc', '2.0');
      } finally {
        server.child.stdin!.end();
        await server.exited;
      }
    },
  );
});
