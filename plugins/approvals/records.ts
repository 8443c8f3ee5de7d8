import {
  Cc2ccError,
  SKIP,
  updateState,
  type AgentInfo,
  type ApprovalView,
  type Bus,
  type StateValue,
} from '../../src/plugin.js';

/**
 * One permission prompt of one agent's Claude Code session, as the bus state keeps it at
 * `approval/<agent>/<request id>`. `pending` until a person (or a configured approver)
 * answers, or it expires: its session ended, or nobody answered within the time allowed.
 */
export interface ApprovalRecord extends ApprovalView {
  /** The `cc2cc serve` process that relays the answer: when it is gone, nobody can. */
  pid: number;
  host: string;
}

export type ApprovalStatus = ApprovalView['status'];
export type Verdict = 'allow' | 'deny';

export const APPROVAL_PREFIX = 'approval/';
/** Claude Code's request ids: five letters. */
export const REQUEST_ID = /^[a-zA-Z]{5}$/;

export function approvalKey(agent: string, id: string): string {
  return `${APPROVAL_PREFIX}${agent}/${id.toLowerCase()}`;
}

export function isApprovalRecord(value: StateValue | undefined): value is ApprovalRecord & StateValue {
  const record = value as Partial<ApprovalRecord> | undefined;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.id === 'string' &&
    typeof record.agent === 'string' &&
    typeof record.status === 'string'
  );
}

/**
 * The record as it stands now: a pending request whose time ran out, or whose serving
 * process is gone (the agent is offline or stale, or a new session took the name), reads as
 * expired even before anyone wrote that down.
 */
export function currentView(
  record: ApprovalRecord,
  agents: ReadonlyMap<string, AgentInfo>,
  now: number,
): ApprovalRecord {
  if (record.status !== 'pending') return record;
  if (now > Date.parse(record.expiresAt))
    return { ...record, status: 'expired', expiredReason: 'nobody answered in time' };
  const info = agents.get(record.agent);
  const sameSession =
    info?.state === 'online' && info.presence?.pid === record.pid && info.presence.host === record.host;
  return sameSession ? record : { ...record, status: 'expired', expiredReason: 'the session ended' };
}

/** Every request kept (pending and answered), as it stands now, newest first. */
export async function listApprovals(bus: Bus, now = Date.now()): Promise<ApprovalRecord[]> {
  const agents = new Map((await bus.agents()).map((info) => [info.name as string, info]));
  const records = (await bus.state.list(APPROVAL_PREFIX)).map((entry) => entry.value).filter(isApprovalRecord);
  return records
    .map((record) => currentView(record, agents, now))
    .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
}

/** `abcde` or `agent/abcde` → the one record it names; a clear error otherwise. */
export function findApproval(records: readonly ApprovalRecord[], ref: string): ApprovalRecord {
  const [agent, id] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const found = records.filter(
    (record) => record.id.toLowerCase() === id?.toLowerCase() && (agent === undefined || record.agent === agent),
  );
  const pending = records.filter((record) => record.status === 'pending').map(refOf);
  if (found.length === 0) {
    const known = pending.length > 0 ? `pending: ${pending.join(', ')}` : 'nothing is pending';
    throw new Cc2ccError('NOT_FOUND', `no permission request "${ref}" (${known}; see "cc2cc approvals")`, { ref });
  }
  if (found.length > 1) {
    throw new Cc2ccError(
      'BAD_INPUT',
      `"${ref}" names requests of several agents (${found.map(refOf).join(', ')}); give it as agent/id`,
      { ref },
    );
  }
  return found[0]!;
}

export function refOf(record: ApprovalRecord): string {
  return `${record.agent}/${record.id}`;
}

/** One line that says what was asked: `backend · Bash: run the tests`. */
export function describeRequest(record: ApprovalRecord): string {
  return `${record.agent} · ${record.tool}${record.description ? `: ${record.description}` : ''}`;
}

/**
 * Answer a pending request (compare-and-set, so of two approvers racing one wins and the
 * other is told). `approver` must be one of `approvers`; an agent never answers its own.
 * Refuses a request that was answered or expired, and writes down an expiry it finds.
 */
export async function answerApproval(
  bus: Bus,
  ref: string,
  verdict: Verdict,
  approver: string,
  options: { approvers: readonly string[]; keepMs: number },
): Promise<ApprovalRecord> {
  if (!options.approvers.includes(approver)) {
    throw new Cc2ccError(
      'BAD_INPUT',
      `"${approver}" is not an approver (approvers: ${options.approvers.join(', ')}; set them in ` +
        `the approvals plugin's options)`,
      { approver },
    );
  }
  const target = findApproval(await listApprovals(bus), ref);
  if (target.agent === approver)
    throw new Cc2ccError('BAD_INPUT', `${approver} cannot answer its own permission request ${target.id}`);
  const agents = new Map((await bus.agents()).map((info) => [info.name as string, info]));
  let outcome: ApprovalRecord | undefined;
  let gone = false;
  let written: ApprovalRecord | undefined;
  await updateState(
    bus.state,
    approvalKey(target.agent, target.id),
    (current) => {
      gone = !isApprovalRecord(current?.value);
      if (!isApprovalRecord(current?.value)) return SKIP;
      const now = currentView(current.value, agents, Date.now());
      if (now.status !== 'pending') {
        outcome = now;
        return current.value.status === 'pending' ? (now as ApprovalRecord & StateValue) : SKIP;
      }
      outcome = undefined;
      const at = new Date().toISOString();
      const answered: ApprovalRecord = {
        ...(current.value as ApprovalRecord),
        status: verdict === 'allow' ? 'allowed' : 'denied',
        answeredBy: approver,
        answeredAt: at,
      };
      written = answered;
      return answered as unknown as StateValue;
    },
    { ttlMs: options.keepMs },
  );
  // Its history time ran out between the listing and the answer.
  if (gone) throw new Cc2ccError('NOT_FOUND', `permission request ${refOf(target)} is no longer kept`, { ref });
  if (outcome) throw closedError(outcome);
  return written!;
}

function closedError(record: ApprovalRecord): Cc2ccError {
  const what = `permission request ${refOf(record)} (${record.tool})`;
  const why =
    record.status === 'expired'
      ? `has expired: ${record.expiredReason ?? 'no answer'}; Claude Code asks again if it still needs it`
      : `was already ${record.status} by ${record.answeredBy ?? 'someone'} at ${record.answeredAt ?? '?'}`;
  return new Cc2ccError('APPROVAL_CLOSED', `${what} ${why}`, { ref: refOf(record), status: record.status });
}
