/**
 * Bytes → Frame (PROTOCOL.md §4.4). One WebSocket message is exactly one frame; there is no
 * length prefix, so PUBLISH/QUERY/QUERYACK payloads are "the rest of the buffer".
 *
 * Invariants:
 * - Only ProtocolError escapes, for any input: 'truncated' (input ends inside a field or a
 *   declared string length exceeds what is left — nothing is ever allocated from a length field),
 *   'bad-header' (type nibble 0, 8–11 or 15), 'bad-utf8' (frame strings are decoded strictly;
 *   both UTF-8 and the clients' CESU-8 are accepted), 'out-of-range' (CONNACK u64 timestamp above
 *   2^53 − 1), 'trailing-bytes' (strict mode only).
 * - `origin` is who wrote the bytes and selects the PUBLISH/PUBACK layout (a server PUBLISH has a
 *   leading u32 date; a server PUBACK carries date/status/millisecond/messageUId and must be
 *   complete — E4 would read a short one as status -257).
 * - Trailing bytes after a fixed-size frame (PINGREQ/PINGRESP, QUERYCON, PUBACK, CONNACK,
 *   DISCONNECT, CONNECT) are ignored by default, as both clients ignore them (nothing reads them);
 *   `{ strict: true }` rejects them. A CONNACK longer than 3 bytes must carry the whole extended
 *   block (userId, sessionId, timestamp), matching the clients' "length > 3" rule.
 * - Decoded payloads are subarrays of the input: they alias it. Whoever reuses or mutates the
 *   input buffer after decoding must copy the payload first (`payload.slice()`).
 * - The decoder does not check direction (a client may "send" a CONNACK); the session decides.
 */
import { ByteReader } from './binary';
import type { ConnectFrame, Frame, FrameFlags, FrameOrigin } from './frame';
import { ConnectFlag, flagsOf, kindOfType, typeNibble } from './frame-header';
import { ProtocolError } from './protocol-error';

export interface FrameReaderOptions {
  /** Reject bytes after a fixed-size frame with ProtocolError('trailing-bytes'). Default false. */
  readonly strict?: boolean;
}

/**
 * The topic of a client PUBLISH/QUERY from its bytes `bytes[start, end)`: a string equal to their strict
 * decoding, or undefined to have them decoded as usual (it must return undefined for any bytes it does not know).
 */
export type TopicResolver = (bytes: Uint8Array, start: number, end: number) => string | undefined;

export interface DecodeFrameOptions extends FrameReaderOptions {
  /**
   * The server's known topics (absent in the SDK, whose FrameReader never reads them): a client PUBLISH/QUERY
   * whose topic bytes it resolves gets that string without a string being built from them — the server returns
   * the one string it keeps per routed topic, so each later lookup by it is by a string already hashed.
   */
  readonly topics?: TopicResolver;
}

const NO_OPTIONS: DecodeFrameOptions = {};

function decodeConnect(r: ByteReader, flags: FrameFlags): Frame {
  const protocolName = r.utf('protocolName');
  const protocolVersion = r.u8('protocolVersion');
  const connectFlags = r.u8('connectFlags');
  const keepAlive = r.u16('keepAlive');
  const clientId = r.utf('clientId');
  const frame: { -readonly [K in keyof ConnectFrame]: ConnectFrame[K] } = { kind: 'connect', ...flags, protocolName, protocolVersion, connectFlags, keepAlive, clientId };
  if ((connectFlags & ConnectFlag.HasWill) !== 0) {
    frame.willTopic = r.utf('willTopic');
    frame.will = r.utf('will');
  }
  if ((connectFlags & ConnectFlag.HasAppId) !== 0) frame.appId = r.utf('appId');
  if ((connectFlags & ConnectFlag.HasToken) !== 0) frame.token = r.utf('token');
  return frame;
}

function decodeConnack(r: ByteReader, flags: FrameFlags): Frame {
  r.u8('reserved');
  const status = r.u8('status');
  if (r.remaining === 0) return { kind: 'connack', ...flags, status };
  const userId = r.utf('userId');
  const sessionId = r.utf('sessionId');
  const timestamp = r.u64('timestamp');
  return { kind: 'connack', ...flags, status, userId, sessionId, timestamp };
}

/**
 * A PUBLISH (every received message) is built as one literal with its flags inline, not from a flags
 * object spread into it; same fields, same order as the other kinds. The fields are read in the literal's
 * order (date, topic, targetId, messageId, payload).
 */
function decodePublish(r: ByteReader, header: number, origin: FrameOrigin): Frame {
  if (origin === 'client') return clientPublish(r, header, r.utf('topic'));
  return { kind: 'publish', dup: (header & 8) !== 0, qos: (header & 6) >> 1, retain: (header & 1) !== 0, date: r.u32('date'), topic: r.utf('topic'), targetId: r.utf('targetId'), messageId: r.u16('messageId'), payload: r.rest() };
}

