/**
 * The two escapes that keep a message inside its `<channel …>text</channel>` frame.
 *
 * Both work on single code points, not on what follows them, so no spelling can get
 * around them: a tag needs a `<`, and after the text escape there is none — no ASCII `<`
 * and no character that Unicode normalisation (NFKC/NFKD) turns into one (`＜` U+FF1C,
 * `﹤` U+FE64, `≮` U+226E). Invisible, control or combining characters and look-alike
 * letters after it change nothing, because nothing is matched after it. The sets below
 * are every code point whose NFKD form holds the character (checked by a test over all
 * of Unicode).
 */

// Code points whose compatibility decomposition contains `<`, `>`, `"` or `&`.
const LESS_THAN = /[<\u226E\uFE64\uFF1C]/g;
const ATTRIBUTE_SPECIAL = /[<>"&\u226E\u226F\uFE60\uFE64\uFE65\uFF02\uFF06\uFF1C\uFF1E]/g;
// Controls (C0, DEL, C1), line and paragraph separators, bidi embeddings, overrides and isolates.
const ATTRIBUTE_INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '<': '&lt;', '>': '&gt;', '"': '&quot;', '&': '&amp;' };

const reference = (char: string): string => NAMED[char] ?? `&#x${char.codePointAt(0)!.toString(16).toUpperCase()};`;

/**
 * Text inside a frame: every `<` becomes `&lt;` (its look-alikes a numeric reference such
 * as `&#xFF1C;`). Nothing else changes. A reader sees `&lt;` where the sender wrote `<`;
 * the exact text is in the message itself (`check_inbox`'s structured content).
 */
export function escapeChannelText(text: string): string {
  return text.replace(LESS_THAN, reference);
}

/**
 * An attribute value: `&`, `"`, `<`, `>` and their look-alikes, control characters and
 * bidi controls become references, so a value cannot end its attribute, add one, end the
 * tag, or reorder what a person sees around it.
 */
export function escapeAttribute(value: string): string {
  return value.replace(ATTRIBUTE_SPECIAL, reference).replace(ATTRIBUTE_INVISIBLE, reference);
}
