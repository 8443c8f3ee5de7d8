import type { Command } from 'commander';
import { print, withRuntime, type GlobalOptions } from '../context.js';

export function registerAgents(program: Command): void {
  program
    .command('agents')
    .description('list the agents of this project: state, last seen, waiting messages')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ cc2cc agents --json')
    .action(async (options: GlobalOptions & { json?: boolean }, command: Command) => {
      const rows = await withRuntime(command.optsWithGlobals(), async ({ bus }) => {
        const agents = await bus.agents();
        return Promise.all(
          agents.map(async (agent) => {
            const stats = await bus.transport.stats(agent.name);
            return {
              name: agent.name,
              state: agent.state,
              lastSeen: agent.presence?.lastSeen ?? null,
              waiting: stats.queued + stats.claimed,
              dead: stats.dead,
              data: agent.presence?.data ?? {},
            };
          }),
        );
      });
      if (options.json) {
        print(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        print('no agents yet: start one with `cc2cc serve`, or send to a configured agent');
        return;
      }
      const table = [['NAME', 'STATE', 'LAST SEEN', 'WAITING', 'DEAD'], ...rows.map((row) => [row.name, row.state, row.lastSeen ?? '-', String(row.waiting), String(row.dead)])];
      const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
      for (const line of table) print(line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
    });
}
