import fc from 'fast-check';
import { decodeUserEnvelope, encodeUserEnvelope, type UserEnvelope } from '../../../src/gateway/user-event';

describe('user event codec', () => {
  it('round-trips every event kind', () => {
    const envelopes: UserEnvelope[] = [
      { event: { kind: 'push', topic: 's_ntf', targetId: 'u1', payload: new Uint8Array([8, 1]), qos: 1 } },
      { event: { kind: 'push', topic: 's_msg', targetId: '用户', payload: new Uint8Array(0), qos: 0 }, exceptSessionId: 'n.s1' },
      { event: { kind: 'echo', topic: 'ppMsgP', targetId: 'u2', upstream: new Uint8Array([1, 2, 3]), sentTime: 1_600_000_001_234, messageUId: 'BKR5-28P4-JT85-AAAA' } },
      { event: { kind: 'kick', reason: 1, platform: 'web', exceptSessionId: 'n.s2', olderThan: 1_600_000_000_000 } },
      { event: { kind: 'kick', reason: 2 } },
    ];
    for (const envelope of envelopes) expect(decodeUserEnvelope(encodeUserEnvelope(envelope))).toEqual(envelope);
  });

  it('is compact: a typical s_ntf push is the payload plus ~20 bytes', () => {
    const bytes = encodeUserEnvelope({ event: { kind: 'push', topic: 's_ntf', targetId: 'u1', payload: new Uint8Array(10), qos: 1 } });
    expect(bytes.length).toBeLessThanOrEqual(10 + 24);
  });

  it('round-trips arbitrary pushes and echoes', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 2 ** 52 }), fc.string(), (topic, target, bytes, time, uid) => {
        const push: UserEnvelope = { event: { kind: 'push', topic, targetId: target, payload: bytes, qos: 1 } };
        const echo: UserEnvelope = { event: { kind: 'echo', topic, targetId: target, upstream: bytes, sentTime: time, messageUId: uid } };
        expect(decodeUserEnvelope(encodeUserEnvelope(push))).toEqual(push);
        expect(decodeUserEnvelope(encodeUserEnvelope(echo))).toEqual(echo);
      }),
    );
  });

  it('rejects truncated, trailing or unknown input', () => {
    const good = encodeUserEnvelope({ event: { kind: 'kick', reason: 1 } });
    expect(() => decodeUserEnvelope(good.subarray(0, good.length - 1))).toThrow('truncated');
    expect(() => decodeUserEnvelope(new Uint8Array([...good, 0]))).toThrow('trailing');
    expect(() => decodeUserEnvelope(new Uint8Array([9, 0, 0, 1]))).toThrow('version');
    expect(() => decodeUserEnvelope(new Uint8Array([1, 0, 0, 7]))).toThrow('kind');
  });
});
