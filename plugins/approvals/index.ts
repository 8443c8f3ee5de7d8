import { z } from 'zod';
import { Cc2ccError, definePlugin, tokens, type ApprovalsService } from '../../src/plugin.js';
import { HUMAN, approvalCommands } from './commands.js';
import { expireAnsweredInClient } from './client-answered.js';
import { answerApproval, describeRequest, listApprovals } from './records.js';
import { PERMISSION_REQUEST_METHOD, PermissionRelay } from './relay.js';

export interface ApprovalsOptions {
  /**
   * Who may answer: `human` is a person through `cc2cc approve`/`deny` or `cc2cc ui`. Naming
   * an agent here gives it the `answer_permission` tool: it can then let another agent run
   * tools (off by default; a risk, see docs/plugins.md).
   */
  approvers?: string[];
  /** A request nobody answered expires after this long (default 30 minutes). */
  pendingTtlMs?: number;
  /** How long answered and expired requests stay in the history (default 24 hours). */
  keepMs?: number;
  /** How often a server with pending requests looks for a verdict (default 250 ms). */
  pollMs?: number;
}

const OptionsSchema = z
  .object({
    approvers: z.array(z.string().min(1)).min(1).optional(),
    pendingTtlMs: z.number().int().positive().optional(),
    keepMs: z.number().int().positive().optional(),
    pollMs: z.number().int().min(20).optional(),
  })
  .strict();

/**
 * The permission relay (DESIGN §4): `cc2cc serve` declares `claude/channel/permission`, so
 * Claude Code sends each permission prompt here too; the prompt waits in the bus state for
 * a person's answer (CLI or UI), which goes back to that session. Nothing approves by
 * default, and no message text ever counts as an answer.
 */
export const approvals = definePlugin((options: ApprovalsOptions = {}) => {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new Cc2ccError(
      'INVALID_CONFIG',
      `approvals: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  const approvers = parsed.data.approvers ?? [HUMAN];
  const keepMs = parsed.data.keepMs ?? 24 * 60 * 60_000;
  return {
    name: 'approvals',
    setup(ctx) {
      const relay = new PermissionRelay({
        pendingTtlMs: parsed.data.pendingTtlMs ?? 30 * 60_000,
        keepMs,
        pollMs: parsed.data.pollMs ?? 250,
        logger: ctx.logger,
      });
      ctx.addCapability('claude/channel/permission', {});
      ctx.onClientNotification(PERMISSION_REQUEST_METHOD, (params, { bus, client }) =>
        relay.request(params, bus, client),
      );
      ctx.onStop((bus) => relay.expireAll(bus));
      const service: ApprovalsService = {
        approvers,
        list: (bus) => listApprovals(bus),
        answer: (bus, ref, verdict, approver) => answerApproval(bus, ref, verdict, approver, { approvers, keepMs }),
        answeredInClient: async (bus, agent, sign) => {
          const expired = await expireAnsweredInClient(bus, agent, sign, keepMs);
          for (const record of expired)
            ctx.logger.info(`approvals: request ${record.id} (${record.tool}) ${record.expiredReason ?? ''}`);
          return expired;
        },
      };
      ctx.provide(tokens.APPROVALS, service);
      for (const command of approvalCommands({ approvers, keepMs })) ctx.addCommand(command);
      if (approvers.some((name) => name !== HUMAN)) {
        ctx.addTool({
          name: 'answer_permission',
          description: "Allow or deny another agent's pending permission request (you are configured as an approver).",
          input: { id: z.string().describe('request id, or agent/id'), behavior: z.enum(['allow', 'deny']) },
          async run({ id, behavior }, { bus }) {
            if (!bus.name) throw new Cc2ccError('BAD_INPUT', 'answer_permission needs an attached agent');
            const record = await answerApproval(bus, id, behavior, bus.name, { approvers, keepMs });
            return { text: `${behavior === 'allow' ? 'allowed' : 'denied'} ${record.id}: ${describeRequest(record)}` };
          },
        });
      }
    },
  };
});

export { listApprovals, answerApproval, type ApprovalRecord } from './records.js';
