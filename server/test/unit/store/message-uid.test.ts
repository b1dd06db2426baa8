import { MESSAGE_UID_PATTERN, isMessageUid, newMessageUid } from '../../../src/store/message-uid';

/** Deterministic [0, 1) sequence (a small LCG) so failures reproduce. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('newMessageUid', () => {
  it('has the XXXX-XXXX-XXXX-XXXX base32hex shape of real uids', () => {
    const random = seeded(1);
    for (const time of [0, 1, 1_600_000_000_000, 1_700_000_000_123, 2 ** 45 - 1, Number.MAX_SAFE_INTEGER]) {
      const uid = newMessageUid(time, random);
      expect(uid).toMatch(MESSAGE_UID_PATTERN);
      expect(uid).toHaveLength(19);
      expect(isMessageUid(uid)).toBe(true);
    }
    expect(isMessageUid('BKR5-28P4-JT85-SK8H')).toBe(true);
    expect(isMessageUid('bkr5-28p4-jt85-sk8h')).toBe(false);
    expect(isMessageUid('BKR5-28P4-JT85-SK8W')).toBe(false);
  });

  it('encodes the time first so one app\'s uids sort like their sentTimes', () => {
    const random = seeded(7);
    const times = [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_031, 1_700_000_000_032, 1_700_000_999_999];
    const uids = times.map((time) => newMessageUid(time, random));
    expect([...uids].sort()).toEqual(uids);
    expect(newMessageUid(0, () => 0)).toBe('0000-0000-0000-0000');
    expect(newMessageUid(32, () => 0)).toBe('0000-0001-0000-0000');
  });

  it('separates equal times by the random part, and clamps out-of-range random values', () => {
    const random = seeded(42);
    const same = new Set(Array.from({ length: 1_000 }, () => newMessageUid(1_700_000_000_000, random)));
    expect(same.size).toBe(1_000);
    expect(newMessageUid(5, () => 0.999_999_999_9).slice(-8)).toBe('VVV-VVVV');
    expect(newMessageUid(5, () => 1).slice(-8)).toBe('VVV-VVVV');
    expect(newMessageUid(5, () => -1).slice(-8)).toBe('000-0000');
  });

  it('rejects times that are not non-negative safe integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => newMessageUid(bad, Math.random)).toThrow(RangeError);
    }
  });
});
