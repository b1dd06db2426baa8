/**
 * Tolerant decoder for the `delRelation` payload (PROTOCOL.md §12). The two client generations send
 * different messages on that topic and they clash on field 2:
 *
 *   E4  RelationQryInput { 1: type (varint), 2: count (varint), 3: startTime, 4: order }
 *   L2  RelationsInput   { 1: type (varint), 2: msg (embedded DownStreamMessage), ... }
 *
 * A decoder generated for either type misreads the other (protobufjs 7 does not check wire types
 * of known fields). Only field 1 matters for removing a conversation, so this reads field 1 and
 * skips every other field by the wire type actually present in the bytes.
 */
import { ProtocolError } from './protocol-error';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;
/** Groups never occur on this wire; the bound only keeps hostile nesting from exhausting the stack. */
const MAX_GROUP_DEPTH = 32;

function fail(why: string): never {
  throw new ProtocolError('protobuf', `delRelation: ${why}`);
}

class Cursor {
  pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** Reads a varint of at most 10 bytes; returns its low 32 bits as a signed int32 (proto int32/enum semantics). */
  varint32(): number {
    let low = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.bytes[this.pos];
      if (b === undefined) return fail('truncated varint');
      this.pos++;
      if (i < 5) low |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return low | 0;
    }
    return fail('varint longer than 10 bytes');
  }

  /** Reads a varint used as a length or tag; rejects values that cannot be a valid position. */
  varintSize(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.bytes[this.pos];
      if (b === undefined) return fail('truncated varint');
      this.pos++;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) {
        if (value > Number.MAX_SAFE_INTEGER) return fail('varint too large');
        return value;
      }
    }
    return fail('varint longer than 10 bytes');
  }

  skipBytes(n: number): void {
    if (n > this.bytes.length - this.pos) fail('truncated field');
    this.pos += n;
  }

  /** Skips one field body of `wireType`; for a group, up to and including its matching end tag. */
  skip(wireType: number, fieldNumber: number, depth: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varintSize();
        return;
      case WIRE_FIXED64:
        this.skipBytes(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.skipBytes(this.varintSize());
        return;
      case WIRE_FIXED32:
        this.skipBytes(4);
        return;
      case WIRE_START_GROUP: {
        if (depth >= MAX_GROUP_DEPTH) fail('groups nested too deeply');
        for (;;) {
          if (this.done) fail('unterminated group');
          const tag = this.varintSize();
          const inner = tag % 8;
          const number = Math.floor(tag / 8);
          if (inner === WIRE_END_GROUP) {
            if (number !== fieldNumber) fail('mismatched end group');
            return;
          }
          this.skip(inner, number, depth + 1);
        }
      }
      default:
        return fail(`invalid wire type ${wireType}`);
    }
  }
}

/**
 * Returns field 1 (`type`, the conversation type) of a `delRelation` payload in either layout.
 * Last occurrence wins, as in protobuf. Throws ProtocolError('protobuf') for malformed bytes, for
 * field 1 carried with a non-varint wire type, or when field 1 is absent (both clients always set it).
 */
export function decodeDelRelationType(bytes: Uint8Array): number {
  const cursor = new Cursor(bytes);
  let type: number | undefined;
  while (!cursor.done) {
    const tag = cursor.varintSize();
    const wireType = tag % 8;
    const fieldNumber = Math.floor(tag / 8);
    if (fieldNumber === 0) fail('field number 0');
    if (wireType === WIRE_END_GROUP) fail('unexpected end group');
    if (fieldNumber === 1) {
      if (wireType !== WIRE_VARINT) fail(`field 1 has wire type ${wireType}, expected varint`);
      type = cursor.varint32();
    } else {
      cursor.skip(wireType, fieldNumber, 0);
    }
  }
  if (type === undefined) return fail('missing field 1 (type)');
  return type;
}
