import type { Envelope } from '../../kernel/envelope.js';
import type { CutFields, WireEnvelope } from '../protocol.js';

/** `data` and meta values longer than this (as JSON, in characters) are not kept. */
const DATA_PREVIEW_CHARS = 2048;
const META_VALUE_CHARS = 512;

export interface Preview {
  envelope: WireEnvelope;
  /** What was cut, with the original sizes; undefined when the envelope is whole. */
  cut?: CutFields;
  /** The preview's size as JSON, in UTF-8 bytes: what it costs to keep and to send. */
  bytes: number;
}

/**
 * The envelope as the UI keeps it: whole when it is small, else its text cut to
 * `textChars`, a large `data` left out and long meta values cut. A message can be 256 KB
 * and the UI keeps thousands; the page says what was cut and how big it was.
 *
 * The preview is parsed back from its own JSON, so it shares no string with the transport's
 * envelope: in V8 a slice of a large string can keep the whole of it alive.
 */
export function previewEnvelope(envelope: Envelope, textChars: number): Preview {
  const cut: CutFields = {};
  const { data, meta, text, ...rest } = envelope;
  const preview: WireEnvelope = { ...rest, text: text.length > textChars ? cutTo(text, textChars) : text };
  if (text.length > textChars) cut.text = text.length;
  if (data !== undefined) {
    const json = JSON.stringify(data);
    if (json.length > DATA_PREVIEW_CHARS) cut.data = Buffer.byteLength(json);
    else preview.data = JSON.parse(json) as unknown;
  }
  if (meta !== undefined) {
    const kept: Record<string, string> = {};
    let cutValues = 0;
    for (const [key, value] of Object.entries(meta)) {
      if (value.length > META_VALUE_CHARS) cutValues += 1;
      kept[key] = value.length > META_VALUE_CHARS ? cutTo(value, META_VALUE_CHARS) : value;
    }
    preview.meta = kept;
    if (cutValues > 0) cut.meta = cutValues;
  }
  const some = Object.keys(cut).length > 0;
  const json = JSON.stringify(preview);
  return { envelope: JSON.parse(json) as WireEnvelope, ...(some && { cut }), bytes: Buffer.byteLength(json) };
}

/** The first `chars` characters, never splitting a surrogate pair. */
function cutTo(text: string, chars: number): string {
  const last = text.charCodeAt(chars - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? chars - 1 : chars);
}
