/**
 * Protobuf bodies of engine 5.x topics that proto/*.proto does not declare yet (server unread, chatroom batch
 * KV, read receipts V4/V5). Field numbers and types are those of the schema imlib-next 5.38's engine loads
 * (5.7.3 declares the batch KV messages identically); they belong in proto/e5.proto once the codec generator
 * settles, after which this module can go (the report of issue #15 lists the exact additions).
 *
 * A small self-contained table-driven proto2 codec: `encodeE5` writes the fields present in a plain object,
 * `decodeE5` reads the declared fields and skips unknown ones (and declared ones of an unexpected wire type). int64 values are
 * numbers (every one on this wire is a ms time, a version or a count below 2^53). Decode failures throw
 * ProtocolError('protobuf'), as the generated codecs do; `required` is not enforced on decode (the server
 * validates what it uses) and the encoders always fill the fields the 5.x decoders require.
 */
import { decodeUtf8, encodeUtf8, ProtocolError } from './wire';
import { hasNul, wellFormed } from '../text-values';

type Scalar = 'int32' | 'int64' | 'bool' | 'string' | 'bytes';

interface FieldSpec {
  readonly no: number;
  readonly type: Scalar | Schema;
  readonly repeated?: true;
}

export interface Schema {
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

export type E5Value = number | boolean | string | Uint8Array | E5Object | readonly E5Value[];
export interface E5Object {
  readonly [field: string]: E5Value | undefined;
}

const WIRE: Readonly<Record<Scalar, number>> = { int32: 0, int64: 0, bool: 0, string: 2, bytes: 2 };
const TWO_64 = 1n << 64n;

/** Varint of an integer (negative int32/int64 as their 64-bit two's complement, as proto2 does). */
function pushVarint(out: number[], value: number): void {
  let big = BigInt(Math.trunc(value));
  if (big < 0n) big += TWO_64;
  while (big >= 0x80n) {
    out.push(Number(big & 0x7fn) | 0x80);
    big >>= 7n;
  }
  out.push(Number(big));
}

function pushBytes(out: number[], bytes: Uint8Array): void {
  pushVarint(out, bytes.length);
  for (const b of bytes) out.push(b);
}

function writeValue(out: number[], spec: FieldSpec, value: E5Value): void {
  const type = spec.type;
  if (typeof type !== 'string') {
    pushVarint(out, (spec.no << 3) | 2);
    const inner: number[] = [];
    writeFields(inner, type, value as E5Object);
    pushBytes(out, Uint8Array.from(inner));
    return;
  }
  pushVarint(out, (spec.no << 3) | WIRE[type]);
  switch (type) {
    case 'int32':
    case 'int64': pushVarint(out, Number(value)); break;
    case 'bool': out.push(value === true ? 1 : 0); break;
    case 'string': pushBytes(out, encodeUtf8(String(value))); break;
    case 'bytes': pushBytes(out, value as Uint8Array); break;
  }
}

function writeFields(out: number[], schema: Schema, object: E5Object): void {
  for (const [name, spec] of Object.entries(schema.fields)) {
    const value = object[name];
    if (value === undefined) continue;
    if (spec.repeated === true) {
      for (const item of value as readonly E5Value[]) writeValue(out, spec, item);
    } else {
      writeValue(out, spec, value);
    }
  }
}

export function encodeE5(schema: Schema, object: E5Object): Uint8Array {
  const out: number[] = [];
  writeFields(out, schema, object);
  return Uint8Array.from(out);
}

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result & (TWO_64 - 1n);
    }
    throw new Error('varint too long');
  }

  /** A signed 64-bit varint as a number (ms times, versions, counts: far below 2^53). */
  integer(): number {
    const v = this.varint();
    return Number(v >= 1n << 63n ? v - TWO_64 : v);
  }

  take(length: number): Uint8Array {
    if (length < 0 || this.pos + length > this.bytes.length) throw new Error('truncated field');
    const slice = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return slice;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0: this.varint(); break;
      case 1: this.take(8); break;
      case 2: this.take(Number(this.varint())); break;
      case 5: this.take(4); break;
      default: throw new Error(`unsupported wire type ${wireType}`);
    }
  }
}

/** Strings the client sends are stored as text (text-values.ts): U+0000 makes the payload malformed. */
function storableString(value: string): string {
  if (hasNul(value)) throw new Error('a string field holds U+0000');
  return wellFormed(value);
}

