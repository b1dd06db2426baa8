/**
 * Pure-JS UTF-8/CESU-8 codec, checked against fixed vectors and against Node's WHATWG
 * TextEncoder/TextDecoder (allowed in tests; src/ must not use them).
 */
import fc from 'fast-check';
import { cesu8ByteLength, decodeUtf8, encodeCesu8, encodeUtf8, utf8ByteLength } from '../../../src/codec/utf8';
import { ProtocolError } from '../../../src/protocol/protocol-error';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).filter(Boolean), (h) => parseInt(h, 16));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');
const wellFormed = (s: string): string =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
const strict = { strict: true } as const;

describe('encodeUtf8 / encodeCesu8', () => {
  it.each([
    ['', '', ''],
    ['A', '41', '41'],
    ['é', 'c3 a9', 'c3 a9'],
    ['中', 'e4 b8 ad', 'e4 b8 ad'],
    ['€', 'e2 82 ac', 'e2 82 ac'],
    ['😀', 'f0 9f 98 80', 'ed a0 bd ed b8 80'],
    ['a😀b', '61 f0 9f 98 80 62', '61 ed a0 bd ed b8 80 62'],
    ['\u{10FFFF}', 'f4 8f bf bf', 'ed af bf ed bf bf'],
    ['\uD800', 'ef bf bd', 'ef bf bd'],
    ['x\uDC00y', '78 ef bf bd 79', '78 ef bf bd 79'],
    ['\uDC00\uD800', 'ef bf bd ef bf bd', 'ef bf bd ef bf bd'],
  ])('%j → UTF-8 %s, CESU-8 %s', (s, utf8, cesu) => {
    expect(toHex(encodeUtf8(s))).toBe(utf8);
    expect(toHex(encodeCesu8(s))).toBe(cesu);
    expect(utf8ByteLength(s)).toBe(encodeUtf8(s).length);
    expect(cesu8ByteLength(s)).toBe(encodeCesu8(s).length);
  });

  it('encodeUtf8 equals TextEncoder for any string (lone surrogates → U+FFFD)', () => {
    const te = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        expect(toHex(encodeUtf8(s))).toBe(toHex(te.encode(s)));
      }),
      { numRuns: 2000 },
    );
  });

  it('UTF-8 and CESU-8 both decode (strictly) back to the well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        expect(decodeUtf8(encodeUtf8(s), 0, undefined, strict)).toBe(wellFormed(s));
        expect(decodeUtf8(encodeCesu8(s), 0, undefined, strict)).toBe(wellFormed(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('CESU-8 differs from UTF-8 only for non-BMP characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 64 }), (s) => {
        expect(toHex(encodeCesu8(s))).toBe(toHex(encodeUtf8(s)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('decodeUtf8', () => {
  it('non-BMP from CESU-8 and from UTF-8 decode to the same string', () => {
    expect(decodeUtf8(hex('ed a0 bd ed b8 80'))).toBe('😀');
    expect(decodeUtf8(hex('f0 9f 98 80'))).toBe('😀');
    expect(decodeUtf8(hex('ed a0 bd ed b8 80'), 0, undefined, strict)).toBe('😀');
  });

  it('honours start/end', () => {
    const bytes = hex('41 e4 b8 ad 42');
    expect(decodeUtf8(bytes, 1, 4)).toBe('中');
    expect(decodeUtf8(bytes, 4)).toBe('B');
    expect(decodeUtf8(bytes, 2, 2)).toBe('');
    expect(() => decodeUtf8(bytes, 3, 9)).toThrow(RangeError);
    expect(() => decodeUtf8(bytes, 3, 2)).toThrow(RangeError);
  });

  it.each([
    ['stray continuation', '80', '\uFFFD'],
    ['overlong 2-byte', 'c0 af', '\uFFFD\uFFFD'],
    ['overlong 3-byte', 'e0 80 af', '\uFFFD\uFFFD\uFFFD'],
    ['above U+10FFFF', 'f4 90 80 80', '\uFFFD\uFFFD\uFFFD\uFFFD'],
    ['truncated 3-byte at end', '61 e4 b8', 'a\uFFFD'],
    ['truncated 3-byte before ASCII', 'e4 b8 41', '\uFFFDA'],
    ['lone high surrogate', 'ed a0 bd 41', '\uFFFDA'],
    ['lone low surrogate', 'ed b8 80', '\uFFFD'],
    ['reversed pair', 'ed b8 80 ed a0 bd', '\uFFFD\uFFFD'],
    ['high + 4-byte', 'ed a0 bd f0 9f 98 80', '\uFFFD😀'],
    ['high + BMP', 'ed a0 bd e4 b8 ad', '\uFFFD中'],
    ['0xff', 'ff', '\uFFFD'],
  ])('%s: lenient → U+FFFD, strict → bad-utf8', (_name, bytes, lenient) => {
    expect(decodeUtf8(hex(bytes))).toBe(lenient);
    let code: string | undefined;
    try {
      decodeUtf8(hex(bytes), 0, undefined, strict);
    } catch (error) {
      code = error instanceof ProtocolError ? error.code : 'other';
    }
    expect(code).toBe('bad-utf8');
  });

  it('agrees with WHATWG TextDecoder on random bytes without 0xED (where CESU-8 support differs)', () => {
    const lenientTd = new TextDecoder('utf-8', { ignoreBOM: true });
    const fatalTd = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const bytesArb = fc
      .array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0x80, max: 0xf5 })), { maxLength: 48 })
      .map((xs) => Uint8Array.from(xs.filter((x) => x !== 0xed)));
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        expect(decodeUtf8(bytes)).toBe(lenientTd.decode(bytes));
        let fatal: string | undefined;
        try {
          fatal = fatalTd.decode(bytes);
        } catch {
          fatal = undefined;
        }
        let ours: string | undefined;
        try {
          ours = decodeUtf8(bytes, 0, undefined, strict);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          ours = undefined;
        }
        expect(ours).toBe(fatal);
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes: strict mode throws only ProtocolError, lenient never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(typeof decodeUtf8(bytes)).toBe('string');
        try {
          decodeUtf8(bytes, 0, undefined, strict);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes long input across chunk boundaries', () => {
    const s = 'ab中😀'.repeat(5000);
    expect(decodeUtf8(encodeUtf8(s))).toBe(s);
    expect(decodeUtf8(encodeCesu8(s))).toBe(s);
  });
});
