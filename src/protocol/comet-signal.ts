/**
 * Comet (HTTP long-polling) framing, PROTOCOL.md §10: JSON "signal objects" instead of binary
 * frames. This layer maps signals ↔ our Frame model but leaves every payload as the JSON *string*
 * the wire carries (`data`); JSON ↔ protobuf conversion lives in comet-json.ts.
 *
 * Invariants:
 * - `headerCode` is the decimal CMP header byte. The real server sends DISCONNECT as the signed
 *   byte -32; we accept any integer in -128..255 and read it as `code & 0xFF`.
 * - Output is compact `JSON.stringify` text with keys in one canonical order (headerCode,
 *   messageId, status, topic, targetId, date, timestamp, messageUId, millisecond, userId,
 *   sessionid, data), absent keys omitted — this reproduces every example of §10 byte for byte,
 *   passes E4's `JSON.stringify(JSON.parse(body)) === body` check, and keeps `"headerCode":-32,`
 *   literally present in an L2 DISCONNECT (L2 stops polling only on that exact text).
 * - Downstream bodies are arrays (E4 ignores a bare object); the connect reply alone is a single
 *   object with its own key order (`encodeCometConnectReply`).
 * - Parsing accepts a single object or an array. Anything that is not JSON, not an object, lacks
 *   an integer `headerCode`, or has a known key of the wrong type throws
 *   ProtocolError('comet-json'); `null` values count as absent; unknown keys are ignored.
 * - PUBACK signals with a `status` are server acks: `date`/`millisecond` are derived from
 *   `timestamp` when absent (both clients read `timestamp`), and `frameToSignal` always writes all
 *   three. Without `status` a PUBACK is client-style (messageId only); ack data without a status
 *   is refused.
 * - Comet messageIds are not u16: E4's comet counter is unbounded, so any non-negative safe
 *   integer is accepted. A CometFrame is never binary-encoded.
 */
import type {
  ConnackFrame,
  DisconnectFrame,
  FrameFlags,
  PingReqFrame,
  PingRespFrame,
  PubackFrame,
  PublishFrame,
  QueryAckFrame,
  QueryConFrame,
  QueryFrame,
} from './frame';
import { flagsOf, headerOf, kindOfType, typeNibble } from './frame-header';
import { ProtocolError } from './protocol-error';

export interface CometSignal {
  /** Decimal header byte (e.g. 50 PUBLISH qos1, 64 PUBACK, 96 QUERYACK, 224 or -32 DISCONNECT). */
  readonly headerCode: number;
  /** Absent in DISCONNECT signals. */
  readonly messageId?: number;
  readonly topic?: string;
  readonly targetId?: string;
  /** Seconds. */
  readonly date?: number;
  /** CONNACK / PUBACK / QUERYACK status; DISCONNECT reason. */
  readonly status?: number;
  /** Milliseconds: CONNACK server time; PUBACK sent time (what both clients read). */
  readonly timestamp?: number;
  readonly messageUId?: string;
  readonly millisecond?: number;
  /** The payload object as a JSON string (never an object). */
  readonly data?: string;
  readonly userId?: string;
  readonly sessionid?: string;
}

/** Which client family a comet reply is for (only DISCONNECT differs: 224 vs -32). */
export type CometDialect = 'e4' | 'l2';

type WithData<F> = Omit<F, 'payload'> & { readonly data: string };

/** Frame model with JSON-string payloads (`data`) instead of protobuf bytes. */
export type CometFrame =
  | ConnackFrame
  | WithData<PublishFrame>
  | PubackFrame
  | WithData<QueryFrame>
  | WithData<QueryAckFrame>
  | QueryConFrame
  | PingReqFrame
  | PingRespFrame
  | DisconnectFrame;

const NUMBER_KEYS = ['messageId', 'status', 'date', 'timestamp', 'millisecond'] as const;
const STRING_KEYS = ['topic', 'targetId', 'messageUId', 'userId', 'sessionid', 'data'] as const;
const CANONICAL_ORDER = [
  'headerCode',
  'messageId',
  'status',
  'topic',
  'targetId',
  'date',
  'timestamp',
  'messageUId',
  'millisecond',
  'userId',
  'sessionid',
  'data',
] as const satisfies ReadonlyArray<keyof CometSignal>;

