/**
 * Frame → bytes (PROTOCOL.md §4.4). One call produces one whole WebSocket message.
 *
 * Invariants:
 * - `origin` is who sends the bytes; it selects the PUBLISH and PUBACK layouts. A frame whose
 *   optional fields do not match that layout (a server PUBLISH without `date`, a client PUBACK
 *   with `status`, a CONNACK with only part of the extended block, CONNECT flags that disagree
 *   with the optional strings) throws ProtocolError('invalid-frame') instead of being silently
 *   completed or truncated — the clients would misread such bytes.
 * - Frame strings (topic, targetId, ids, messageUId, …) are written as CESU-8, exactly as both
 *   clients write them. The server uses CESU-8 too: E4 decodes CESU-8 and UTF-8, but L2 decodes
 *   only 1–3 byte sequences, so CESU-8 is the one form every client reads. For ASCII (all ids we
 *   generate) the two forms are identical.
 * - Numbers are range-checked against their field width (u8/u16/u32, u64 ≤ 2^53 − 1).
 * - The payload is copied into the output; the output never aliases the frame.
 * - The codec is direction-agnostic otherwise: it will encode a CONNACK with origin 'client'.
 *   Which frame kinds a peer may send is the session layer's business.
 */
import { cesu8ByteLength } from '../codec/utf8';
import { ByteWriter, newBytes, type ByteAllocator } from './binary';
import type {
  ConnackFrame,
  ConnectFrame,
  Frame,
  FrameOrigin,
  PubackFrame,
  PublishFrame,
} from './frame';
import { ConnectFlag, headerOf } from './frame-header';
import { ProtocolError } from './protocol-error';

/** The CESU-8 length of a frame string (written in place by ByteWriter.utf), checked against its u16 prefix. */
function utfLength(value: unknown, field: string): number {
  if (typeof value !== 'string') throw new ProtocolError('invalid-frame', `${field}: not a string`);
  const length = cesu8ByteLength(value);
  if (length > 0xffff) {
    throw new ProtocolError('invalid-frame', `${field}: ${length} bytes exceed the u16 length`);
  }
  return length;
}

function payloadOf(frame: { readonly payload: unknown }): Uint8Array {
  if (!(frame.payload instanceof Uint8Array)) throw new ProtocolError('invalid-frame', 'payload: not a Uint8Array');
  return frame.payload;
}

/** Optional string that must be present exactly when `wanted`: its CESU-8 length, -1 when absent. */
function optionalUtf(value: string | undefined, wanted: boolean, field: string): number {
  if (wanted !== (value !== undefined)) {
    throw new ProtocolError('invalid-frame', `${field}: ${wanted ? 'missing' : 'present but not flagged'}`);
  }
  return value === undefined ? -1 : utfLength(value, field);
}

function encodeConnect(frame: ConnectFrame, header: number, allocate: ByteAllocator): Uint8Array {
  const flags = frame.connectFlags;
  const hasWill = (flags & ConnectFlag.HasWill) !== 0;
  const protocolName = utfLength(frame.protocolName, 'protocolName');
  const clientId = utfLength(frame.clientId, 'clientId');
  // Order on the wire after clientId: [willTopic, will], [appId], [token].
  const optional: [string | undefined, number][] = [
    [frame.willTopic, optionalUtf(frame.willTopic, hasWill, 'willTopic')],
    [frame.will, optionalUtf(frame.will, hasWill, 'will')],
    [frame.appId, optionalUtf(frame.appId, (flags & ConnectFlag.HasAppId) !== 0, 'appId')],
    [frame.token, optionalUtf(frame.token, (flags & ConnectFlag.HasToken) !== 0, 'token')],
  ];
  let size = 1 + 2 + protocolName + 1 + 1 + 2 + 2 + clientId;
  for (const [value, length] of optional) if (value !== undefined) size += 2 + length;
  const w = new ByteWriter(size, allocate)
    .u8(header, 'header')
    .utf(frame.protocolName, protocolName)
    .u8(frame.protocolVersion, 'protocolVersion')
    .u8(flags, 'connectFlags')
    .u16(frame.keepAlive, 'keepAlive')
    .utf(frame.clientId, clientId);
  for (const [value, length] of optional) if (value !== undefined) w.utf(value, length);
  return w.finish();
}

function encodeConnack(frame: ConnackFrame, header: number, allocate: ByteAllocator): Uint8Array {
  const present = [frame.userId, frame.sessionId, frame.timestamp].filter((v) => v !== undefined).length;
  if (present === 0) return new ByteWriter(3, allocate).u8(header, 'header').u8(0, 'reserved').u8(frame.status, 'status').finish();
  if (present !== 3) {
    throw new ProtocolError('invalid-frame', 'connack: userId, sessionId and timestamp go together');
  }
  const userId = utfLength(frame.userId, 'userId');
  const sessionId = utfLength(frame.sessionId, 'sessionId');
  return new ByteWriter(3 + 2 + userId + 2 + sessionId + 8, allocate)
    .u8(header, 'header')
    .u8(0, 'reserved')
    .u8(frame.status, 'status')
    .utf(frame.userId as string, userId)
    .utf(frame.sessionId as string, sessionId)
    .u64(frame.timestamp ?? 0, 'timestamp')
    .finish();
}

