/** Pushed text beyond this is cut short: a push is a doorbell, the inbox holds the whole message. */
export const DEFAULT_MAX_PUSH_CHARS = 16_000;

export interface PushLimits {
  maxTextChars: number;
}

/** The text to push: whole, or cut at `maxTextChars` with a pointer to the full message. */
export function limitPushText(
  text: string,
  id: string,
  { maxTextChars }: PushLimits,
): { text: string; truncated: boolean } {
  if (text.length <= maxTextChars) return { text, truncated: false };
  const rest = text.length - maxTextChars;
  return {
    text:
      `${text.slice(0, maxTextChars)}\n[cc2cc: cut here, ${rest} more characters; call ` +
      `check_inbox to read message ${id} whole]`,
    truncated: true,
  };
}
