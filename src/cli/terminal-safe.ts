/**
 * What the bus says, made safe to print to a terminal. Message text, addresses, dead-letter
 * reasons and presence data come from other agents or from files anyone could plant; a raw
 * ESC or BEL among them can set the clipboard (OSC 52), the window title (OSC 0), erase
 * and redraw lines, and bidi controls can reorder what a person reads. Every printer of bus
 * content goes through these two functions.
 */

// C0 controls, DEL, C1 controls, and the characters that reorder or break lines on screen:
// the Arabic letter mark, LRM/RLM, line and paragraph separators, bidi embeddings,
// overrides and isolates.
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g;
// What JSON.stringify leaves raw of the above (it escapes C0 itself).
const UNSAFE_IN_JSON = /[\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Each unsafe character as a visible escape: `\n`, `\x1b`, `\x9b`, `\u202e`. Everything else unchanged. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => SHORT[char] ?? escapeCode(char.charCodeAt(0)));
}

/**
 * `JSON.stringify` whose output is also safe on a terminal: the characters above as `\uXXXX` (still
 * valid JSON, same value).
 */
export function terminalJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    UNSAFE_IN_JSON,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
