/**
 * Events addressed to all sessions of one user, and their compact binary form (they cross nodes
 * through the Broker). Layout, all integers big-endian:
 *   u8 version(1) | UTF exceptSessionId ('' = none) | u8 kind | body
 *   push: UTF topic | UTF targetId | u8 qos | bytes payload
 *   echo: UTF topic | UTF targetId | f64 sentTime | UTF messageUId | bytes upstream
 *   kick: u8 reason | UTF platform ('' = all) | UTF exceptSessionId ('' = none) | f64 olderThan (-1 = none)
 * where UTF = u16 byte length + UTF-8 and bytes = u32 length + raw bytes.
 */
export type UserEvent =
  | { readonly kind: 'push'; readonly topic: string; readonly targetId: string; readonly payload: Uint8Array; readonly qos: 0 | 1 }
  /** PROTOCOL.md §5.5 multi-device echo of the user's own sent message. */
  | { readonly kind: 'echo'; readonly topic: string; readonly targetId: string; readonly upstream: Uint8Array; readonly sentTime: number; readonly messageUId: string }
  /**
   * DISCONNECT(reason) then close, for the sessions of `platform` (all if absent) but
   * `exceptSessionId`, and only those connected before `olderThan` (ms) when given — so that of two
   * logins racing each other the newer one is never kicked by the older one.
   */
  | { readonly kind: 'kick'; readonly reason: number; readonly platform?: string; readonly exceptSessionId?: string; readonly olderThan?: number };

export interface UserEnvelope {
  readonly event: UserEvent;
  readonly exceptSessionId?: string;
}

const VERSION = 1;
const KIND_CODES = { push: 1, echo: 2, kick: 3 } as const;

export function encodeUserEnvelope(envelope: UserEnvelope): Uint8Array {
  const w = new Writer();
  w.u8(VERSION);
  w.utf(envelope.exceptSessionId ?? '');
  const e = envelope.event;
  w.u8(KIND_CODES[e.kind]);
  switch (e.kind) {
    case 'push':
      w.utf(e.topic);
      w.utf(e.targetId);
      w.u8(e.qos);
      w.bytes(e.payload);
      break;
    case 'echo':
      w.utf(e.topic);
      w.utf(e.targetId);
      w.f64(e.sentTime);
      w.utf(e.messageUId);
      w.bytes(e.upstream);
      break;
    case 'kick':
      w.u8(e.reason);
      w.utf(e.platform ?? '');
      w.utf(e.exceptSessionId ?? '');
      w.f64(e.olderThan ?? -1);
      break;
  }
  return w.finish();
}

/** Throws on bytes that are not a well-formed envelope of a known version. */
export function decodeUserEnvelope(bytes: Uint8Array): UserEnvelope {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== VERSION) throw new Error(`unknown user event version ${version}`);
  const except = r.utf();
  const kind = r.u8();
  let event: UserEvent;
  if (kind === KIND_CODES.push) {
    const topic = r.utf();
    const targetId = r.utf();
    const qos = r.u8() === 1 ? 1 : 0;
    event = { kind: 'push', topic, targetId, qos, payload: r.bytes() };
  } else if (kind === KIND_CODES.echo) {
    const topic = r.utf();
    const targetId = r.utf();
    const sentTime = r.f64();
    const messageUId = r.utf();
    event = { kind: 'echo', topic, targetId, sentTime, messageUId, upstream: r.bytes() };
  } else if (kind === KIND_CODES.kick) {
    const reason = r.u8();
    const platform = r.utf();
    const exceptSessionId = r.utf();
    const olderThan = r.f64();
    event = {
      kind: 'kick',
      reason,
      ...(platform ? { platform } : {}),
      ...(exceptSessionId ? { exceptSessionId } : {}),
      ...(olderThan >= 0 ? { olderThan } : {}),
    };
  } else {
    throw new Error(`unknown user event kind ${kind}`);
  }
  r.end();
  return except ? { event, exceptSessionId: except } : { event };
}

class Writer {
  private readonly parts: Buffer[] = [];
  u8(v: number): void {
    this.parts.push(Buffer.from([v & 0xff]));
  }
  f64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    this.parts.push(b);
  }
  utf(s: string): void {
    const body = Buffer.from(s, 'utf8');
    if (body.length > 0xffff) throw new Error('string too long for user event');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(body.length);
    this.parts.push(len, body);
  }
  bytes(b: Uint8Array): void {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    this.parts.push(len, Buffer.from(b.buffer, b.byteOffset, b.length));
  }
  finish(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}

class Reader {
  private offset = 0;
  private readonly buf: Buffer;
  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new Error('truncated user event');
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.offset++);
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }
  utf(): string {
    this.need(2);
    const len = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    this.need(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }
  bytes(): Uint8Array {
    this.need(4);
    const len = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    this.need(len);
    const out = new Uint8Array(this.buf.subarray(this.offset, this.offset + len));
    this.offset += len;
    return out;
  }
  end(): void {
    if (this.offset !== this.buf.length) throw new Error('trailing bytes in user event');
  }
}
