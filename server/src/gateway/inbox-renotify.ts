/**
 * Re-notification of inbox data a session was told about and never pulled (issue #13: never lost).
 *
 * `s_ntf` is a hint; a client that drops it only catches up with the next unrelated traffic. Engine 4.4.2
 * does drop it in one reproducible case: right after a reconnect it may send `pullMsg` on the socket it has
 * just closed, wait its own 30 s request timeout for that answer, and ignore every `s_ntf` meanwhile
 * (test/interop/official-client-delivery-race.test.ts). So each session remembers the newest inbox time it
 * was notified of (`notifiedTo`) and the newest `syncTime` its pull answers reached (`pulledTo`); when the
 * first notification above `pulledTo` is older than the re-notify delay, the gateway sweep sends `s_ntf`
 * again with `notifiedTo` (Session.renotifyIfDue). A finished pull answer carries the owner's high-water mark,
 * which is ≥ every notification time already sent (PROTOCOL.md §8.3), so a client that pulls normally is
 * never re-notified. No per-message or per-session timers: a few number fields per session and the
 * existing gateway sweep (session-manager.ts), so a message costs field updates only.
 */

/** Longer than engine 4.4.2's 30 s request timeout, so the stuck pull has given up when the re-notify comes. */
export const DEFAULT_RENOTIFY_MS = 35_000;

/** Re-notifications between two pull answers at most; a client that ignores them all is left to its own timer pull. */
export const MAX_RENOTIFY = 3;

/**
 * `NotifyMsg.time` of an inbox `s_ntf` payload; undefined for a chatroom one (`type` 2, answered by
 * `chrmPull`, which room-flow.ts re-notifies itself) or bytes that are not a NotifyMsg. A hand-rolled
 * read of fields 1 (type, varint) and 2 (time, varint) (PROTOCOL.md, NotifyMsg): it runs for every
 * `s_ntf` written, and a protobuf decode would allocate an object there.
 */
export function inboxNotifyTime(payload: Uint8Array): number | undefined {
  let type = 0;
  let time: number | undefined;
  let i = 0;
  while (i < payload.length) {
    const key = payload[i++] as number;
    if (key > 0x7f) return undefined; // field numbers ≥ 16: not a NotifyMsg
    const wireType = key & 7;
    if (wireType === 0) {
      let value = 0;
      let scale = 1;
      let byte: number;
      do {
        if (i >= payload.length || scale > 2 ** 63) return undefined;
        byte = payload[i++] as number;
        value += (byte & 0x7f) * scale;
        scale *= 128;
      } while (byte & 0x80);
      if (key >> 3 === 1) type = value;
      else if (key >> 3 === 2) time = value;
    } else if (wireType === 2) {
      const length = payload[i++];
      if (length === undefined || length > 0x7f) return undefined; // chrmId: short, one-byte length
      i += length;
    } else {
      return undefined;
    }
  }
  return type === 2 ? undefined : time;
}
