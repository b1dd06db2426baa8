import { classifyClient, classifyPlatform, connackStatusFor, disconnectReasonFor, normaliseToken, parseConnectParams } from '../../../src/gateway/client-info';

describe('client classification', () => {
  it.each([
    ['2.9.2', 'E4'],
    ['2.6.0', 'E4'],
    ['4.4.2', 'E4'],
    ['2.5.3', 'L2'],
    ['2.2.9', 'L2'],
    ['1.0.13', 'L2'],
    ['5.38.0', 'E5'],
    ['5.3.3', 'E5'],
    ['', 'E4'],
    ['garbage', 'E4'],
  ] as const)('sdkVer %s → %s', (sdkVer, kind) => {
    expect(classifyClient(sdkVer)).toBe(kind);
  });

  it('treats a protocolVer parameter without a version as engine 5', () => {
    expect(classifyClient('', true)).toBe('E5');
  });

  it('derives the platform class', () => {
    expect(classifyPlatform(undefined, 'normal')).toBe('web');
    expect(classifyPlatform('MiniProgram', 'normal')).toBe('miniprogram');
    expect(classifyPlatform(undefined, 'uniapp')).toBe('uniapp');
    expect(classifyPlatform(undefined, 'browser|Chrome|120.0.0.0', true)).toBe('uniapp');
    expect(classifyPlatform('pc', undefined)).toBe('pc');
    expect(classifyPlatform('Unknown', '123456')).toBe('web');
  });

  it('parses the connect query and normalises the token', () => {
    const r = parseConnectParams(new URLSearchParams('appId=k&token=abc%40navi1%3Bnavi2&sdkVer=2.5.3&apiVer=4711'));
    expect(r).toEqual({ ok: true, params: { appKey: 'k', token: 'abc', sdkVer: '2.5.3', clientKind: 'L2', platform: 'web', apiVer: '4711' } });
    const e4 = parseConnectParams(new URLSearchParams('appId=k&token=abc%40&sdkVer=2.9.2&pid=undefined&apiVer=normal&platform=MiniProgram'));
    expect(e4.ok && e4.params).toMatchObject({ token: 'abc', clientKind: 'E4', platform: 'miniprogram' });
    expect(e4.ok && 'pid' in e4.params).toBe(false);
    expect(parseConnectParams(new URLSearchParams('token=t'))).toEqual({ ok: false, missing: 'appId' });
    expect(parseConnectParams(new URLSearchParams('appId=k'))).toEqual({ ok: false, missing: 'token' });
    expect(normaliseToken('x@')).toBe('x');
  });

  it('never sends L2 a CONNACK status above 12 or a DISCONNECT reason above 5', () => {
    expect(connackStatusFor('L2', 13)).toBe(3);
    expect(connackStatusFor('L2', 12)).toBe(12);
    expect(connackStatusFor('E4', 13)).toBe(13);
    expect(disconnectReasonFor('L2', 6)).toBe(3);
    expect(disconnectReasonFor('L2', 1)).toBe(1);
    expect(disconnectReasonFor('E4', 6)).toBe(6);
  });
});
