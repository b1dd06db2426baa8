/**
 * The text rule both stores share (server/src/text-values.ts): lone surrogates → U+FFFD, a raw U+0000 found and
 * named by its path; and the wire decoders built on it (services/wire.ts decodeMessage, e5-wire.ts decodeE5),
 * which turn a U+0000 in a client's string field into a malformed payload (ProtocolError).
 */
import { hasNul, normalizeText, wellFormed } from '../../src/text-values';
import { decodeMessage, ProtocolError, rc } from '../../src/services/wire';
import { decodeE5, encodeE5, SetChrmKVS } from '../../src/services/e5-wire';
import { checkedJsonValue, Params } from '../../src/http/server-api/params';

function normalized(value: unknown): { value: unknown; nul: string | undefined } {
  const holder = { value };
  const nul = normalizeText(holder.value, 'p', (next) => (holder.value = next));
  return { value: holder.value, nul };
}

describe('wellFormed / hasNul', () => {
  it('replaces each lone surrogate by U+FFFD and keeps pairs, astral characters and well-formed text as they are', () => {
    expect(wellFormed('x\ud800y')).toBe('x\ufffdy');
    expect(wellFormed('\udc00\ud800')).toBe('\ufffd\ufffd');
    expect(wellFormed('a\ud83d')).toBe('a\ufffd');
    expect(wellFormed('😀\ud83d\ude00')).toBe('😀😀');
    const plain = 'plain 中文';
    expect(wellFormed(plain)).toBe(plain);
    expect(hasNul('a\u0000')).toBe(true);
    expect(hasNul('a\\u0000')).toBe(false);
  });
});

describe('normalizeText', () => {
  it('names the first string holding U+0000 by its path: array items, object values, object keys', () => {
    expect(normalized('a\u0000').nul).toBe('p');
    expect(normalized(['ok', 'a\u0000']).nul).toBe('p[1]');
    expect(normalized({ a: [{ b: 'x\u0000' }] }).nul).toBe('p.a[0].b');
    expect(normalized({ 'k\u0000': 'v' }).nul).toBe('p.k\u0000');
    expect(normalized({ a: 1, b: true, c: null, d: new Uint8Array([0]) }).nul).toBeUndefined();
  });

  it('rewrites lone surrogates in place, object keys included', () => {
    expect(normalized('x\ud800').value).toBe('x\ufffd');
    expect(normalized({ list: ['\udc00'], 'k\ud800': 'v' }).value).toEqual({ list: ['\ufffd'], 'k\ufffd': 'v' });
  });
});

describe('Server API parameters', () => {
  it('a body with a raw U+0000 anywhere is refused with 1002 naming the parameter; lone surrogates read as U+FFFD', () => {
    expect(() => new Params({ userId: 'u', name: 'a\u0000b' })).toThrow(expect.objectContaining({ code: 1002, httpStatus: 400, message: 'name must not contain U+0000' }) as Error);
    expect(() => new Params({ tags: ['a', 'b\u0000'] })).toThrow(/tags\[1\] must not contain U\+0000/);
    expect(() => new Params({ 'x\u0000': '1' })).toThrow(/x\\u0000 must not contain U\+0000/);
    expect(new Params({ content: '{"a":"\\u0000"}' }).requiredString('content')).toBe('{"a":"\\u0000"}');
    expect(new Params({ name: 'x\ud800' }).requiredString('name')).toBe('x\ufffd');
    expect(new Params({ tags: ['\udc00'] }).strings('tags')).toEqual(['\ufffd']);
  });

  it('checkedJsonValue applies the rule to a value parsed from a JSON-text parameter', () => {
    expect(() => checkedJsonValue('remarks', JSON.parse('[{"remark":"\\u0000"}]'))).toThrow(/remarks\[0\]\.remark must not contain U\+0000/);
    expect(checkedJsonValue('remarks', JSON.parse('[{"remark":"a\\ud800"}]'))).toEqual([{ remark: 'a\ufffd' }]);
  });
});

describe('wire decoders', () => {
  it('decodeMessage refuses a string field holding U+0000 (ProtocolError) and makes lone surrogates U+FFFD', () => {
    const bad = rc.SetChrmKV.encode({ entry: { key: 'k', value: 'v\u0000' } }).finish();
    expect(() => decodeMessage(rc.SetChrmKV, bad, 'SetChrmKV')).toThrow(ProtocolError);
    // A plain Uint8Array: protobufjs reads its strings leniently, a lone surrogate's bytes (ED A0 80) kept as one.
    const lone = Uint8Array.from(rc.SetChrmKV.encode({ entry: { key: 'k', value: 'v\ud800' } }).finish());
    expect(decodeMessage(rc.SetChrmKV, lone, 'SetChrmKV').entry?.value).toBe('v\ufffd');
  });

  it('decodeE5 refuses a string field holding U+0000 (ProtocolError)', () => {
    const ok = encodeE5(SetChrmKVS, { entry: [{ key: 'k', value: 'v', status: 0 }] });
    expect(decodeE5(SetChrmKVS, ok)).toEqual(expect.objectContaining({ entry: [expect.objectContaining({ key: 'k', value: 'v' })] }));
    const bad = encodeE5(SetChrmKVS, { entry: [{ key: 'k', value: 'v\u0000', status: 0 }] });
    expect(() => decodeE5(SetChrmKVS, bad)).toThrow(ProtocolError);
  });
});
