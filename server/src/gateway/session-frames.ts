/**
 * The server→client frames a Session writes, built in one place: the PUBACK of a client send and of a
 * multi-device echo carry the same fields (PROTOCOL.md §5.5), and every push is a PUBLISH dated in seconds.
 * Beside them, the Session's rule of which sends are echoed.
 */
import type { PubackFrame, PublishFrame } from '../../../src/internal';

export const NO_FLAGS = { dup: false, qos: 0, retain: false } as const;

/**
 * A server PUBACK: `sentTime` in ms is split into the seconds `date` and its `millisecond` rest. NO_FLAGS written
 * out (one per message: a spread after `kind` is a runtime copy).
 */
export function pubackFrame(messageId: number, status: number, sentTime: number, messageUId: string): PubackFrame {
  return {
    kind: 'puback',
    dup: false,
    qos: 0,
    retain: false,
    messageId,
    date: Math.floor(sentTime / 1000),
    status,
    millisecond: sentTime % 1000,
    messageUId,
  };
}

/** A server PUBLISH; `dup` marks a multi-device echo (date 0, PROTOCOL.md §5.5). */
export function publishFrame(topic: string, targetId: string, messageId: number, payload: Uint8Array, qos: 0 | 1, nowMs: number, dup = false): PublishFrame {
  return { kind: 'publish', dup, qos, retain: false, date: dup ? 0 : Math.floor(nowMs / 1000), topic, targetId, messageId, payload };
}

/** Topics never echoed to other devices (PROTOCOL.md §5.5): status messages crash E4, recall misfiles. */
export function isEchoable(topic: string): boolean {
  return !topic.endsWith('MsgS') && topic !== 'recallMsg';
}
