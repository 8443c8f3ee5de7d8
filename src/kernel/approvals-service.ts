import type { Bus } from './bus.js';
import type { ApprovalView } from './approval-view.js';

export type { ApprovalView };

/**
 * What the approvals plugin offers under `tokens.APPROVALS`, so that `cc2cc ui` shows and
 * answers requests without knowing the plugin: present only when the plugin is enabled.
 */
export interface ApprovalsService {
  /** Who may answer (`human`: a person, through the CLI or the UI). */
  readonly approvers: readonly string[];
  /** Every request kept, as it stands now (expiry applied), newest first. */
  list(bus: Bus): Promise<ApprovalView[]>;
  /** Answer a pending request as `approver`; rejects NOT_FOUND, APPROVAL_CLOSED or BAD_INPUT. */
  answer(bus: Bus, ref: string, verdict: 'allow' | 'deny', approver: string): Promise<ApprovalView>;
  /**
   * What `agent`'s client hook saw (its server asks): the person answered Claude Code's own
   * dialog. Expires the pending requests that this settles; resolves to those it expired.
   */
  answeredInClient(bus: Bus, agent: string, seen: ClientAnswerSign): Promise<ApprovalView[]>;
}

/**
 * A sign from the client's hooks that its own permission dialog was answered: the dialog is
 * modal for its tool call, so a tool that ran was allowed there (`ran`), and at the end of a
 * turn or at the next prompt nothing asked before `before` still waits (`turnEnded`).
 */
export type ClientAnswerSign = { ran: { tool: string; input?: string } } | { turnEnded: { before: number } };