type MutableSignal = { -readonly [K in keyof CometSignal]: CometSignal[K] };

function jsonError(message: string): ProtocolError {
  return new ProtocolError('comet-json', message);
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function toSignal(value: unknown, index: number): CometSignal {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw jsonError(`signal ${index}: not an object`);
  }
  const object = value as Record<string, unknown>;
  const headerCode = own(object, 'headerCode');
  if (!(typeof headerCode === 'number' && Number.isInteger(headerCode) && headerCode >= -128 && headerCode <= 255)) {
    throw jsonError(`signal ${index}: headerCode missing or not an integer in -128..255`);
  }
  const signal: MutableSignal = { headerCode };
  for (const key of NUMBER_KEYS) {
    const v = own(object, key);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw jsonError(`signal ${index}: ${key} is not a number`);
    signal[key] = v;
  }
  for (const key of STRING_KEYS) {
    const v = own(object, key);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw jsonError(`signal ${index}: ${key} is not a string`);
    signal[key] = v;
  }
  return signal;
}

/** Parses a downstream/POST response body: one signal object or an array of them. */
export function parseCometBody(text: string): CometSignal[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw jsonError(`body is not JSON: ${text.slice(0, 40)}`);
  }
  return Array.isArray(parsed) ? parsed.map((v, i) => toSignal(v, i)) : [toSignal(parsed, 0)];
}

function canonical(signal: CometSignal): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of CANONICAL_ORDER) {
    const v = signal[key];
    if (v === undefined) continue;
    if (typeof v === 'number' && !Number.isFinite(v)) throw jsonError(`${key}: ${v} is not a finite number`);
    out[key] = v;
  }
  return out;
}

/** Compact JSON array in canonical key order (the body of every pull/POST response). */
export function encodeCometSignals(signals: readonly CometSignal[]): string {
  return JSON.stringify(signals.map(canonical));
}

export interface CometConnectReply {
  readonly status: number;
  readonly userId?: string;
  readonly sessionId?: string;
  /** Server time, ms. */
  readonly timestamp?: number;
}

/**
 * The connect response (§10.2): a single compact object in exactly the order
 * `{"status":…,"userId":…,"headerCode":32,"messageId":0,"sessionid":…,"timestamp":…}` (absent
 * optional keys omitted). L2 extracts the session id with a regex on `"sessionid":"`.
 */
export function encodeCometConnectReply(reply: CometConnectReply): string {
  const out: Record<string, unknown> = { status: reply.status };
  if (reply.userId !== undefined) out['userId'] = reply.userId;
  out['headerCode'] = 0x20;
  out['messageId'] = 0;
  if (reply.sessionId !== undefined) out['sessionid'] = reply.sessionId;
  if (reply.timestamp !== undefined) out['timestamp'] = reply.timestamp;
  return JSON.stringify(out);
}

/** DISCONNECT signal: E4 needs headerCode 224, L2 stops polling cleanly only on -32. */
export function cometDisconnect(reason: number, dialect: CometDialect): CometSignal {
  return { headerCode: dialect === 'l2' ? -32 : 0xe0, status: reason };
}

function need<T>(value: T | undefined, key: string, kind: string): T {
  if (value === undefined) throw jsonError(`${kind} signal without ${key}`);
  return value;
}

function messageIdOf(signal: CometSignal, kind: string): number {
  const id = need(signal.messageId, 'messageId', kind);
  if (!(Number.isSafeInteger(id) && id >= 0)) throw jsonError(`${kind} signal: messageId ${id} is not an id`);
  return id;
}

