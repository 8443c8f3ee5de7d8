import type { CommandDefinition } from '../../src/plugin.js';
import { answerApproval, describeRequest, listApprovals, type ApprovalRecord, type Verdict } from './records.js';

export interface CommandOptions {
  approvers: readonly string[];
  keepMs: number;
}

/** The person who answers from this terminal: the same name the UI answers as. */
export const HUMAN = 'human';

/** `cc2cc approvals`, `cc2cc approve ID`, `cc2cc deny ID`. */
export function approvalCommands(options: CommandOptions): CommandDefinition[] {
  return [
    {
      name: 'approvals',
      description:
        'permission prompts of every agent waiting for an answer (--all: with the answered and expired ones)',
      options: [
        { flags: '--json', description: 'one JSON array on stdout' },
        { flags: '--all', description: 'also the answered and expired requests still kept' },
      ],
      async run(_args, flags, { bus, print }) {
        const all = await listApprovals(bus);
        const shown = flags.all ? all : all.filter((record) => record.status === 'pending');
        if (flags.json) {
          print(JSON.stringify(shown));
          return;
        }
        if (shown.length === 0) print(flags.all ? 'no permission requests kept' : 'nothing waits for an answer');
        for (const record of shown) print(formatLine(record));
      },
    },
    verdictCommand('approve', 'allow', options),
    verdictCommand('deny', 'deny', options),
  ];
}

function verdictCommand(name: string, verdict: Verdict, options: CommandOptions): CommandDefinition {
  return {
    name,
    description:
      `${verdict} an agent's pending permission request (ID from "cc2cc approvals"; ` +
      `agent/ID when two agents share it)`,
    arguments: ['<id>'],
    async run([ref], _flags, { bus, print }) {
      const record = await answerApproval(bus, ref ?? '', verdict, HUMAN, options);
      print(`${verdict === 'allow' ? 'allowed' : 'denied'} ${record.id}: ${describeRequest(record)}`);
    },
  };
}

function formatLine(record: ApprovalRecord): string {
  const answer =
    record.status === 'pending'
      ? 'pending'
      : record.status === 'expired'
        ? `expired (${record.expiredReason ?? '?'})`
        : `${record.status} by ${record.answeredBy ?? '?'} at ${record.answeredAt ?? '?'}`;
  const preview = record.preview ? `  ${record.preview.replace(/\s+/g, ' ').slice(0, 80)}` : '';
  return `${record.id}  ${describeRequest(record)}  [${answer}, asked ${record.requestedAt}]${preview}`;
}
