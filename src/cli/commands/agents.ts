import type { Command } from 'commander';
import { print, withRuntime, type GlobalOptions } from '../context.js';
import { stdoutStyle } from '../style.js';
import { terminalJson, terminalSafe } from '../terminal-safe.js';

export function registerAgents(program: Command): void {
  const agents = program
    .command('agents')
    .description('list the agents of this project: state, last seen, waiting messages')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nStates: online, offline, stale (its process stopped without signing off). PUSH: whether ' +
        'channel pushes reach its conversation (live, not reaching, unknown; off in pull ' +
        "delivery).\n\nExamples:\n  $ cc2cc agents\n  $ cc2cc agents --json | jq '.[] | select(.waiting > 0) | .name'",
    )
    .action(async (options: GlobalOptions & { json?: boolean }, command: Command) => {
      const rows = await withRuntime(command.optsWithGlobals(), async ({ bus }) => {
        const { allAgentState } = await import('../../kernel/agent-state.js');
        const [agents, kept] = await Promise.all([bus.agents(), allAgentState(bus.state)]);
        return Promise.all(
          agents.map(async (agent) => {
            const stats = await bus.transport.stats(agent.name);
            return {
              name: agent.name,
              state: agent.state,
              lastSeen: agent.presence?.lastSeen ?? null,
              waiting: stats.queued + stats.claimed,
              dead: stats.dead,
              // Whether channel pushes reach its conversation: live, not reaching, unknown (off in pull).
              push: typeof agent.presence?.data.push === 'string' ? agent.presence.data.push : null,
              // This session's plugin data, then what the bus state keeps for the name (rooms, topics).
              data: { ...agent.presence?.data, ...kept.get(agent.name) },
            };
          }),
        );
      });
      if (options.json) {
        print(terminalJson(rows, 2));
        return;
      }
      if (rows.length === 0) {
        print('no agents yet: start one with `cc2cc serve`, or send to a configured agent');
        return;
      }
      const table = [
        ['NAME', 'STATE', 'LAST SEEN', 'WAITING', 'DEAD', 'PUSH'],
        ...rows.map((row) =>
          [row.name, row.state, row.lastSeen ?? '-', String(row.waiting), String(row.dead), row.push ?? '-'].map(
            terminalSafe,
          ),
        ),
      ];
      const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
      const style = stdoutStyle();
      const paint = (cell: string, column: number, row: number) => {
        if (row === 0) return style.bold(cell);
        if (column === 1)
          return (cell.startsWith('online') ? style.green : cell.startsWith('stale') ? style.yellow : style.dim)(cell);
        return column === 4 && !cell.startsWith('0') ? style.red(cell) : cell;
      };
      // Pad first, then paint: colour codes must not count as width.
      for (const [row, line] of table.entries())
        print(
          line
            .map((cell, column) => paint(cell.padEnd(widths[column]!), column, row))
            .join('  ')
            .trimEnd(),
        );
    });
  registerForget(agents);
}

function registerForget(agents: Command): void {
  agents
    .command('forget <name>')
    .description(
      'retire an agent: no longer listed, a recipient, or reached by *; its rooms, topics and ' +
        'session names are dropped',
    )
    .option('--force', 'retire it even with messages queued: they move to its dead letters, with the reason')
    .addHelpText(
      'after',
      '\nRefused for a configured agent, a live one, and (without --force) one with messages ' +
        'waiting. A session that starts again under the name brings it back.\n\nExamples:\n  $ ' +
        'cc2cc agents forget brave-fox\n  $ cc2cc agents forget brave-fox --force',
    )
    .action(async (name: string, options: GlobalOptions & { force?: boolean }, command: Command) => {
      const { retireAgent } = await import('../../kernel/retire.js');
      const retired = await withRuntime(command.optsWithGlobals(), ({ bus }) =>
        retireAgent(bus, name, {
          reason: `forgotten with cc2cc agents forget${options.force ? ' --force' : ''}`,
          force: options.force === true,
        }),
      );
      const moved =
        retired.deadLettered > 0 ? `; ${retired.deadLettered} queued message(s) moved to its dead letters` : '';
      const state = retired.stateKeys.length > 0 ? `; dropped ${retired.stateKeys.join(', ')}` : '';
      print(`forgot ${retired.name}${moved}${state}`);
    });
}
