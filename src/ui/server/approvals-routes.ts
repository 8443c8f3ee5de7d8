import type { HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ApprovalsService } from '../../kernel/approvals-service.js';
import type { Bus } from '../../kernel/bus.js';
import type { ApprovalsResponse } from '../protocol.js';

export interface ApprovalRoutesOptions {
  bus: Bus;
  /** The approvals plugin's service; absent when the plugin is not enabled. */
  approvals: ApprovalsService | undefined;
  /** `cc2cc ui --allow-approve` (or `--allow-send`): the page may answer. */
  allowApprove: boolean;
}

/** A person at the page answers as this approver, as at the CLI. */
export const PAGE_APPROVER = 'human';

const AnswerBody = z.strictObject({ behavior: z.enum(['allow', 'deny']) });

/**
 * The approval inbox: `GET api/approvals` (every request kept, pending ones first in the
 * page), `POST api/approvals/<agent>/<id>` `{ behavior }`. Answering is the one change of
 * bus state the web surface may make, and only with the flag and the token (checked before).
 */
export function registerApprovalRoutes(app: Hono<{ Bindings: HttpBindings }>, options: ApprovalRoutesOptions): void {
  const { bus, approvals } = options;
  const canAnswer = options.allowApprove && approvals?.approvers.includes(PAGE_APPROVER) === true;

  app.get('/:token/api/approvals', async (c) => {
    const body: ApprovalsResponse = {
      enabled: approvals !== undefined,
      canAnswer,
      requests: approvals ? await approvals.list(bus) : [],
    };
    return c.json(body);
  });

  app.post('/:token/api/approvals/:agent/:id', async (c) => {
    if (!approvals)
      return c.json(errorBody('NOT_ENABLED', "the approvals plugin is not enabled in this project's config"), 404);
    if (!canAnswer) {
      const why = approvals.approvers.includes(PAGE_APPROVER)
        ? 'start it with `cc2cc ui --allow-approve` to answer'
        : `"${PAGE_APPROVER}" is not among the approvers (${approvals.approvers.join(', ')})`;
      return c.json(errorBody('READ_ONLY', `this page may not answer permission requests: ${why}`), 403);
    }
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) {
      return c.json(errorBody('BAD_INPUT', 'send a JSON body: {"behavior": "allow" | "deny"}'), 415);
    }
    const parsed = AnswerBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json(errorBody('BAD_INPUT', 'expected {"behavior": "allow" | "deny"}'), 400);
    // A Cc2ccError (NOT_FOUND, APPROVAL_CLOSED) becomes a 400 with its message (app.onError).
    const answered = await approvals.answer(
      bus,
      `${c.req.param('agent')}/${c.req.param('id')}`,
      parsed.data.behavior,
      PAGE_APPROVER,
    );
    return c.json(answered);
  });
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
