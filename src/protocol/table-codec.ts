/**
 * Table-driven protobuf (proto2) codec for package rc: one small interpreter over the field table
 * in ./schema instead of per-message generated functions. No eval/new Function, no reflection, no
 * protobufjs or Long at run time; int64 travels as a JS number (hi/lo arithmetic, no BigInt).
 *
 * Contract (checked against the pbjs static code, the reference oracle, by
 * test/unit/protocol/table-codec-differential.test.ts):
 * - encode is byte-for-byte what pbjs writes with its portable Writer: fields in number order;
 *   required fields always written; optional fields only when an own, non-null property; repeated
 *   fields unpacked, one tag per element; strings as UTF-8 with a lone surrogate written as its own
 *   3-byte sequence (what @protobufjs/utf8 does); negative int32 as a 10-byte varint.
 *   A null/undefined required field (or repeated element) of type int32/enum/bool is written as 0,
 *   as pbjs does; of any other type it is an error. Mistyped values are errors (ProtocolError).
 * - decode returns an instance whose prototype holds the defaults ('' / 0 / false / null / empty
 *   bytes) and whose own properties are exactly the fields present, plus an own array for every
 *   repeated field; a field seen twice keeps the last value (sub-messages are replaced, not
 *   merged, as pbjs does); repeated varint fields accept packed and unpacked encodings; unknown
 *   fields, and known fields arriving with another wire type, are skipped; a missing required
 *   field, truncated input, a bad wire type or a varint longer than 10 bytes is
 *   ProtocolError('protobuf'). `bytes` fields are views into the input.
 * - Strings decode with an ASCII fast path, then src/codec/utf8 (lenient, CESU-8 pairs accepted,
 *   lone 3-byte surrogates kept as code units, like @protobufjs/utf8).
 *
 * Not reentrant by design: encode and decode run synchronously over module-level cursors (no
 * callbacks into user code happen in between), which keeps the hot loops free of allocation.
 */
export { decodeTable } from './table-decode';
export { encodeTable } from './table-encode';
