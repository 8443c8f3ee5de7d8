// Plain types only: the UI page (src/ui/protocol.ts) imports this file too.

/** One permission request as the approvals plugin keeps it (plugins/approvals/records.ts). */
export interface ApprovalView {
  id: string;
  agent: string;
  tool: string;
  description: string;
  preview: string;
  requestedAt: string;
  expiresAt: string;
  status: 'pending' | 'allowed' | 'denied' | 'expired';
  answeredBy?: string;
  answeredAt?: string;
  relayedAt?: string;
  expiredReason?: string;
}
