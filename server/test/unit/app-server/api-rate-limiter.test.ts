import { createAppConfig } from '../../../src/config';
import { ApiRateLimiter, costOf } from '../../../src/http/server-api/rate-limits';

const T0 = 1_700_000_000_000;

function thrownCode(run: () => unknown): number | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
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

  it('lets a burst up to the limit through, refills continuously and answers 1008 beyond', () => {
    const limiter = new ApiRateLimiter();
    limiter.charge(app, 'message/group/publish', { toGroupId: ['a', 'b', 'c'] }, T0);
    expect(thrownCode(() => limiter.charge(app, 'message/group/publish', { toGroupId: ['a', 'b'] }, T0))).toBe(1008);
    limiter.charge(app, 'message/group/publish', { toGroupId: 'a' }, T0);
    expect(thrownCode(() => limiter.charge(app, 'message/group/publish', {}, T0 + 200))).toBe(1008);
    // 4 per second: 250 ms buys one unit back.
    limiter.charge(app, 'message/group/publish', {}, T0 + 250);
    expect(thrownCode(() => limiter.charge(app, 'message/group/publish', { toGroupId: ['a', 'b', 'c', 'd', 'e'] }, T0 + 60_000))).toBe(1008);
    limiter.charge(app, 'message/group/publish', { toGroupId: ['a', 'b', 'c', 'd'] }, T0 + 60_000);
  });

  it('refunds a failed request once, keeps apps and endpoints apart, and leaves unlimited endpoints alone', () => {
    const limiter = new ApiRateLimiter();
    const other = createAppConfig('k2', 's', { 'rate.user/checkOnline': '2/min' });
    const charge = limiter.charge(app, 'user/checkOnline', {}, T0);
    limiter.charge(app, 'user/checkOnline', {}, T0);
    expect(thrownCode(() => limiter.charge(app, 'user/checkOnline', {}, T0))).toBe(1008);
    charge.refund();
    charge.refund();
    limiter.charge(app, 'user/checkOnline', {}, T0);
    expect(thrownCode(() => limiter.charge(app, 'user/checkOnline', {}, T0))).toBe(1008);
    limiter.charge(other, 'user/checkOnline', {}, T0);
    for (let i = 0; i < 1000; i++) limiter.charge(app, 'user/getToken', {}, T0);
  });
});