/** A client PUBLISH after its topic. */
function clientPublish(r: ByteReader, header: number, topic: string): Frame {
  return { kind: 'publish', dup: (header & 8) !== 0, qos: (header & 6) >> 1, retain: (header & 1) !== 0, topic, targetId: r.utf('targetId'), messageId: r.u16('messageId'), payload: r.rest() };
}

/** A QUERY after its topic. */
function query(r: ByteReader, flags: FrameFlags, topic: string): Frame {
  return { kind: 'query', ...flags, topic, targetId: r.utf('targetId'), messageId: r.u16('messageId'), payload: r.rest() };
}

function decodeBody(r: ByteReader, type: number, header: number, origin: FrameOrigin): Frame | undefined {
  const kind = kindOfType(type);
  if (kind === 'publish') return decodePublish(r, header, origin);
  const flags = flagsOf(header);
  switch (kind) {
    case 'connect':
      return decodeConnect(r, flags);
    case 'connack':
      return decodeConnack(r, flags);
    case 'puback': {
      const messageId = r.u16('messageId');
      if (origin === 'client') return { kind: 'puback', ...flags, messageId };
      const date = r.u32('date');
      const status = r.u16('status');
      const millisecond = r.u16('millisecond');
      const messageUId = r.utf('messageUId');
      return { kind: 'puback', ...flags, messageId, date, status, millisecond, messageUId };
    }
    case 'query':
      return query(r, flags, r.utf('topic'));
    case 'queryack': {
      const messageId = r.u16('messageId');
      const date = r.u32('date');
      const status = r.u16('status');
      return { kind: 'queryack', ...flags, messageId, date, status, payload: r.rest() };
    }
    case 'querycon':
      return { kind: 'querycon', ...flags, messageId: r.u16('messageId') };
    case 'pingreq':
      return { kind: 'pingreq', ...flags };
    case 'pingresp':
      return { kind: 'pingresp', ...flags };
    case 'disconnect':
      r.u8('reserved');
      return { kind: 'disconnect', ...flags, reason: r.u8('reason') };
    case undefined:
      return undefined;
  }
}

/**
 * Decodes one whole frame written by `origin`. Throws only ProtocolError. With `options.topics`, a client
 * PUBLISH/QUERY whose topic it resolves is read on from the topic's end (knownTopicFrame); anything else as
 * without it (decodeWhole: the SDK's FrameReader calls that directly, so its bundles carry none of this).
 */
export function decodeFrame(bytes: Uint8Array, origin: FrameOrigin, options: DecodeFrameOptions = NO_OPTIONS): Frame {
  const topics = options.topics;
  if (topics !== undefined && origin === 'client') {
    const frame = knownTopicFrame(bytes, topics);
    if (frame !== undefined) return frame;
  }
  return decodeWhole(bytes, origin, options);
}

/**
 * A client PUBLISH or QUERY whose topic `topics` resolves, read like decodeBody reads it (the same fields in the
 * same order, the same errors past the topic); undefined for any other frame or topic.
 */
function knownTopicFrame(bytes: Uint8Array, topics: TopicResolver): Frame | undefined {
  if (bytes.length < 3) return undefined;
  const header = bytes[0] as number;
  const kind = kindOfType(typeNibble(header));
  if (kind !== 'publish' && kind !== 'query') return undefined;
  const end = 3 + (((bytes[1] as number) << 8) | (bytes[2] as number));
  if (end > bytes.length) return undefined;
  const topic = topics(bytes, 3, end);
  if (topic === undefined) return undefined;
  const r = new ByteReader(bytes, end);
  return kind === 'publish' ? clientPublish(r, header, topic) : query(r, flagsOf(header), topic);
}

/** decodeFrame without a topic resolver. */
function decodeWhole(bytes: Uint8Array, origin: FrameOrigin, options: FrameReaderOptions): Frame {
  const r = new ByteReader(bytes);
  const header = r.u8('header');
  const type = typeNibble(header);
  const frame = decodeBody(r, type, header, origin);
  if (frame === undefined) {
    const hint = type >= 8 && type <= 11 ? ' (SUBSCRIBE/SUBACK/UNSUBSCRIBE/UNSUBACK are never used)' : '';
    throw new ProtocolError('bad-header', `unknown frame type ${type} in header 0x${header.toString(16)}${hint}`);
  }
  if (options.strict === true && r.remaining > 0) {
    throw new ProtocolError('trailing-bytes', `${r.remaining} byte(s) after a ${frame.kind} frame`);
  }
  return frame;
}

/**
 * Per-connection frame decoder for message-oriented transports (WebSocket: one message = one
 * frame), so a transport holds one object. Stateless today; it exists so that a stream transport
 * could buffer here later without changing callers.
 */
export class FrameReader {
  constructor(
    /** Who writes the bytes this reader receives (the SDK reads 'server', the server 'client'). */
    readonly origin: FrameOrigin,
    private readonly options: FrameReaderOptions = {},
  ) {}

  /** Returns `[frame]`, or throws ProtocolError for a malformed message. */
  push(bytes: Uint8Array): Frame[] {
    return [decodeWhole(bytes, this.origin, this.options)];
  }
}
