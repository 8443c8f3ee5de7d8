import { describe, expect, it } from 'vitest';
import { parseLockRecord } from '../../src/transports/lock-record.js';

describe('parseLockRecord', () => {
  it('reads a lock record, with the Linux identity fields when they are there', () => {
    const record = { pid: 42, host: 'box', startedAt: '2026-01-01T00:00:00.000Z', token: 'abc', boot: 'b', pidNs: 'n' };
    expect(parseLockRecord(JSON.stringify(record))).toEqual(record);
    expect(parseLockRecord('{"pid":7,"host":"h"}')).toEqual({ pid: 7, host: 'h', startedAt: '?', token: '' });
  });

  it('refuses what names no single live process: no JSON, no host, a pid of 0 or below or not whole', () => {
    for (const text of [
      '',
      'not json',
      'null',
      '[]',
      '7',
      '{"pid":7}',
      '{"pid":0,"host":"h"}',
      '{"pid":-1,"host":"h"}',
    ]) {
      expect(parseLockRecord(text), text).toBeUndefined();
    }
    expect(parseLockRecord('{"pid":1.5,"host":"h"}')).toBeUndefined();
    expect(parseLockRecord('{"pid":"7","host":"h"}')).toBeUndefined();
  });

  it('drops fields of the wrong type instead of passing them on', () => {
    expect(parseLockRecord('{"pid":7,"host":"h","token":5,"boot":1,"procStart":null}')).toEqual({
      pid: 7,
      host: 'h',
      startedAt: '?',
      token: '',
    });
  });
});
