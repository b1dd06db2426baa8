import { RATE_LIMITED_TOPICS, SendRateLimiter } from '../../../src/gateway/rate-limiter';

describe('SendRateLimiter', () => {
  it('allows N sends in any one-second window and refuses the excess', () => {
    const limiter = new SendRateLimiter(5);
    const results = [0, 100, 200, 300, 400, 500, 999].map((t) => limiter.tryAcquire(t));
    expect(results).toEqual([true, true, true, true, true, false, false]);
    expect(limiter.tryAcquire(1000)).toBe(true); // the send at 0 left the window
    expect(limiter.tryAcquire(1001)).toBe(false);
    expect(limiter.tryAcquire(1100)).toBe(true);
  });

  it('counts message sends only, not status topics or queries', () => {
    expect(RATE_LIMITED_TOPICS.has('ppMsgP')).toBe(true);
    expect(RATE_LIMITED_TOPICS.has('recallMsg')).toBe(true);
    expect(RATE_LIMITED_TOPICS.has('ppMsgS')).toBe(false);
    expect(RATE_LIMITED_TOPICS.has('pullMsg')).toBe(false);
  });
});
