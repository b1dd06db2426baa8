/** Pure-JS base64: RFC 4648 vectors, cross-check against Node's Buffer (tests only), errors. */
import fc from 'fast-check';
import { decodeBase64, encodeBase64, encodeBase64Url } from '../../../src/codec/base64';
import { ProtocolError } from '../../../src/protocol/protocol-error';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('base64', () => {
  it.each([
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ])('RFC 4648 §10: %j ↔ %s', (plain, encoded) => {
    expect(encodeBase64(ascii(plain))).toBe(encoded);
    expect(decodeBase64(encoded)).toEqual(ascii(plain));
    expect(decodeBase64(encoded.replace(/=/g, ''))).toEqual(ascii(plain));
  });

  it('url-safe alphabet, unpadded by default', () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xbf, 0xfe]);
    expect(encodeBase64(bytes)).toBe('+/+//g==');
    expect(encodeBase64Url(bytes)).toBe('-_-__g');
    expect(encodeBase64(bytes, { urlSafe: true, pad: true })).toBe('-_-__g==');
    expect(encodeBase64(bytes, { pad: false })).toBe('+/+//g');
    expect(decodeBase64('-_-__g')).toEqual(bytes);
    expect(decodeBase64('+/-_/g==')).toEqual(bytes);
  });

  it('skips whitespace (MIME line breaks)', () => {
    expect(decodeBase64('Zm9v\r\nYmFy\n')).toEqual(ascii('foobar'));
  });

  it.each(['Zm9vY', 'Zm=9', 'Zm9v!', 'Zg===', 'Zg=', 'Zm9v=', 'é', 'Zg==Zg=='])('rejects %j with bad-base64', (text) => {
    let code: string | undefined;
    try {
      decodeBase64(text);
    } catch (error) {
      code = error instanceof ProtocolError ? error.code : 'other';
    }
    expect(code).toBe('bad-base64');
  });

  it('agrees with Buffer for random bytes (both alphabets) and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(encodeBase64(bytes)).toBe(buffer.toString('base64'));
        expect(encodeBase64Url(bytes)).toBe(buffer.toString('base64url'));
        expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
        expect(decodeBase64(encodeBase64Url(bytes))).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('random text: either bytes or ProtocolError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          expect(decodeBase64(text)).toBeInstanceOf(Uint8Array);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes large input (chunked string building)', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) & 255);
    expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });
});
