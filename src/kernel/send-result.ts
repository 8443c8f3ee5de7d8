import type { Draft, Envelope } from './envelope.js';
import type { AgentName } from './names.js';

/** `unknown`: the transport lost the answer after the store had the request; the reason says how to find out. */
export type DeliveryStatus = 'queued' | 'delivered' | 'offline (queued)' | 'refused' | 'unknown';

/** What became of a message for one recipient when it was sent. */
export interface RecipientResult {
  agent: AgentName;
  via?: string;
  status: DeliveryStatus;
  reason?: string;
}

/** What `bus.send` returns: the message as stored, and one result per recipient. */
export interface SendResult {
  id: string;
  to: string;
  envelope: Envelope;
  results: RecipientResult[];
  /** Set when an outbound hook dropped the whole message: `plugin: reason`. */
  refused?: string;
}

/** A message to send; `from` defaults to the attached agent. */
export type SendDraft = Omit<Draft, 'from'> & { from?: AgentName };
