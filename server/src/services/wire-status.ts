/**
 * Status codes this server puts in PUBACK/QUERYACK (PROTOCOL.md §11.2, API_CHECKLIST §8). Clients pass
 * them to the app verbatim, so each one is the documented code whose meaning matches the condition.
 */
export const WireStatus = {
  Ok: 0,
  /** Malformed payload, missing/invalid target or field ("invalid API parameters"). */
  InvalidParameter: 33003,
  /** Content JSON over 128 KiB. */
  ContentTooLarge: 30016,
  RejectedByBlacklist: 405,
  /** The sender is banned from private chat (`user/chat/fb/set` type PERSON; chat-bans.ts says where 20106 comes from). */
  ForbiddenInPrivate: 20106,
  NotInDiscussion: 21406,
  NotInGroup: 22406,
  /** Sender gagged in the group, or the group banned and the sender not on its whitelist. */
  ForbiddenInGroup: 22408,
  NotInChatroom: 23406,
  /** Recall refused (not the sender, unknown message, window passed). */
  RecallRefused: 25101,
  SendTooFast: 20604,
  /** Delete/clear parameters out of range (more than 100 uids …). */
  ParameterLimit: 33003,
} as const;
export type WireStatus = (typeof WireStatus)[keyof typeof WireStatus];

/** Largest accepted content (PROTOCOL.md §9.1: E4 refuses > 131072 bytes locally; the server enforces it too). */
export const MAX_CONTENT_BYTES = 128 * 1024;

/** User, group and room ids: 1–64 bytes, printable, no separators the frame or JSON layers care about. */
export function isValidId(id: string | null | undefined): id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** objectName: non-empty, ≤ 32 characters (SERVER_API.md §2.2). */
export function isValidObjectName(name: string | null | undefined): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 32;
}
