/**
 * Big-endian primitives of the CMP frame layer (PROTOCOL.md §4.3): u8/u16/u32/u64 and UTF
 * strings (`u16 byteLength` + bytes).
 *
 * Invariants:
 * - ByteReader never reads past its buffer and never allocates from a length field: a declared
 *   length larger than what remains throws ProtocolError('truncated') before anything is copied.
 * - u64 is returned as a JS number and must be ≤ Number.MAX_SAFE_INTEGER (2^53 − 1), enough for
 *   ms timestamps until the year 285616; larger values throw 'out-of-range' rather than silently
 *   rounding (a rounded timestamp would not re-encode to the same bytes).
 * - ByteWriter is sized exactly up front (callers compute the frame length first), so encoding
 *   does one allocation and `finish()` can assert that the layout arithmetic was right.
 * - Strings are decoded strictly (CESU-8 or UTF-8, see codec/utf8): topics and ids are
 *   identities, and mapping two different malformed byte strings to the same U+FFFD text would
 *   alias them.
 */
import { decodeUtf8, encodeCesu8Into } from '../codec/utf8';
import { ProtocolError } from './protocol-error';

const TWO_POW_32 = 0x100000000;
const STRICT = { strict: true } as const;

export class ByteReader {
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number, field: string): number {
    if (this.bytes.length - this.pos < n) {
      throw new ProtocolError(
        'truncated',
        `${field}: need ${n} byte(s) at offset ${this.pos}, ${this.bytes.length - this.pos} left`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private byte(i: number): number {
    return this.bytes[i] ?? 0;
  }

  u8(field: string): number {
    return this.byte(this.need(1, field));
  }

  u16(field: string): number {
    const at = this.need(2, field);
    return (this.byte(at) << 8) | this.byte(at + 1);
  }

  u32(field: string): number {
    const at = this.need(4, field);
    return (
      this.byte(at) * 0x1000000 + ((this.byte(at + 1) << 16) | (this.byte(at + 2) << 8) | this.byte(at + 3))
    );
  }

  u64(field: string): number {
    const high = this.u32(field);
    const low = this.u32(field);
    // 2^53 − 1 = 0x1FFFFF_FFFFFFFF: the high word may use 21 bits.
    if (high > 0x1fffff) {
      throw new ProtocolError('out-of-range', `${field}: u64 above 2^53 - 1 at offset ${this.pos - 8}`);
    }
    return high * TWO_POW_32 + low;
  }

  /** `u16 byteLength` + CESU-8/UTF-8 bytes, decoded strictly. */
  utf(field: string): string {
    // The field name goes into an error's text only: no string is built per read.
    const length = this.u16(field);
    const at = this.need(length, field);
    try {
      return decodeUtf8(this.bytes, at, at + length, STRICT);
    } catch (error) {
      if (error instanceof ProtocolError) {
        throw new ProtocolError(error.code, `${field}: ${error.message}`);
      }
      throw error;
    }
  }

  /** The unread rest as a subarray: it aliases the input buffer (no copy). */
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.pos);
    this.pos = this.bytes.length;
    return out;
  }
}

function checkInteger(value: number, max: number, field: string): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= max)) {
    throw new ProtocolError('invalid-frame', `${field}: ${String(value)} is not an integer in 0..${max}`);
  }
}

/** Where a ByteWriter's bytes come from (`size` bytes; every one is written). */
export type ByteAllocator = (size: number) => Uint8Array;

export const newBytes: ByteAllocator = (size) => new Uint8Array(size);

export class ByteWriter {
  private readonly out: Uint8Array;
  private pos = 0;

  constructor(size: number, allocate: ByteAllocator = newBytes) {
    this.out = allocate(size);
  }

  u8(value: number, field: string): this {
    checkInteger(value, 0xff, field);
    this.out[this.pos++] = value;
    return this;
  }

  u16(value: number, field: string): this {
    checkInteger(value, 0xffff, field);
    this.out[this.pos++] = value >>> 8;
    this.out[this.pos++] = value & 0xff;
    return this;
  }

  u32(value: number, field: string): this {
    checkInteger(value, 0xffffffff, field);
    this.out[this.pos++] = value >>> 24;
    this.out[this.pos++] = (value >>> 16) & 0xff;
    this.out[this.pos++] = (value >>> 8) & 0xff;
    this.out[this.pos++] = value & 0xff;
    return this;
  }

  u64(value: number, field: string): this {
    checkInteger(value, Number.MAX_SAFE_INTEGER, field);
    const high = Math.floor(value / TWO_POW_32);
    this.u32(high, field);
    return this.u32(value - high * TWO_POW_32, field);
  }

  /** Writes `u16 length` + `value` as CESU-8, in place; `byteLength` is its `cesu8ByteLength` (checked by the caller). */
  utf(value: string, byteLength: number): this {
    this.u16(byteLength, 'string length');
    this.pos = encodeCesu8Into(value, this.out, this.pos);
    return this;
  }

  bytes(data: Uint8Array): this {
    this.out.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  finish(): Uint8Array {
    if (this.pos !== this.out.length) {
      throw new Error(`ByteWriter: wrote ${this.pos} of ${this.out.length} bytes (layout bug)`);
    }
    return this.out;
  }
}
