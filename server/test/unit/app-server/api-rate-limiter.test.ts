import { MemoryRateBuckets, type RateBuckets } from '../../../src/broker/rate-buckets';
import { createAppConfig } from '../../../src/config';
import { ApiRateLimiter, costOf } from '../../../src/http/server-api/rate-limits';

const T0 = 1_700_000_000_000;

async function thrownCode(run: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}

function clocked(): { limiter: ApiRateLimiter; at(ms: number): void } {
  let now = T0;
  return { limiter: new ApiRateLimiter(new MemoryRateBuckets(() => now)), at: (ms) => (now = T0 + ms) };
}

describe('ApiRateLimiter', () => {
  const app = createAppConfig('k', 's', { 'rate.message/group/publish': '4/s', 'rate.user/checkOnline': '2/min' });

  it('counts publish messages by recipients and other calls as one', () => {
    expect(costOf('message/private/publish', { toUserId: ['a', 'b', 'c'] })).toBe(3);
    expect(costOf('message/group/publish', { toGroupId: 'g' })).toBe(1);
    expect(costOf('message/chatroom/publish', { toChatroomId: ['r1', 'r2'] })).toBe(2);
    expect(costOf('message/private/publish', {})).toBe(1);
    expect(costOf('user/getToken', { userId: ['a', 'b'] })).toBe(1);
  });

  it('lets a burst up to the limit through, refills continuously and answers 1008 beyond', async () => {
    const { limiter, at } = clocked();
    await limiter.charge(app, 'message/group/publish', { toGroupId: ['a', 'b', 'c'] });
    expect(await thrownCode(() => limiter.charge(app, 'message/group/publish', { toGroupId: ['a', 'b'] }))).toBe(1008);
    await limiter.charge(app, 'message/group/publish', { toGroupId: 'a' });
    at(200);
    expect(await thrownCode(() => limiter.charge(app, 'message/group/publish', {}))).toBe(1008);
    // 4 per second: 250 ms buys one unit back.
    at(250);
    await limiter.charge(app, 'message/group/publish', {});
    at(60_000);
    expect(await thrownCode(() => limiter.charge(app, 'message/group/publish', { toGroupId: ['a', 'b', 'c', 'd', 'e'] }))).toBe(1008);
    await limiter.charge(app, 'message/group/publish', { toGroupId: ['a', 'b', 'c', 'd'] });
  });

  it('refunds a failed request once, keeps apps and endpoints apart, and leaves unlimited endpoints alone', async () => {
    const { limiter } = clocked();
    const other = createAppConfig('k2', 's', { 'rate.user/checkOnline': '2/min' });
    const charge = await limiter.charge(app, 'user/checkOnline', {});
    await limiter.charge(app, 'user/checkOnline', {});
    expect(await thrownCode(() => limiter.charge(app, 'user/checkOnline', {}))).toBe(1008);
    await charge.refund();
    await charge.refund();
    await limiter.charge(app, 'user/checkOnline', {});
    expect(await thrownCode(() => limiter.charge(app, 'user/checkOnline', {}))).toBe(1008);
    await limiter.charge(other, 'user/checkOnline', {});
    for (let i = 0; i < 1000; i++) await limiter.charge(app, 'user/getToken', {});
  });

  it('two limiters over the same buckets share one limit (what every node does with Redis buckets)', async () => {
    const buckets = new MemoryRateBuckets(() => T0);
    const nodeA = new ApiRateLimiter(buckets);
    const nodeB = new ApiRateLimiter(buckets);
    await nodeA.charge(app, 'user/checkOnline', {});
    await nodeB.charge(app, 'user/checkOnline', {});
    expect(await thrownCode(() => nodeA.charge(app, 'user/checkOnline', {}))).toBe(1008);
    expect(await thrownCode(() => nodeB.charge(app, 'user/checkOnline', {}))).toBe(1008);
  });

  it('a changed limit (config reload) starts a fresh bucket', async () => {
    const { limiter } = clocked();
    await limiter.charge(app, 'user/checkOnline', {});
    await limiter.charge(app, 'user/checkOnline', {});
    const raised = createAppConfig('k', 's', { 'rate.user/checkOnline': '3/min' });
    for (let i = 0; i < 3; i++) await limiter.charge(raised, 'user/checkOnline', {});
    expect(await thrownCode(() => limiter.charge(raised, 'user/checkOnline', {}))).toBe(1008);
  });

  it('lets requests through when the shared buckets fail, and reports it', async () => {
    const errors: unknown[] = [];
    const broken: RateBuckets = {
      take: () => Promise.reject(new Error('redis down')),
      refund: () => Promise.reject(new Error('redis down')),
      close: () => Promise.resolve(),
    };
    const limiter = new ApiRateLimiter(broken, (error) => errors.push(error));
    for (let i = 0; i < 5; i++) await limiter.charge(app, 'user/checkOnline', {});
    expect(errors).toHaveLength(5);
  });
});
