/**
 * The kinds of message, in one place: the envelope schema, the config, the CLI, the MCP
 * tools and the `cc2cc ui` page all read them from here. It imports nothing, so the page's
 * bundle can import it too, and the CLI can list them without loading zod.
 */
export const MESSAGE_KINDS = ['message', 'request', 'reply', 'event'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * The kinds a person may pick when sending by hand (the UI's send box): a `request` and a
 * `reply` carry a correlation id that `request()` and `reply()` set, so they are not offered.
 */
export const HAND_SENT_KINDS = ['message', 'event'] as const satisfies readonly MessageKind[];
export type HandSentKind = (typeof HAND_SENT_KINDS)[number];
