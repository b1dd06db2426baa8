import { appServerOptionsOf, DEFAULT_API_RATE_LIMITS, parseAppServerOption, parseRateLimit, rateLimitFor } from '../../../src/app-server-options';
import { ConfigError, createAppConfig, parseAppSpec } from '../../../src/config';

describe('App Server options', () => {
  it('parse rates in every documented unit, and off', () => {
    expect(parseRateLimit('20/s')).toEqual({ limit: 20, windowMs: 1000 });
    expect(parseRateLimit('6000/min')).toEqual({ limit: 6000, windowMs: 60_000 });
    expect(parseRateLimit('2/h')).toEqual({ limit: 2, windowMs: 3_600_000 });
    expect(parseRateLimit('3/day')).toEqual({ limit: 3, windowMs: 86_400_000 });
    expect(parseRateLimit('5/250ms')).toEqual({ limit: 5, windowMs: 250 });
    expect(parseRateLimit('off')).toBeNull();
    expect(parseRateLimit('0')).toBeNull();
    for (const bad of ['fast', '10', '10/fortnight', '-1/s', '0/s']) expect(typeof parseRateLimit(bad)).toBe('string');
  });

  it('read URLs plain or percent-encoded (the --app spec splits on ":" and ",")', () => {
    expect(parseAppServerOption('messageRouteUrl', 'http%3A%2F%2F127.0.0.1%3A8080%2Froute%3Fa%3D1')).toEqual({ messageRouteUrl: 'http://127.0.0.1:8080/route?a=1' });
    expect(parseAppServerOption('moderationUrl', 'https://example.com/m')).toEqual({ moderationUrl: 'https://example.com/m' });
    expect(typeof parseAppServerOption('userStatusUrl', 'ftp://x')).toBe('string');
    expect(typeof parseAppServerOption('userStatusUrl', 'not a url')).toBe('string');
    expect(parseAppServerOption('nonsense', '1')).toBeUndefined();
  });

  it('flow through --app specs and JSON app objects into AppConfig, rate limits accumulating', () => {
    const app = parseAppSpec('k:s:whitelistMode=1,moderationFailOpen=0,moderationTypes=RC%3ATxtMsg|App%3AX,rate.message/group/publish=40/s,rate.*=100/s,statusBatchMs=10', 'test');
    expect(app.appServer).toEqual({
      whitelistMode: true,
      moderationFailOpen: false,
      moderationObjectNames: ['RC:TxtMsg', 'App:X'],
      rateLimits: { 'message/group/publish': { limit: 40, windowMs: 1000 }, '*': { limit: 100, windowMs: 1000 } },
      statusBatchMs: 10,
    });
    const json = createAppConfig('k', 's', { messageRouteUrl: 'http://127.0.0.1:9/r', 'rate.user/getToken': 'off' });
    expect(appServerOptionsOf(json)).toMatchObject({ messageRouteUrl: 'http://127.0.0.1:9/r', moderationTimeoutMs: 3000, moderationFailOpen: true, callbackQueueMax: 100_000 });
    expect(() => parseAppSpec('k:s:callbackRetryMs=0', 'test')).toThrow(ConfigError);
    expect(() => parseAppSpec('k:s:rate.x=quick', 'test')).toThrow(/rate/);
  });

  it('pick the app override, then the documented default, then the app-wide `*`', () => {
    const plain = appServerOptionsOf(undefined);
    expect(rateLimitFor(plain, 'message/private/publish')).toEqual({ limit: 6000, windowMs: 60_000 });
    expect(rateLimitFor(plain, 'message/group/publish')).toEqual({ limit: 20, windowMs: 1000 });
    expect(rateLimitFor(plain, 'message/chatroom/publish')).toEqual({ limit: 100, windowMs: 1000 });
    expect(rateLimitFor(plain, 'user/getToken')).toBeUndefined();
    // RongCloud's table: the stored broadcast (and its recall) 2 an hour, the online-only broadcast 60 a minute.
    expect(rateLimitFor(plain, 'message/broadcast')).toEqual({ limit: 2, windowMs: 3_600_000 });
    expect(rateLimitFor(plain, 'message/broadcast/recall')).toEqual({ limit: 2, windowMs: 3_600_000 });
    expect(rateLimitFor(plain, 'message/online/broadcast')).toEqual({ limit: 60, windowMs: 60_000 });
    const tuned = appServerOptionsOf(createAppConfig('k', 's', { 'rate.message/group/publish': 'off', 'rate.*': '7/s' }));
    expect(rateLimitFor(tuned, 'message/group/publish')).toBeUndefined();
    expect(rateLimitFor(tuned, 'message/private/publish')).toEqual(DEFAULT_API_RATE_LIMITS['message/private/publish']);
    expect(rateLimitFor(tuned, 'user/getToken')).toEqual({ limit: 7, windowMs: 1000 });
  });
});
