import { open, type FileHandle } from 'node:fs/promises';

/** Transcripts grow without bound; the recent part holds what this session pushed. */
const TAIL_BYTES = 8 * 1024 * 1024;

/** The last part of a client's transcript (JSONL), or undefined when it cannot be read. */
export async function readTranscriptTail(path: string): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/**
 * Whether a transcript shows message `id` as a message: framed (`id="…"`, raw or with the
 * quotes JSON-escaped) or as a recorded meta field (`"id":"…"`), as a push or a hook
 * context carried it. A line that only names the id (the tool-result note) does not
 * count: it never showed the text.
 */
export function transcriptShows(transcript: string, id: string): boolean {
  return [`id="${id}"`, `id=\\"${id}\\"`, `"id":"${id}"`].some((form) => transcript.includes(form));
}
