import { DEFAULT_RECONNECT_POLICY, delayFor } from '../../../src/client/reconnect-policy';
import fc from 'fast-check';

describe('delayFor (full-jitter back-off)', () => {
  it('retries the first time at once', () => {
    expect(delayFor(0, () => 0.99)).toBe(0);
  });

  it('spans floor..ceiling, with the ceiling doubling up to the cap', () => {
    const { floorMs } = DEFAULT_RECONNECT_POLICY;
    const ceilings = [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000];
    ceilings.forEach((ceiling, i) => {
      expect(delayFor(i + 1, () => 0)).toBe(floorMs);
      expect(delayFor(i + 1, () => 1)).toBe(ceiling);
      expect(delayFor(i + 1, () => 0.5)).toBe(Math.round(floorMs + 0.5 * (ceiling - floorMs)));
    });
  });

  it('stays within bounds for any attempt and any random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const d = delayFor(attempt, () => r);
        return d >= DEFAULT_RECONNECT_POLICY.floorMs && d <= DEFAULT_RECONNECT_POLICY.capMs;
      }),
    );
  });

  it('honours a custom policy and clamps misbehaving random sources', () => {
    const policy = { baseMs: 100, capMs: 300, floorMs: 10 };
    expect(delayFor(1, () => 1, policy)).toBe(100);
    expect(delayFor(3, () => 1, policy)).toBe(300);
    expect(delayFor(2, () => 7, policy)).toBe(200);
    expect(delayFor(2, () => -3, policy)).toBe(10);
  });
});
