/**
 * decodeUtf8's ASCII prefix path (src/codec/utf8.ts): the leading ASCII bytes are turned into a string
 * char by char (short) or in native chunks (long), then the general decoder continues at the first
 * byte ≥ 0x80. The result must not depend on where that switch happens: ASCII prefix + any tail decodes
 * to the prefix's characters followed by the tail's decoding, for ranges inside a larger buffer too,
 * across the short/long and chunk boundaries, in lenient and strict modes. `decodeAscii` (also the
 * table codec's ASCII string path) is checked on its own across the same boundaries.
 */
import fc from 'fast-check';
import { decodeAscii, decodeUtf8, encodeUtf8 } from '../../../src/codec/utf8';
import { ProtocolError } from '../../../src/protocol/protocol-error';

const ascii = (length: number, seed = 0): Uint8Array => Uint8Array.from({ length }, (_, i) => 32 + ((i * 31 + seed) % 95));
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const text = (bytes: Uint8Array): string => Array.from(bytes, (b) => String.fromCharCode(b)).join('');

test.each([0, 1, 23, 24, 25, 100, 4095, 4096, 4097, 9000])('%i ASCII bytes, alone and before a multi-byte tail', (length) => {
  const prefix = ascii(length, length);
  expect(decodeUtf8(prefix)).toBe(text(prefix));
  const tail = encodeUtf8('中文 é 😀 end');
  expect(decodeUtf8(concat(prefix, tail))).toBe(text(prefix) + '中文 é 😀 end');
  expect(decodeUtf8(concat(prefix, tail), 0, length + tail.length, { strict: true })).toBe(text(prefix) + '中文 é 😀 end');
});

test('property: prefix + tail decodes as prefix text + tail decoding (lenient, keep, strict; inside a larger buffer)', () => {
  const tailArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0x80, max: 0xf5 })), { maxLength: 40 }).map((b) => Uint8Array.from(b));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 120 }), tailArb, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (length, tail, before, after) => {
      const prefix = ascii(length, tail.length);
      const whole = concat(ascii(before, 7), prefix, tail, ascii(after, 3));
      const start = before;
      const end = before + prefix.length + tail.length;
      for (const options of [{}, { surrogates: 'keep' as const }]) {
        expect(decodeUtf8(whole, start, end, options)).toBe(text(prefix) + decodeUtf8(tail, 0, tail.length, options));
      }
      let strictTail: string | ProtocolError;
      try {
        strictTail = decodeUtf8(tail, 0, tail.length, { strict: true });
      } catch (error) {
        strictTail = error as ProtocolError;
      }
      if (typeof strictTail === 'string') expect(decodeUtf8(whole, start, end, { strict: true })).toBe(text(prefix) + strictTail);
      else expect(() => decodeUtf8(whole, start, end, { strict: true })).toThrow(ProtocolError);
    }),
    { numRuns: 400 },
  );
});

test('decodeAscii: every length across the short/long and chunk boundaries, at any offset', () => {
  const lengths = [...Array.from({ length: 40 }, (_, i) => i), 100, 4095, 4096, 4097, 8193];
  for (const length of lengths) {
    const whole = concat(ascii(3, 1), ascii(length, length), ascii(2, 5));
    expect(decodeAscii(whole, 3, 3 + length)).toBe(text(whole.subarray(3, 3 + length)));
  }
  // A long call between short ones leaves nothing behind in the reused list.
  expect(decodeAscii(ascii(5000), 0, 5000)).toBe(text(ascii(5000)));
  expect(decodeAscii(ascii(10, 9), 0, 10)).toBe(text(ascii(10, 9)));
});
