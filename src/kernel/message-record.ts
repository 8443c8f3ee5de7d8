import { z } from 'zod';
import { MESSAGE_KINDS, type Envelope } from './envelope.js';

/**
 * One message as structured tool output: the envelope's fields a model or client needs, the text
 * whole and unescaped.
 */
export const MessageRecordSchema = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  kind: z.enum(MESSAGE_KINDS),
  ts: z.string(),
  text: z.string(),
  data: z.unknown().optional(),
  correlation_id: z.string().optional(),
  reply_to: z.string().optional(),
});

export type MessageRecord = z.infer<typeof MessageRecordSchema>;

export function messageRecord(envelope: Envelope): MessageRecord {
  return {
    id: envelope.id,
    from: envelope.from,
    to: envelope.to,
    kind: envelope.kind,
    ts: envelope.ts,
    text: envelope.text,
    ...(envelope.data !== undefined && { data: envelope.data }),
    ...(envelope.correlationId !== undefined && { correlation_id: envelope.correlationId }),
    ...(envelope.replyTo !== undefined && { reply_to: envelope.replyTo }),
  };
}