function readValue(reader: Reader, type: Scalar | Schema): E5Value {
  if (typeof type !== 'string') return readFields(reader.take(Number(reader.varint())), type);
  switch (type) {
    case 'int32': return reader.integer() | 0;
    case 'int64': return reader.integer();
    case 'bool': return reader.varint() !== 0n;
    case 'string': return storableString(decodeUtf8(reader.take(Number(reader.varint()))));
    case 'bytes': return reader.take(Number(reader.varint()));
  }
}

function readFields(bytes: Uint8Array, schema: Schema): E5Object {
  const reader = new Reader(bytes);
  const byNumber = new Map(Object.entries(schema.fields).map(([name, spec]) => [spec.no, [name, spec] as const]));
  const out: Record<string, E5Value> = {};
  while (reader.pos < bytes.length) {
    const tag = Number(reader.varint());
    const found = byNumber.get(tag >>> 3);
    const wireType = tag & 7;
    if (found === undefined || wireType !== (typeof found[1].type === 'string' ? WIRE[found[1].type] : 2)) {
      reader.skip(wireType);
      continue;
    }
    const [name, spec] = found;
    const value = readValue(reader, spec.type);
    if (spec.repeated === true) {
      const list = (out[name] as E5Value[] | undefined) ?? [];
      list.push(value);
      out[name] = list;
    } else {
      out[name] = value;
    }
  }
  return out;
}