/** Signal → CometFrame. Unknown/unused header types throw ProtocolError('bad-header'). */
export function signalToFrame(signal: CometSignal): CometFrame {
  const header = signal.headerCode & 0xff;
  const flags: FrameFlags = flagsOf(header);
  const kind = kindOfType(typeNibble(header));
  switch (kind) {
    case 'connack': {
      const status = need(signal.status, 'status', kind);
      const { userId, sessionid, timestamp } = signal;
      return {
        kind,
        ...flags,
        status,
        ...(userId === undefined ? {} : { userId }),
        ...(sessionid === undefined ? {} : { sessionId: sessionid }),
        ...(timestamp === undefined ? {} : { timestamp }),
      };
    }
    case 'publish':
    case 'query': {
      const messageId = messageIdOf(signal, kind);
      const topic = need(signal.topic, 'topic', kind);
      const targetId = need(signal.targetId, 'targetId', kind);
      const data = signal.data ?? '';
      if (kind === 'query') return { kind, ...flags, topic, targetId, messageId, data };
      const { date } = signal;
      return { kind, ...flags, ...(date === undefined ? {} : { date }), topic, targetId, messageId, data };
    }
    case 'puback': {
      const messageId = messageIdOf(signal, kind);
      const { status, timestamp, messageUId } = signal;
      if (status === undefined) {
        // Client-style ack (messageId only); ack data without a status is not a usable PUBACK.
        if (signal.date !== undefined || timestamp !== undefined || signal.millisecond !== undefined || messageUId !== undefined) {
          throw jsonError('puback signal with ack data but no status');
        }
        return { kind, ...flags, messageId };
      }
      // Both clients read `timestamp`; date/millisecond are optional on the wire.
      const date = signal.date ?? (timestamp === undefined ? 0 : Math.floor(timestamp / 1000));
      const millisecond = signal.millisecond ?? (timestamp === undefined ? 0 : timestamp - Math.floor(timestamp / 1000) * 1000);
      return { kind, ...flags, messageId, date, status, millisecond, ...(messageUId === undefined ? {} : { messageUId }) };
    }
    case 'queryack':
      return {
        kind,
        ...flags,
        messageId: messageIdOf(signal, kind),
        date: signal.date ?? 0,
        status: need(signal.status, 'status', kind),
        data: signal.data ?? '',
      };
    case 'querycon':
      return { kind, ...flags, messageId: messageIdOf(signal, kind) };
    case 'pingreq':
    case 'pingresp':
      return { kind, ...flags };
    case 'disconnect':
      return { kind, ...flags, reason: need(signal.status, 'status', kind) };
    case 'connect':
    case undefined:
      throw new ProtocolError('bad-header', `no comet signal for header code ${signal.headerCode}`);
  }
}

/** CometFrame → signal. `dialect` picks the DISCONNECT header code (default E4's 224). */
export function frameToSignal(frame: CometFrame, dialect: CometDialect = 'e4'): CometSignal {
  const headerCode = headerOf(frame);
  switch (frame.kind) {
    case 'connack': {
      const { status, userId, sessionId, timestamp } = frame;
      return {
        headerCode,
        messageId: 0,
        status,
        ...(userId === undefined ? {} : { userId }),
        ...(sessionId === undefined ? {} : { sessionid: sessionId }),
        ...(timestamp === undefined ? {} : { timestamp }),
      };
    }
    case 'publish':
    case 'query': {
      const { messageId, topic, targetId, data } = frame;
      const date = frame.kind === 'publish' ? frame.date : undefined;
      return { headerCode, messageId, topic, targetId, ...(date === undefined ? {} : { date }), data };
    }
    case 'puback': {
      const { messageId, date, status, millisecond, messageUId } = frame;
      if (status === undefined) {
        if (date !== undefined || millisecond !== undefined || messageUId !== undefined) {
          throw new ProtocolError('invalid-frame', 'puback: ack data without status');
        }
        return { headerCode, messageId };
      }
      const d = date ?? 0;
      const ms = millisecond ?? 0;
      return {
        headerCode,
        messageId,
        status,
        date: d,
        timestamp: d * 1000 + ms,
        ...(messageUId === undefined ? {} : { messageUId }),
        millisecond: ms,
      };
    }
    case 'queryack': {
      const { messageId, status, date, data } = frame;
      return { headerCode, messageId, status, date, ...(data === '' ? {} : { data }) };
    }
    case 'querycon':
      return { headerCode, messageId: frame.messageId };
    case 'pingreq':
    case 'pingresp':
      return { headerCode };
    case 'disconnect':
      // L2 wants the signed-byte form (-32 for 0xE0); E4 only recognises the positive one.
      return { headerCode: dialect === 'l2' && headerCode > 127 ? headerCode - 256 : headerCode, status: frame.reason };
  }
}
