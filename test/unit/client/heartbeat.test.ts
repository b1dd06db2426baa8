import { Heartbeat } from '../../../src/client/heartbeat';
import { FakeClock } from '../../support/fake-clock';

function setup() {
  const clock = new FakeClock();
  const pings: number[] = [];
  let dead = 0;
  const hb = new Heartbeat({ sendPing: () => pings.push(clock.now()), onDead: () => (dead += 1) }, clock);
  return { clock, pings, hb, deadCount: () => dead };
}

describe('Heartbeat', () => {
  it('pings at once, then 15 s after each PINGRESP', () => {
    const { clock, pings, hb } = setup();
    const t0 = clock.now();
    hb.start();
    expect(pings).toEqual([t0]);
    clock.tick(200);
    hb.pong();
    clock.tick(14_999);
    expect(pings).toHaveLength(1);
    clock.tick(1);
    expect(pings).toEqual([t0, t0 + 15_200]);
    hb.pong();
    clock.tick(15_000);
    expect(pings).toEqual([t0, t0 + 15_200, t0 + 30_200]);
  });

  it('declares the link dead after two consecutive unanswered pings (~30 s)', () => {
    const { clock, pings, hb, deadCount } = setup();
    const t0 = clock.now();
    hb.start();
    clock.tick(14_999);
    expect(deadCount()).toBe(0);
    clock.tick(1); // first miss → immediate retry
    expect(pings).toEqual([t0, t0 + 15_000]);
    clock.tick(14_999);
    expect(deadCount()).toBe(0);
    clock.tick(1);
    expect(deadCount()).toBe(1);
    clock.tick(120_000);
    expect(deadCount()).toBe(1);
    expect(pings).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('one answered ping resets the miss count', () => {
    const { clock, hb, deadCount } = setup();
    hb.start();
    clock.tick(15_000); // miss 1
    hb.pong();
    clock.tick(15_000); // next ping
    clock.tick(15_000); // miss 1 again
    expect(deadCount()).toBe(0);
    clock.tick(15_000); // miss 2
    expect(deadCount()).toBe(1);
  });

  it('ignores stray PINGRESP and stops cleanly', () => {
    const { clock, pings, hb, deadCount } = setup();
    hb.pong();
    hb.start();
    hb.pong();
    hb.pong();
    hb.stop();
    clock.tick(100_000);
    expect(pings).toHaveLength(1);
    expect(deadCount()).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
