import { Cancellation } from '../../../src/transport/cancellation';
import { cmpHostsOf, fetchNavi, naviRequestUrl, normalizeNavigators, parseNaviBody, splitToken } from '../../../src/transport/navi';
import { FakeHost } from '../client/fake-host';

describe('navi helpers', () => {
  it('splitToken keeps the @ and turns the suffix into https navigators', () => {
    expect(splitToken('plain')).toEqual({ wireToken: 'plain', naviHosts: [] });
    expect(splitToken('abc@nav.x.com')).toEqual({ wireToken: 'abc@', naviHosts: ['https://nav.x.com'] });
    expect(splitToken('abc@a.com;http://b.com:81; ;c@d')).toEqual({
      wireToken: 'abc@',
      naviHosts: ['https://a.com', 'http://b.com:81', 'https://c@d'],
    });
  });

  it('normalizeNavigators keeps http(s) only, strips one trailing slash, de-duplicates', () => {
    expect(normalizeNavigators(['http://a:1/', 'ftp://x', 'b.com', 'https://c', 'http://a:1'])).toEqual(['http://a:1', 'https://c']);
  });

  it('builds the E4 request URL', () => {
    expect(naviRequestUrl('http://127.0.0.1:8080', 'navi.js', 'appkey123', 'tokenABC@', '2.9.2', 1795625460541)).toBe(
      'http://127.0.0.1:8080/navi.js?appId=appkey123&token=tokenABC%40&callBack=getServerEndpoint&v=2.9.2&r=1795625460541',
    );
  });

  it('parses getServerEndpoint(...) with or without ; and rejects other shapes', () => {
    expect(parseNaviBody('getServerEndpoint({"code":200,"server":"h:1"});')).toEqual({ code: 200, server: 'h:1' });
    expect(parseNaviBody('getServerEndpoint({"server":"h:1"})')).toEqual({ server: 'h:1' });
    expect(parseNaviBody('getServerEndpoint({"a":"x);y"});')).toEqual({ a: 'x);y' });
    expect(parseNaviBody('{"server":"h"}')).toBeUndefined();
    expect(parseNaviBody('getServerEndpoint({"server":"h"}')).toBeUndefined();
    expect(parseNaviBody('getServerEndpoint([1]);')).toBeUndefined();
    expect(parseNaviBody('getServerEndpoint({bad json});')).toBeUndefined();
  });

  it('cmpHostsOf: server then backupServer entries, no blanks or duplicates', () => {
    expect(cmpHostsOf({ server: 'a:1', backupServer: 'b:2, a:1,,c:3' })).toEqual(['a:1', 'b:2', 'c:3']);
    expect(cmpHostsOf({ server: '', backupServer: '' })).toEqual([]);
    expect(cmpHostsOf({})).toEqual([]);
  });
});

describe('fetchNavi', () => {
  const request = { navigators: ['http://n1.test', 'http://n2.test'], file: 'navi.js' as const, appKey: 'k', wireToken: 't', version: '2.9.2' };

  it('falls through failing navigators to the first good answer', async () => {
    const host = new FakeHost();
    host.http = (_r, url) => (url.host === 'n1.test' ? { status: 500, body: 'oops' } : { status: 200, body: 'getServerEndpoint({"server":"s:1"});' });
    const out = await fetchNavi(host.adapter, request, new Cancellation());
    expect(out.kind === 'ok' && out.info.hosts).toEqual(['s:1']);
    expect(out.kind === 'ok' && out.info.naviUrl).toBe('http://n2.test');
  });

  it('401 / 403 bodies are verdicts: no further navigator is asked', async () => {
    const host = new FakeHost();
    host.http = () => ({ status: 401, body: 'getServerEndpoint({"code":401});' });
    expect((await fetchNavi(host.adapter, request, new Cancellation())).kind).toBe('token-rejected');
    expect(host.requests).toHaveLength(1);
    host.http = () => ({ status: 403, body: 'getServerEndpoint({"code":403});' });
    expect((await fetchNavi(host.adapter, request, new Cancellation())).kind).toBe('app-rejected');
  });

  it('times out each navigator and reports unavailable', async () => {
    const host = new FakeHost();
    host.http = () => 'hang';
    const p = fetchNavi(host.adapter, { ...request, timeoutMs: 1_000 }, new Cancellation());
    await host.clock.advance(2_000);
    expect((await p).kind).toBe('unavailable');
    expect(host.requests).toHaveLength(2);
  });

  it('cancellation aborts the outstanding request', async () => {
    const host = new FakeHost();
    host.http = () => 'hang';
    const cancel = new Cancellation();
    const p = fetchNavi(host.adapter, request, cancel);
    await host.clock.advance(10);
    cancel.cancel();
    expect((await p).kind).toBe('unavailable');
    expect(host.requests).toHaveLength(1);
  });
});
