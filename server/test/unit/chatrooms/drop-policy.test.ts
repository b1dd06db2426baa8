import fc from 'fast-check';
import { IntakeQuota, type MessagePriority } from '../../../src/services/chatrooms/drop-policy';

const SEED = { windowMs: 200, high: 20, shared: 20 };

function run(quota: IntakeQuota, priorities: readonly MessagePriority[], now = 0): boolean[] {
  return priorities.map((p) => quota.admit(p, now));
}

const repeat = (p: MessagePriority, n: number): MessagePriority[] => Array.from({ length: n }, () => p);

describe('chatroom drop policy (seed: 40 per 200 ms, 20 reserved high, 20 shared)', () => {
  it('admits 40 high-priority messages per window, then drops the newest', () => {
    const accepted = run(new IntakeQuota(SEED), repeat('high', 50));
    expect(accepted.filter(Boolean)).toHaveLength(40);
    expect(accepted.slice(40).some(Boolean)).toBe(false);
  });

  it('lets low priority use only the shared quota, and high priority keeps its reserved 20', () => {
    const quota = new IntakeQuota(SEED);
    expect(run(quota, repeat('low', 30)).filter(Boolean)).toHaveLength(20);
    expect(run(quota, repeat('high', 30)).filter(Boolean)).toHaveLength(20);
  });

  it('high priority spills into the shared quota, leaving low priority nothing', () => {
    const quota = new IntakeQuota(SEED);
    expect(run(quota, repeat('high', 35)).filter(Boolean)).toHaveLength(35);
    expect(run(quota, repeat('low', 10)).filter(Boolean)).toHaveLength(5);
  });

  it('never drops protected messages but lets them consume shared first, then high', () => {
    const quota = new IntakeQuota(SEED);
    expect(run(quota, repeat('protected', 25)).every(Boolean)).toBe(true);
    // 20 shared + 5 high consumed: 15 high left, no shared.
    expect(run(quota, repeat('low', 3)).some(Boolean)).toBe(false);
    expect(run(quota, repeat('high', 20)).filter(Boolean)).toHaveLength(15);
    expect(run(quota, repeat('protected', 100)).every(Boolean)).toBe(true);
  });

  it('starts a fresh window once windowMs passed since the window opened', () => {
    const quota = new IntakeQuota(SEED);
    expect(run(quota, repeat('high', 45), 1000).filter(Boolean)).toHaveLength(40);
    expect(quota.admit('high', 1199)).toBe(false);
    expect(quota.admit('high', 1200)).toBe(true);
  });

  it('bounds what goes through per window whatever the mix (property)', () => {
    const priority = fc.constantFrom<MessagePriority>('high', 'low', 'protected');
    fc.assert(
      fc.property(fc.array(priority, { maxLength: 200 }), (mix) => {
        const accepted = run(new IntakeQuota(SEED), mix);
        const count = (p: MessagePriority): number => mix.filter((m, i) => m === p && accepted[i]).length;
        const protectedCount = mix.filter((m) => m === 'protected').length;
        expect(count('protected')).toBe(protectedCount);
        expect(count('low')).toBeLessThanOrEqual(20);
        expect(count('high') + count('low')).toBeLessThanOrEqual(40);
        // A high-priority message is only dropped once 40 slots were taken (by anyone, protected included).
        const firstDropped = accepted.findIndex((ok, i) => !ok && mix[i] === 'high');
        if (firstDropped >= 0) {
          const before = mix.slice(0, firstDropped).filter((m, i) => accepted[i] && m !== 'protected').length;
          const protectedBefore = mix.slice(0, firstDropped).filter((m) => m === 'protected').length;
          expect(before + Math.min(protectedBefore, 40)).toBeGreaterThanOrEqual(40);
        }
      }),
    );
  });
});
