import { describe, expect, it, vi } from 'vitest';
import {
  assertWithinSize,
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  encodeForPut,
  EnvelopeSchema,
  isExpired,
  validateEnvelope,
  withRecipients,
  type Envelope,
} from '../../src/kernel/envelope.js';
import { isCc2ccError } from '../../src/kernel/errors.js';

describe('envelope v1', () => {
  it('creates a valid envelope with a ULID id, a timestamp and kind message', () => {
    const envelope = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'hi' });
    expect(envelope).toMatchObject({ v: 1, from: 'brave-fox', to: 'calm-owl', text: 'hi', kind: 'message' });
    expect(envelope.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it('makes ids that sort in creation order', () => {
    const ids = Array.from({ length: 500 }, () => createEnvelope({ from: 'a', to: 'b', text: '' }).id);
    expect([...ids].sort()).toEqual(ids);
  });

  it('turns expires_in into an absolute expiry and knows when it passed', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    const envelope = createEnvelope({ from: 'a', to: 'b', text: '', expiresInS: 30 }, now);
    expect(envelope.expiresAt).toBe('2026-01-01T00:00:30.000Z');
    expect(isExpired(envelope, new Date('2026-01-01T00:00:29.999Z'))).toBe(false);
    expect(isExpired(envelope, new Date('2026-01-01T00:00:30.000Z'))).toBe(true);
  });

  it('refuses an unknown version with a reason that names it', () => {
    const envelope = { ...createEnvelope({ from: 'a', to: 'b', text: '' }), v: 2 };
    expect(() => validateEnvelope(envelope)).toThrow(/version 2 is not supported; this reader knows v1/);
  });

  it('refuses broken JSON, unknown fields, bad names and bad meta keys', () => {
    const good = createEnvelope({ from: 'a', to: 'b', text: '' });
    const cases: Array<[string, RegExp]> = [
      ['{"v":1,', /not valid JSON/],
      [JSON.stringify({ ...good, extra: 1 }), /extra/],
      [JSON.stringify({ ...good, from: '../x' }), /from:.*lowercase/],
      [JSON.stringify({ ...good, meta: { 'bad-key': 'x' } }), /meta/],
      [JSON.stringify({ ...good, kind: 'shout' }), /kind/],
      [JSON.stringify({ ...good, id: 'nope' }), /id/],
    ];
    for (const [text, reason] of cases) {
      try {
        decodeEnvelope(text);
        expect.unreachable(text);
      } catch (error) {
        expect(isCc2ccError(error, 'INVALID_ENVELOPE')).toBe(true);
        expect((error as Error).message).toMatch(reason);
      }
    }
  });

  it('refuses an envelope over maxBytes with both sizes in the error', () => {
    const envelope = createEnvelope({ from: 'a', to: 'b', text: 'x'.repeat(2000) });
    expect(() => assertWithinSize(envelope, 100_000)).not.toThrow();
    try {
      assertWithinSize(envelope, 1024);
      expect.unreachable();
    } catch (error) {
      expect(isCc2ccError(error, 'ENVELOPE_TOO_LARGE')).toBe(true);
      const size = Buffer.byteLength(encodeEnvelope(envelope));
      expect((error as Error).message).toContain(`${size} bytes`);
      expect((error as Error).message).toContain('1024 bytes');
    }
  });

  it('checks an envelope once per process: a put does not check again what the kernel made', () => {
    const parse = vi.spyOn(EnvelopeSchema, 'safeParse');
    try {
      const created = createEnvelope({ from: 'brave-fox', to: 'calm-owl', text: 'hi' });
      expect(parse).toHaveBeenCalledTimes(1);
      const sealed = withRecipients(created, ['calm-owl']);
      expect(encodeForPut(sealed, 10_000)).toContain('"rcpt":["calm-owl"]');
      expect(parse).toHaveBeenCalledTimes(1);
      // An object the kernel did not make (a plugin's own spread) is checked before it is stored.
      const spread = { ...sealed, kind: 'bogus' } as unknown as Envelope;
      expect(() => encodeForPut(spread, 10_000)).toThrow(/kind/);
      expect(parse).toHaveBeenCalledTimes(2);
      // So is a sealed copy whose recipients are not agent names.
      expect(() => encodeForPut(withRecipients(created, ['Not A Name']), 10_000)).toThrow(/rcpt/);
    } finally {
      parse.mockRestore();
    }
  });
});
