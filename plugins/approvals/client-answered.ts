import { SKIP, updateState, type Bus, type ClientAnswerSign, type StateValue } from '../../src/plugin.js';
import { APPROVAL_PREFIX, isApprovalRecord, type ApprovalRecord } from './records.js';

export const ALLOWED_IN_CLIENT = "answered in Claude Code's own dialog (allowed)";
export const ANSWERED_IN_CLIENT = "answered in Claude Code's own dialog";

/**
 * Claude Code never tells the server that the person answered its terminal dialog; its
 * hooks show it. The dialog is modal for its tool call: a tool that ran was allowed there,
 * so the pending requests of this agent for that tool (and that input, where the preview
 * can be compared) are settled; at the end of a turn or at the next prompt, every request
 * asked before it was answered there (or abandoned). Each is marked `expired` with the
 * reason, compare-and-set, so an answer written through cc2cc at the same moment wins.
 */
export async function expireAnsweredInClient(
  bus: Bus,
  agent: string,
  sign: ClientAnswerSign,
  keepMs: number,
): Promise<ApprovalRecord[]> {
  const mine = (await bus.state.list(`${APPROVAL_PREFIX}${agent}/`)).filter(
    (entry) => isApprovalRecord(entry.value) && entry.value.status === 'pending',
  );
  const expired: ApprovalRecord[] = [];
  for (const { key, value } of mine) {
    const record = value as unknown as ApprovalRecord;
    if (!settles(sign, record)) continue;
    const reason = 'ran' in sign ? ALLOWED_IN_CLIENT : ANSWERED_IN_CLIENT;
    let closed: ApprovalRecord | undefined;
    await updateState(
      bus.state,
      key,
      (current) => {
        closed = undefined;
        if (!isApprovalRecord(current?.value) || current.value.status !== 'pending') return SKIP;
        closed = { ...(current.value as ApprovalRecord), status: 'expired', expiredReason: reason };
        return closed as unknown as StateValue;
      },
      { ttlMs: keepMs },
    );
    if (closed) expired.push(closed);
  }
  return expired;
}

function settles(sign: ClientAnswerSign, record: ApprovalRecord): boolean {
  if ('turnEnded' in sign) return Date.parse(record.requestedAt) <= sign.turnEnded.before;
  return record.tool === sign.ran.tool && previewFits(record.preview, sign.ran.input);
}

/**
 * Does the request's preview describe this input? Claude Code's preview is a short, maybe
 * cut, rendering of the input: compared without whitespace, quotes and escapes, and without
 * a trailing ellipsis, it is part of the input's JSON (or the input part of it). An empty
 * preview, or an input the hook did not pass, cannot tell two calls of a tool apart: it fits.
 */
export function previewFits(preview: string, input: string | undefined): boolean {
  const wanted = squash(preview.replace(/(…|\.\.\.)\s*$/, ''));
  if (wanted === '' || input === undefined) return true;
  const given = squash(input);
  return given.includes(wanted) || (given !== '' && wanted.includes(given));
}

function squash(text: string): string {
  return text.replace(/\\[nrt]/g, '').replace(/[\s"'`\\{}]/g, '');
}
