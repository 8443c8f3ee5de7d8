import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../src/kernel/envelope.js';
import type { TrafficUpdate } from '../../src/ui/protocol.js';
import { previewEnvelope } from '../../src/ui/server/message-preview.js';
import { TrafficLog } from '../../src/ui/server/traffic-log.js';

const envelope = (text: string, extra: { data?: unknown; meta?: Record<string, string> } = {}) =>
  createEnvelope({ from: 'brave-fox', to: 'calm-owl', text, ...extra });

describe('TrafficLog: bounded by bytes', () => {
  it('keeps large messages as previews and forgets the oldest past its byte budget', () => {
    const log = new TrafficLog({ maxBytes: 1024 * 1024, previewChars: 1000 });
    const updates: TrafficUpdate[] = [];
    log.subscribe((update) => updates.push(update));
    const ids: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      const sent = envelope(`${i} `.padEnd(200_000, 'x'));
      ids.push(sent.id);
      log.record({ agent: 'calm-owl', state: 'queued', id: sent.id, envelope: sent });
    }
    const { messages, bytes } = log.size();
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(messages).toBeGreaterThan(500);
    expect(messages).toBeLessThan(2000);
    expect(log.ids()).toEqual(ids.slice(-messages));
    const newest = log.get(ids.at(-1)!)!;
    expect(newest.envelope!.text).toBe('1999 '.padEnd(1000, 'x'));
    expect(newest.cut).toEqual({ text: 200_000 });
    expect(updates.at(-1)).toMatchObject({
      id: ids.at(-1),
      cut: { text: 200_000 },
      envelope: { text: newest.envelope!.text },
    });
    expect(log.get(ids[0]!)).toBeUndefined();
  });

  it('forgets by count too, and keeps a small message whole', () => {
    const log = new TrafficLog({ maxMessages: 3 });
    const sent = [0, 1, 2, 3].map((i) => envelope(`small ${i}`));
    for (const each of sent) log.record({ agent: 'calm-owl', state: 'queued', id: each.id, envelope: each });
    expect(log.ids()).toEqual(sent.slice(1).map((each) => each.id));
    expect(log.get(sent[3]!.id)).toEqual({
      id: sent[3]!.id,
      envelope: { ...sent[3] },
      deliveries: { 'calm-owl': [expect.objectContaining({ state: 'queued' })] },
    });
  });
});

describe('previewEnvelope', () => {
  it('cuts text without splitting a surrogate pair, leaves out large data and cuts long meta values', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(100)}`;
    const preview = previewEnvelope(
      envelope(text, { data: { blob: 'z'.repeat(5000) }, meta: { short: 'ok', long: 'm'.repeat(600) } }),
      10,
    );
    expect(preview.envelope.text).toBe('a'.repeat(9));
    expect(preview.envelope.data).toBeUndefined();
    expect(preview.envelope.meta).toEqual({ short: 'ok', long: 'm'.repeat(512) });
    expect(preview.cut).toEqual({
      text: text.length,
      data: JSON.stringify({ blob: 'z'.repeat(5000) }).length,
      meta: 1,
    });
    expect(preview.bytes).toBe(Buffer.byteLength(JSON.stringify(preview.envelope)));
  });

  it('keeps a small envelope as it is', () => {
    const small = envelope('hello', { data: { n: 1 }, meta: { k: 'v' } });
    const preview = previewEnvelope(small, 4096);
    expect(preview.envelope).toEqual({ ...small });
    expect(preview.cut).toBeUndefined();
  });
});