export function decodeE5(schema: Schema, bytes: Uint8Array): E5Object {
  try {
    return readFields(bytes, schema);
  } catch (error) {
    throw new ProtocolError('protobuf', `${schema.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Typed field access on a decoded object (absent → the proto2 default). */
export const field = {
  str: (o: E5Object, name: string): string => (typeof o[name] === 'string' ? (o[name] as string) : ''),
  num: (o: E5Object, name: string): number => (typeof o[name] === 'number' ? (o[name] as number) : 0),
  bool: (o: E5Object, name: string): boolean => o[name] === true,
  bytes: (o: E5Object, name: string): Uint8Array | undefined => (o[name] instanceof Uint8Array ? (o[name] as Uint8Array) : undefined),
  list: (o: E5Object, name: string): readonly E5Value[] => (Array.isArray(o[name]) ? (o[name] as readonly E5Value[]) : []),
  objects: (o: E5Object, name: string): readonly E5Object[] => field.list(o, name).filter((v): v is E5Object => typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v)),
  strings: (o: E5Object, name: string): readonly string[] => field.list(o, name).filter((v): v is string => typeof v === 'string'),
};

const schema = (name: string, fields: Record<string, FieldSpec>): Schema => ({ name, fields });

// ── Server-side unread (pullSe, qrySessionsUnread, updRTime) ────────────────────────────────────────────
export const SessionQryInput = schema('SessionQryInput', {
  version: { no: 1, type: 'int64' }, count: { no: 2, type: 'int32' }, compress: { no: 3, type: 'bool' }, pageToken: { no: 4, type: 'string' },
});
export const UnreadMsgInfo = schema('UnreadMsgInfo', {
  msgId: { no: 1, type: 'string' }, msgTime: { no: 2, type: 'int64' }, remindType: { no: 3, type: 'int32' }, className: { no: 4, type: 'string' },
});
export const UnreadInfo = schema('UnreadInfo', {
  cnt: { no: 1, type: 'int32' }, mentionCnt: { no: 2, type: 'int32' }, mentionMeCnt: { no: 3, type: 'int32' },
  clearTime: { no: 4, type: 'int64' }, cutOffTime: { no: 5, type: 'int64' }, firstUnreadMsg: { no: 6, type: UnreadMsgInfo },
});
export const SessionOutput = schema('SessionOutput', {
  targetId: { no: 1, type: 'string' }, busChannel: { no: 2, type: 'string' }, type: { no: 3, type: 'int32' },
  version: { no: 4, type: 'int64' }, unread: { no: 5, type: UnreadInfo },
});
export const SessionsOutput = schema('SessionsOutput', {
  session: { no: 1, type: SessionOutput, repeated: true }, pageToken: { no: 2, type: 'string' }, compress: { no: 3, type: 'bool' },
});
/** E4's SessionInfo plus E5's 3 unreadCount and 4 busChannel. */
export const SessionInfo = schema('SessionInfo', {
  type: { no: 1, type: 'int32' }, channelId: { no: 2, type: 'string' }, unreadCount: { no: 3, type: 'int64' }, busChannel: { no: 4, type: 'string' },
});
/** qrySessionsUnread input and output (QuerySessionsInput / QuerySessionsOutPut share the layout). */
export const QuerySessions = schema('QuerySessions', { sessions: { no: 1, type: SessionInfo, repeated: true } });
/** E4's SessionMsgReadInput plus E5's 4 busChannel; the `updRTime` body in both directions. */
export const SessionMsgReadInput = schema('SessionMsgReadInput', {
  type: { no: 1, type: 'int32' }, msgTime: { no: 2, type: 'int64' }, channelId: { no: 3, type: 'string' }, busChannel: { no: 4, type: 'string' },
});

// ── Chatroom batch KV (setKVS, delKVS) ─────────────────────────────────────────────────────────────────
/** ChrmKVEntity with E5's 6 version. */
export const ChrmKVEntity = schema('ChrmKVEntity', {
  key: { no: 1, type: 'string' }, value: { no: 2, type: 'string' }, status: { no: 3, type: 'int32' },
  timestamp: { no: 4, type: 'int64' }, uid: { no: 5, type: 'string' }, version: { no: 6, type: 'int64' },
});
/** SetChrmKVS and DeleteChrmKVS (same layout); `notification` is an UpStreamMessage, kept as bytes. */
export const SetChrmKVS = schema('SetChrmKVS', {
  entry: { no: 1, type: ChrmKVEntity, repeated: true }, bNotify: { no: 2, type: 'bool' }, notification: { no: 3, type: 'bytes' }, type: { no: 4, type: 'int32' },
});
export const ChrmKVSOutput = schema('ChrmKVSOutput', {
  errorKeys: { no: 1, type: schema('ChrmKVSOutputEntity', { key: { no: 1, type: 'string' }, errorCode: { no: 2, type: 'int32' } }), repeated: true },
  keysVersion: { no: 2, type: schema('ChrmKVSVersionEntity', { version: { no: 1, type: 'int64' }, key: { no: 2, type: 'string' } }), repeated: true },
});

// ── Read receipts V4 (sendMsgRead, qryMsgRead, qryMsgReadCntBatch) ──────────────────────────────────────
export const ReadReceiptMsg = schema('ReadReceiptMsg', {
  targetId: { no: 1, type: 'string' }, type: { no: 2, type: 'int32' }, busChannel: { no: 3, type: 'string' },
  startMsgId: { no: 4, type: 'string' }, endMsgId: { no: 5, type: 'string' },
});
export const ReceiptQryReq = schema('ReceiptQryReq', { msgId: { no: 1, type: 'string' }, busChannel: { no: 2, type: 'string' }, targetId: { no: 3, type: 'string' } });
export const ReceiptUser = schema('ReceiptUser', {
  receiptTime: { no: 1, type: 'int64' }, userId: { no: 2, type: 'string' }, name: { no: 3, type: 'string' },
  portrait: { no: 4, type: 'string' }, mentioned: { no: 5, type: 'bool' },
});
export const QueryReceiptResp = schema('QueryReceiptResp', {
  num: { no: 1, type: 'int32' }, list: { no: 2, type: ReceiptUser, repeated: true }, readCnt: { no: 3, type: 'int32' },
});
export const ReceiptCntQryReq = schema('ReceiptCntQryReq', {
  type: { no: 1, type: 'int32' }, channelId: { no: 2, type: 'string' }, busChannel: { no: 3, type: 'string' }, msgId: { no: 4, type: 'string', repeated: true },
});
export const ReceiptCntQryResp = schema('ReceiptCntQryResp', {
  result: { no: 1, type: schema('MsgReadCnt', { msgId: { no: 1, type: 'string' }, cnt: { no: 2, type: 'int32' }, tmn: { no: 3, type: 'int32' } }), repeated: true },
});

// ── Read receipts V5 (readReceipt, qryReceipt, qryReceiptBatch) ─────────────────────────────────────────
export const ReadReceipt = schema('ReadReceipt', {
  targetId: { no: 1, type: 'string' }, type: { no: 2, type: 'int32' }, channelId: { no: 3, type: 'string' },
  readType: { no: 4, type: 'int32' }, msgIds: { no: 5, type: 'string', repeated: true }, fromId: { no: 6, type: 'string' },
});
export const QueryReceiptReq = schema('QueryReceiptReq', {
  targetId: { no: 1, type: 'string' }, busChannel: { no: 2, type: 'string' }, type: { no: 3, type: 'int32' },
  msgIds: { no: 4, type: 'string', repeated: true }, qryType: { no: 5, type: 'int32' }, order: { no: 6, type: 'int32' },
  compress: { no: 7, type: 'bool' }, readType: { no: 8, type: 'int32' }, pageType: { no: 9, type: 'int32' },
  pageSize: { no: 10, type: 'int32' }, pageToken: { no: 11, type: 'string' }, users: { no: 12, type: 'string', repeated: true },
});
const QueryReceipt = schema('QueryReceipt', {
  targetId: { no: 1, type: 'string' }, busChannel: { no: 2, type: 'string' }, type: { no: 3, type: 'int32' }, msgIds: { no: 4, type: 'string', repeated: true },
});
export const QueryReceiptBatchReq = schema('QueryReceiptBatchReq', { items: { no: 1, type: QueryReceipt, repeated: true }, compress: { no: 2, type: 'bool' } });
export const QueryReceiptRespItem = schema('QueryReceiptRespItem', {
  msgId: { no: 1, type: 'string' }, msgTime: { no: 2, type: 'int64' }, totalCnt: { no: 3, type: 'int32' }, readCnt: { no: 4, type: 'int64' },
  readUser: { no: 5, type: ReceiptUser, repeated: true }, unreadList: { no: 6, type: 'string', repeated: true },
  unreadCnt: { no: 7, type: 'int64' }, unreadUser: { no: 8, type: ReceiptUser, repeated: true },
});
export const ReceiptResp = schema('ReceiptResp', {
  resp: { no: 1, type: QueryReceiptRespItem, repeated: true }, compress: { no: 2, type: 'bool' }, pageToken: { no: 4, type: 'string' },
});
export const QueryReceiptBatchResp = schema('QueryReceiptBatchResp', {
  item: { no: 1, type: schema('QueryReceiptBatchRespItem', {
    targetId: { no: 1, type: 'string' }, busChannel: { no: 2, type: 'string' }, type: { no: 3, type: 'int32' }, msg: { no: 4, type: QueryReceiptRespItem, repeated: true },
  }), repeated: true },
  compress: { no: 2, type: 'bool' },
});

// ── Server events (pullEventChange; read receipts V5 events) ────────────────────────────────────────────
/** proto/e5.proto declares QueryMsgChange/EventChangeList too, but its EventChange stops at field 4. */
export const QueryMsgChange = schema('QueryMsgChange', {
  syncTime: { no: 1, type: 'int64' }, needCompress: { no: 2, type: 'int32' }, onlineTime: { no: 3, type: 'int64' }, targetId: { no: 4, type: 'string' },
});
export const EventChange = schema('EventChange', {
  businessId: { no: 1, type: 'string' }, channelType: { no: 2, type: 'int32' }, time: { no: 3, type: 'int64' },
  changeType: { no: 4, type: 'int32' }, originalId: { no: 5, type: 'string' }, originalTime: { no: 6, type: 'int64' },
  secondaryId: { no: 7, type: 'string' }, operatorId: { no: 10, type: 'string' }, subChangeType: { no: 11, type: 'int32' },
  eventData: { no: 16, type: 'bytes' },
});
export const EventChangeList = schema('EventChangeList', {
  list: { no: 1, type: EventChange, repeated: true }, syncTime: { no: 2, type: 'int64' }, hasNext: { no: 3, type: 'bool' },
  targetId: { no: 4, type: 'string' }, isCompress: { no: 5, type: 'bool' },
});
/** eventData of changeType 36 / subChangeType 0: the state of one message after a V5 read. */
export const MsgReadEvent = schema('MsgReadEvent', {
  msgId: { no: 1, type: 'string' }, msgTime: { no: 2, type: 'int64' }, totalCnt: { no: 3, type: 'int32' },
  readCnt: { no: 4, type: 'int32' }, unreadCnt: { no: 5, type: 'int32' }, readList: { no: 6, type: ReceiptUser, repeated: true },
});
