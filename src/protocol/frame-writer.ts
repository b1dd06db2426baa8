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
import { encodeCesu8 } from '../codec/utf8';
import { ByteWriter } from './binary';
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

function utfBytes(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string') throw new ProtocolError('invalid-frame', `${field}: not a string`);
  const bytes = encodeCesu8(value);
  if (bytes.length > 0xffff) {
    throw new ProtocolError('invalid-frame', `${field}: ${bytes.length} bytes exceed the u16 length`);
  }
  return bytes;
}

function payloadOf(frame: { readonly payload: unknown }): Uint8Array {
  if (!(frame.payload instanceof Uint8Array)) throw new ProtocolError('invalid-frame', 'payload: not a Uint8Array');
  return frame.payload;
}

/** Optional string that must be present exactly when `wanted`. */
function optionalUtf(value: string | undefined, wanted: boolean, field: string): Uint8Array | undefined {
  if (wanted !== (value !== undefined)) {
    throw new ProtocolError('invalid-frame', `${field}: ${wanted ? 'missing' : 'present but not flagged'}`);
  }
  return value === undefined ? undefined : utfBytes(value, field);
}

function encodeConnect(frame: ConnectFrame, header: number): Uint8Array {
  const flags = frame.connectFlags;
  const hasWill = (flags & ConnectFlag.HasWill) !== 0;
  const protocolName = utfBytes(frame.protocolName, 'protocolName');
  const clientId = utfBytes(frame.clientId, 'clientId');
  // Order on the wire after clientId: [willTopic, will], [appId], [token].
  const optional = [
    optionalUtf(frame.willTopic, hasWill, 'willTopic'),
    optionalUtf(frame.will, hasWill, 'will'),
    optionalUtf(frame.appId, (flags & ConnectFlag.HasAppId) !== 0, 'appId'),
    optionalUtf(frame.token, (flags & ConnectFlag.HasToken) !== 0, 'token'),
  ];
  let size = 1 + 2 + protocolName.length + 1 + 1 + 2 + 2 + clientId.length;
  for (const s of optional) if (s !== undefined) size += 2 + s.length;
  const w = new ByteWriter(size)
    .u8(header, 'header')
    .utf(protocolName)
    .u8(frame.protocolVersion, 'protocolVersion')
    .u8(flags, 'connectFlags')
    .u16(frame.keepAlive, 'keepAlive')
    .utf(clientId);
  for (const s of optional) if (s !== undefined) w.utf(s);
  return w.finish();
}

function encodeConnack(frame: ConnackFrame, header: number): Uint8Array {
  const present = [frame.userId, frame.sessionId, frame.timestamp].filter((v) => v !== undefined).length;
  if (present === 0) return new ByteWriter(3).u8(header, 'header').u8(0, 'reserved').u8(frame.status, 'status').finish();
  if (present !== 3) {
    throw new ProtocolError('invalid-frame', 'connack: userId, sessionId and timestamp go together');
  }
  const userId = utfBytes(frame.userId, 'userId');
  const sessionId = utfBytes(frame.sessionId, 'sessionId');
  return new ByteWriter(3 + 2 + userId.length + 2 + sessionId.length + 8)
    .u8(header, 'header')
    .u8(0, 'reserved')
    .u8(frame.status, 'status')
    .utf(userId)
    .utf(sessionId)
    .u64(frame.timestamp ?? 0, 'timestamp')
    .finish();
}

function encodePublish(frame: PublishFrame, header: number, origin: FrameOrigin): Uint8Array {
  const withDate = origin === 'server';
  if (withDate !== (frame.date !== undefined)) {
    throw new ProtocolError(
      'invalid-frame',
      withDate ? 'publish: server→client PUBLISH needs date' : 'publish: client→server PUBLISH has no date',
    );
  }
  const topic = utfBytes(frame.topic, 'topic');
  const targetId = utfBytes(frame.targetId, 'targetId');
  const payload = payloadOf(frame);
  const w = new ByteWriter(1 + (withDate ? 4 : 0) + 2 + topic.length + 2 + targetId.length + 2 + payload.length);
  w.u8(header, 'header');
  if (frame.date !== undefined) w.u32(frame.date, 'date');
  return w.utf(topic).utf(targetId).u16(frame.messageId, 'messageId').bytes(payload).finish();
}

function encodePuback(frame: PubackFrame, header: number, origin: FrameOrigin): Uint8Array {
  const { date, status, millisecond, messageUId } = frame;
  const present = [date, status, millisecond, messageUId].filter((v) => v !== undefined).length;
  if (origin === 'client') {
    if (present !== 0) throw new ProtocolError('invalid-frame', 'puback: client→server PUBACK is messageId only');
    return new ByteWriter(3).u8(header, 'header').u16(frame.messageId, 'messageId').finish();
  }
  if (present !== 4 || date === undefined || status === undefined || millisecond === undefined) {
    throw new ProtocolError('invalid-frame', 'puback: server→client PUBACK needs date, status, millisecond, messageUId');
  }
  const uid = utfBytes(messageUId, 'messageUId');
  return new ByteWriter(1 + 2 + 4 + 2 + 2 + 2 + uid.length)
    .u8(header, 'header')
    .u16(frame.messageId, 'messageId')
    .u32(date, 'date')
    .u16(status, 'status')
    .u16(millisecond, 'millisecond')
    .utf(uid)
    .finish();
}

/** Encodes one frame as written by `origin`. Throws ProtocolError('invalid-frame') on bad input. */
export function encodeFrame(frame: Frame, origin: FrameOrigin): Uint8Array {
  const header = headerOf(frame);
  switch (frame.kind) {
    case 'connect':
      return encodeConnect(frame, header);
    case 'connack':
      return encodeConnack(frame, header);
    case 'publish':
      return encodePublish(frame, header, origin);
    case 'puback':
      return encodePuback(frame, header, origin);
    case 'query': {
      const topic = utfBytes(frame.topic, 'topic');
      const targetId = utfBytes(frame.targetId, 'targetId');
      const payload = payloadOf(frame);
      return new ByteWriter(1 + 2 + topic.length + 2 + targetId.length + 2 + payload.length)
        .u8(header, 'header')
        .utf(topic)
        .utf(targetId)
        .u16(frame.messageId, 'messageId')
        .bytes(payload)
        .finish();
    }
    case 'queryack': {
      const payload = payloadOf(frame);
      return new ByteWriter(1 + 2 + 4 + 2 + payload.length)
        .u8(header, 'header')
        .u16(frame.messageId, 'messageId')
        .u32(frame.date, 'date')
        .u16(frame.status, 'status')
        .bytes(payload)
        .finish();
    }
    case 'querycon':
      return new ByteWriter(3).u8(header, 'header').u16(frame.messageId, 'messageId').finish();
    case 'pingreq':
    case 'pingresp':
      return new ByteWriter(1).u8(header, 'header').finish();
    case 'disconnect':
      return new ByteWriter(3).u8(header, 'header').u8(0, 'reserved').u8(frame.reason, 'reason').finish();
    default:
      return unknownKind(frame);
  }
}

function unknownKind(frame: never): never {
  throw new ProtocolError('invalid-frame', `unknown frame kind ${String((frame as { kind?: unknown }).kind)}`);
}
