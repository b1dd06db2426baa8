import { frameNaviBody } from '../../src/http/navi';
import { computeSignature, readSignatureHeaders, timestampToMs } from '../../src/http/server-api/auth';
import { Params, parseForm, parseServerApiBody } from '../../src/http/server-api/params';
import { ServerApiError, toErrorEnvelope } from '../../src/errors';

describe('frameNaviBody', () => {
  it('frames compact JSON with no trailing bytes and never emits `);` inside it', () => {
    const body = frameNaviBody('getServerEndpoint', { code: 200, userId: 'a);b', logPolicy: '' });
    expect(body).toBe('getServerEndpoint({"code":200,"userId":"a\\u0029;b","logPolicy":""});');
    expect(body.indexOf(');')).toBe(body.length - 2);
    expect(JSON.parse(body.slice('getServerEndpoint('.length, -2))).toEqual({ code: 200, userId: 'a);b', logPolicy: '' });
  });
});

describe('Server API signature helpers', () => {
  it('computes hex(sha1(secret + nonce + timestamp))', () => {
    // sha1("s" + "n" + "1") = sha1("sn1")
    expect(computeSignature('s', 'n', '1')).toBe('e5eb5b6444014ad682c45ec91ae8cb834a79b0f5');
    expect(computeSignature('secret', '15027768', '1795625278')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('reads plain and RC- prefixed headers, first value wins, missing nonce/timestamp are ""', () => {
    expect(readSignatureHeaders({ 'app-key': 'k', nonce: 'n', timestamp: 't', signature: 's' })).toEqual({ appKey: 'k', nonce: 'n', timestamp: 't', signature: 's' });
    expect(readSignatureHeaders({ 'rc-app-key': 'k', 'rc-signature': 's' })).toEqual({ appKey: 'k', nonce: '', timestamp: '', signature: 's' });
  });

  it('reads timestamps in seconds or milliseconds', () => {
    expect(timestampToMs('1795625278')).toBe(1795625278000);
    expect(timestampToMs('1795625278123')).toBe(1795625278123);
    expect(timestampToMs('')).toBeUndefined();
    expect(timestampToMs('1e9')).toBeUndefined();
  });
});

describe('Server API bodies and params', () => {
  it('keeps repeated form keys as arrays and treats __proto__ as an ordinary key', () => {
    const form = parseForm('toUserId=a&toUserId=b&x=1&__proto__=p&content=%7B%22content%22%3A%22hi%22%7D&name=a+b');
    expect(form['toUserId']).toEqual(['a', 'b']);
    expect(form['x']).toBe('1');
    expect(form['__proto__']).toBe('p');
    expect(form['content']).toBe('{"content":"hi"}');
    expect(form['name']).toBe('a b');
  });

  it('picks JSON by content type or leading brace, form otherwise; empty → {}', () => {
    expect(parseServerApiBody('application/json', '{"a":1}')).toEqual({ a: 1 });
    expect(parseServerApiBody('application/x-www-form-urlencoded', ' {"a":[1]}')).toEqual({ a: [1] });
    expect({ ...(parseServerApiBody(undefined, 'a=1') as object) }).toEqual({ a: '1' });
    expect({ ...(parseServerApiBody('application/json', '') as object) }).toEqual({});
    expect(() => parseServerApiBody('application/json', '{nope')).toThrow(ServerApiError);
  });

  it('reads typed values and reports 1002 with the field name', () => {
    const params = new Params({ s: 'x', list: ['a', 'b'], n: '42', neg: '-1', t: 'true', f: '0', j: 7, bad: { nested: 1 } });
    expect(params.requiredString('s')).toBe('x');
    expect(params.optionalString('missing')).toBeUndefined();
    expect(params.strings('list')).toEqual(['a', 'b']);
    expect(params.strings('s')).toEqual(['x']);
    expect(params.strings('missing')).toEqual([]);
    expect(params.integer('n', { min: 0 })).toBe(42);
    expect(params.integer('missing', { fallback: 5 })).toBe(5);
    expect(params.integer('j')).toBe(7);
    expect(params.boolean('t', false)).toBe(true);
    expect(params.boolean('f', true)).toBe(false);
    expect(params.boolean('missing', true)).toBe(true);
    const envelope = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return toErrorEnvelope(error);
      }
      return undefined;
    };
    expect(envelope(() => params.requiredString('missing'))).toEqual({ status: 400, body: { code: 1002, errorMessage: 'missing is required' } });
    expect(envelope(() => params.integer('neg', { min: 0 }))).toEqual({ status: 400, body: { code: 1002, errorMessage: 'neg is invalid' } });
    expect(envelope(() => params.boolean('s', false))).toEqual({ status: 400, body: { code: 1002, errorMessage: 's is invalid' } });
    expect(envelope(() => params.optionalString('bad'))).toEqual({ status: 400, body: { code: 1002, errorMessage: 'bad is invalid' } });
    expect(envelope(() => params.strings('list', { maxItems: 1 }))).toEqual({ status: 400, body: { code: 1002, errorMessage: 'list accepts at most 1 values' } });
    expect(envelope(() => params.optionalString('s', { pattern: /^y$/ }))).toEqual({ status: 400, body: { code: 1002, errorMessage: 's is invalid' } });
    expect(envelope(() => params.optionalString('s', { maxBytes: 0 }))).toMatchObject({ body: { code: 1002 } });
  });

  it('maps unexpected errors to 500/1000 and oversized bodies to 413/1508', () => {
    expect(toErrorEnvelope(new Error('boom'))).toEqual({ status: 500, body: { code: 1000, errorMessage: 'internal server error' } });
    expect(toErrorEnvelope(Object.assign(new Error('too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }))).toEqual({
      status: 413,
      body: { code: 1508, errorMessage: 'request body too large' },
    });
  });
});
