/** The kinds of message (wire format v1, DESIGN §2); `event` is best-effort and never triggers a reply. */
export const MESSAGE_KINDS = ['message', 'request', 'reply', 'event'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
