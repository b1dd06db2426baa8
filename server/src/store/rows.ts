/** Row shapes and mappers shared by the SQL engines: SQLite and PostgreSQL read the same columns back. */
import type { Direction, NewMessage, StoredMessage, SyncEntry } from './store';

/** Columns of `messages` as read back (BLOB/BYTEA come out as bytes). */
export interface MessageRow {
  readonly id: number;
  readonly app_key: string;
  readonly uid: string;
  readonly sent_time: number;
  readonly from_user_id: string;
  readonly conversation_type: number;
  readonly target_id: string;
  readonly object_name: string;
  readonly content: Uint8Array;
  readonly flags: number;
  readonly config_flag: number | null;
  readonly push_content: string | null;
  readonly push_data: string | null;
  readonly push_ext: Uint8Array | null;
  readonly extra_content: string | null;
  readonly recalled: number;
}

export interface EntryRow extends MessageRow {
  readonly direction: number;
  readonly mentioned: number;
}

export const MESSAGE_COLUMNS =
  'm.id, m.app_key, m.uid, m.sent_time, m.from_user_id, m.conversation_type, m.target_id, m.object_name, m.content, ' +
  'm.flags, m.config_flag, m.push_content, m.push_data, m.push_ext, m.extra_content, m.recalled';

export const ENTRY_COLUMNS = `${MESSAGE_COLUMNS}, e.direction, e.mentioned`;

/** Entries joined with their message; callers append WHERE/ORDER/LIMIT. */
export const ENTRY_SELECT = `SELECT ${ENTRY_COLUMNS} FROM entries e JOIN messages m ON m.id = e.message_id`;

/** A plain Uint8Array copy: callers must not see (or keep alive) driver-owned Buffers. */
function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

/** Binds bytes as a BLOB (the driver binds Buffers, not bare Uint8Arrays); no copy. */
export function blob(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    appKey: row.app_key,
    uid: row.uid,
    sentTime: row.sent_time,
    fromUserId: row.from_user_id,
    conversationType: row.conversation_type,
    targetId: row.target_id,
    objectName: row.object_name,
    content: bytes(row.content),
    flags: row.flags,
    ...(row.config_flag !== null && { configFlag: row.config_flag }),
    ...(row.push_content !== null && { pushContent: row.push_content }),
    ...(row.push_data !== null && { pushData: row.push_data }),
    ...(row.push_ext !== null && { pushExt: bytes(row.push_ext) }),
    ...(row.extra_content !== null && { extraContent: row.extra_content }),
    recalled: row.recalled !== 0,
  };
}

export function toSyncEntry(row: EntryRow): SyncEntry {
  return { message: toStoredMessage(row), direction: row.direction as Direction, mentioned: row.mentioned !== 0 };
}

/**
 * The bytes a stored message keeps of a new message's: the same view when it is a plain Uint8Array spanning most
 * of its buffer (a received frame's content is a view of that frame's own small array, which nothing else keeps
 * or writes), else a copy — a stored message never holds a Buffer, nor keeps a larger buffer (a socket read,
 * Node's Buffer pool) alive. Saves one copy per message on the send path (bench/analysis/p1-private.md round 27).
 */
export function keptBytes(value: Uint8Array): Uint8Array {
  return value.constructor === Uint8Array && value.buffer.byteLength <= 2 * value.byteLength + 256 ? value : new Uint8Array(value);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What a new message is once stored with `uid` at `sentTime` (both engines answer appends with it). Field by field
 * (optional ones only when present), not with spreads: this runs once per message.
 */
export function storedMessageOf(message: NewMessage, uid: string, sentTime: number): StoredMessage {
  // `recalled` last, as before: the same key order whatever the optional fields.
  const stored = {
    appKey: message.appKey,
    uid,
    sentTime,
    fromUserId: message.fromUserId,
    conversationType: message.conversationType,
    targetId: message.targetId,
    objectName: message.objectName,
    content: keptBytes(message.content),
    flags: message.flags,
  } as Mutable<StoredMessage>;
  if (message.configFlag !== undefined) stored.configFlag = message.configFlag;
  if (message.pushContent !== undefined) stored.pushContent = message.pushContent;
  if (message.pushData !== undefined) stored.pushData = message.pushData;
  if (message.pushExt !== undefined) stored.pushExt = new Uint8Array(message.pushExt);
  if (message.extraContent !== undefined) stored.extraContent = message.extraContent;
  stored.recalled = false;
  return stored;
}
