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

export interface DecodeFrameOptions {
  /** Reject bytes after a fixed-size frame with ProtocolError('trailing-bytes'). Default false. */
  readonly strict?: boolean;
}

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
 * object spread into it; same fields, same order as the other kinds.
 */
function decodePublish(r: ByteReader, header: number, origin: FrameOrigin): Frame {
  const dup = (header & 8) !== 0;
  const qos = (header & 6) >> 1;
  const retain = (header & 1) !== 0;
  if (origin === 'server') {
    const date = r.u32('date');
    const topic = r.utf('topic');
    const targetId = r.utf('targetId');
    const messageId = r.u16('messageId');
    return { kind: 'publish', dup, qos, retain, date, topic, targetId, messageId, payload: r.rest() };
  }
  const topic = r.utf('topic');
  const targetId = r.utf('targetId');
  const messageId = r.u16('messageId');
  return { kind: 'publish', dup, qos, retain, topic, targetId, messageId, payload: r.rest() };
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
    case 'query': {
      const topic = r.utf('topic');
      const targetId = r.utf('targetId');
      const messageId = r.u16('messageId');
      return { kind: 'query', ...flags, topic, targetId, messageId, payload: r.rest() };
    }
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

/** Decodes one whole frame written by `origin`. Throws only ProtocolError. */
export function decodeFrame(bytes: Uint8Array, origin: FrameOrigin, options: DecodeFrameOptions = {}): Frame {
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
    private readonly options: DecodeFrameOptions = {},
  ) {}

  /** Returns `[frame]`, or throws ProtocolError for a malformed message. */
  push(bytes: Uint8Array): Frame[] {
    return [decodeFrame(bytes, this.origin, this.options)];
  }
}