function encodePublish(frame: PublishFrame, header: number, origin: FrameOrigin, allocate: ByteAllocator): Uint8Array {
  const withDate = origin === 'server';
  if (withDate !== (frame.date !== undefined)) {
    throw new ProtocolError(
      'invalid-frame',
      withDate ? 'publish: server→client PUBLISH needs date' : 'publish: client→server PUBLISH has no date',
    );
  }
  const topic = utfLength(frame.topic, 'topic');
  const targetId = utfLength(frame.targetId, 'targetId');
  const payload = payloadOf(frame);
  const w = new ByteWriter(1 + (withDate ? 4 : 0) + 2 + topic + 2 + targetId + 2 + payload.length, allocate);
  w.u8(header, 'header');
  if (frame.date !== undefined) w.u32(frame.date, 'date');
  return w.utf(frame.topic, topic).utf(frame.targetId, targetId).u16(frame.messageId, 'messageId').bytes(payload).finish();
}

function encodePuback(frame: PubackFrame, header: number, origin: FrameOrigin, allocate: ByteAllocator): Uint8Array {
  const { date, status, millisecond, messageUId } = frame;
  const present = (date !== undefined ? 1 : 0) + (status !== undefined ? 1 : 0) + (millisecond !== undefined ? 1 : 0) + (messageUId !== undefined ? 1 : 0);
  if (origin === 'client') {
    if (present !== 0) throw new ProtocolError('invalid-frame', 'puback: client→server PUBACK is messageId only');
    return new ByteWriter(3, allocate).u8(header, 'header').u16(frame.messageId, 'messageId').finish();
  }
  if (present !== 4 || date === undefined || status === undefined || millisecond === undefined) {
    throw new ProtocolError('invalid-frame', 'puback: server→client PUBACK needs date, status, millisecond, messageUId');
  }
  const uid = utfLength(messageUId, 'messageUId');
  return new ByteWriter(1 + 2 + 4 + 2 + 2 + 2 + uid, allocate)
    .u8(header, 'header')
    .u16(frame.messageId, 'messageId')
    .u32(date, 'date')
    .u16(status, 'status')
    .u16(millisecond, 'millisecond')
    .utf(messageUId as string, uid)
    .finish();
}

/**
 * Encodes one frame as written by `origin`. Throws ProtocolError('invalid-frame') on bad input. The bytes
 * come from `allocate` (the server cuts them from a slab).
 */
export function encodeFrame(frame: Frame, origin: FrameOrigin, allocate: ByteAllocator = newBytes): Uint8Array {
  const header = headerOf(frame);
  switch (frame.kind) {
    case 'connect':
      return encodeConnect(frame, header, allocate);
    case 'connack':
      return encodeConnack(frame, header, allocate);
    case 'publish':
      return encodePublish(frame, header, origin, allocate);
    case 'puback':
      return encodePuback(frame, header, origin, allocate);
    case 'query': {
      const topic = utfLength(frame.topic, 'topic');
      const targetId = utfLength(frame.targetId, 'targetId');
      const payload = payloadOf(frame);
      return new ByteWriter(1 + 2 + topic + 2 + targetId + 2 + payload.length, allocate)
        .u8(header, 'header')
        .utf(frame.topic, topic)
        .utf(frame.targetId, targetId)
        .u16(frame.messageId, 'messageId')
        .bytes(payload)
        .finish();
    }
    case 'queryack': {
      const payload = payloadOf(frame);
      return new ByteWriter(1 + 2 + 4 + 2 + payload.length, allocate)
        .u8(header, 'header')
        .u16(frame.messageId, 'messageId')
        .u32(frame.date, 'date')
        .u16(frame.status, 'status')
        .bytes(payload)
        .finish();
    }
    case 'querycon':
      return new ByteWriter(3, allocate).u8(header, 'header').u16(frame.messageId, 'messageId').finish();
    case 'pingreq':
    case 'pingresp':
      return new ByteWriter(1, allocate).u8(header, 'header').finish();
    case 'disconnect':
      return new ByteWriter(3, allocate).u8(header, 'header').u8(0, 'reserved').u8(frame.reason, 'reason').finish();
    default:
      return unknownKind(frame);
  }
}

function unknownKind(frame: never): never {
  throw new ProtocolError('invalid-frame', `unknown frame kind ${String((frame as { kind?: unknown }).kind)}`);
}
