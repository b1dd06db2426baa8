/**
 * The CMP fixed header byte (PROTOCOL.md §4.1): `type<<4 | dup<<3 | qos<<1 | retain`.
 *
 * Only types 1–7 and 12–14 exist for us. SUBSCRIBE/SUBACK/UNSUBSCRIBE/UNSUBACK (8–11) are never
 * used by the web clients, and E4 decodes 9, 11 and 13 all as "ping response" (it would resolve a
 * pending ping with a SUBACK) — so the server must never send 9/11, and decoders reject 0, 8–11
 * and 15 as 'bad-header'.
 */
import { FrameType } from './frame';
import type { FrameFlags, FrameKind } from './frame';
import { ProtocolError } from './protocol-error';

/** Header bytes seen on the wire (PROTOCOL.md §4.4, §13; 📡 = real server's choice). */
export const Header = {
  Connect: 0x10,
  Connack: 0x20,
  /** Server push without ack, and E4's RTC publishes. */
  PublishQos0: 0x30,
  /** Client send (both clients) or server push that wants a PUBACK. */
  PublishQos1: 0x32,
  /** Server push as the real server sends it (qos 1 + retain 📡). */
  PublishQos1Retain: 0x33,
  /** Multi-device sync echo: PUBLISH | DUP | qos 1 (📡). Clients never PUBACK it. */
  PublishSyncEcho: 0x3a,
  Puback: 0x40,
  /** Every E4 query; L2 queries other than pullMsg/chrmPull. */
  Query: 0x50,
  /** L2 `pullMsg`/`chrmPull`. */
  QueryQos1: 0x52,
  QueryAck: 0x60,
  /** Asks the client for a QUERYCON. */
  QueryAckQos1: 0x62,
  /** QUERYACK as the real server sends it (📡). */
  QueryAckQos1Retain: 0x63,
  QueryCon: 0x70,
  PingReq: 0xc0,
  PingResp: 0xd0,
  Disconnect: 0xe0,
} as const;
export type Header = (typeof Header)[keyof typeof Header];

/** CONNECT flag bits (L2's unused CONNECT writer, PROTOCOL.md §4.5). */
export const ConnectFlag = {
  HasAppId: 0x80,
  HasToken: 0x40,
  RetainWill: 0x20,
  HasWill: 0x04,
  CleanSession: 0x02,
} as const;

export const NO_FLAGS: FrameFlags = { dup: false, qos: 0, retain: false };

/** Builds the header byte; a qos outside 0..3 throws ProtocolError('invalid-frame'). */
export function headerByte(type: FrameType, flags: Partial<FrameFlags> = {}): number {
  const qos = flags.qos ?? 0;
  if (!(Number.isInteger(qos) && qos >= 0 && qos <= 3)) {
    throw new ProtocolError('invalid-frame', `qos ${String(qos)} not in 0..3`);
  }
  return (type << 4) | (flags.dup === true ? 8 : 0) | (qos << 1) | (flags.retain === true ? 1 : 0);
}

/** The flag bits of a header byte, decoded as both clients do. */
export function flagsOf(header: number): FrameFlags {
  return { dup: (header & 8) !== 0, qos: (header & 6) >> 1, retain: (header & 1) !== 0 };
}

/** The raw type nibble (0..15) of a header byte. */
export function typeNibble(header: number): number {
  return (header >> 4) & 15;
}

export const FRAME_TYPE_OF_KIND: Readonly<Record<FrameKind, FrameType>> = {
  connect: FrameType.Connect,
  connack: FrameType.Connack,
  publish: FrameType.Publish,
  puback: FrameType.Puback,
  query: FrameType.Query,
  queryack: FrameType.QueryAck,
  querycon: FrameType.QueryCon,
  pingreq: FrameType.PingReq,
  pingresp: FrameType.PingResp,
  disconnect: FrameType.Disconnect,
};

const KIND_OF_TYPE: ReadonlyArray<FrameKind | undefined> = (() => {
  const table: Array<FrameKind | undefined> = new Array<FrameKind | undefined>(16).fill(undefined);
  for (const kind of Object.keys(FRAME_TYPE_OF_KIND) as FrameKind[]) table[FRAME_TYPE_OF_KIND[kind]] = kind;
  return table;
})();

/** Frame kind of a type nibble, or undefined for 0, 8–11 and 15. */
export function kindOfType(type: number): FrameKind | undefined {
  return KIND_OF_TYPE[type];
}

/** Header byte of a frame: its kind's type plus its own flags. */
export function headerOf(frame: { readonly kind: FrameKind } & FrameFlags): number {
  const type = Object.prototype.hasOwnProperty.call(FRAME_TYPE_OF_KIND, frame.kind)
    ? FRAME_TYPE_OF_KIND[frame.kind]
    : undefined;
  if (type === undefined) throw new ProtocolError('invalid-frame', `unknown frame kind ${String(frame.kind)}`);
  return headerByte(type, frame);
}
