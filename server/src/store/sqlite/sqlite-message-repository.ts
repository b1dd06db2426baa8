import { newMessageUid } from '../message-uid';
import { ownerConversation } from '../owner-conversation';
import { Direction } from '../store';
import type {
  AppKey,
  ConversationKey,
  HistoryPage,
  HistoryQuery,
  MessageRepository,
  NewMessage,
  RecallResult,
  StoredMessage,
  SyncPage,
  UserId,
} from '../store';
import type { SqliteDatabase } from './sqlite-database';
import { blob, ENTRY_SELECT, MESSAGE_COLUMNS, toStoredMessage, toSyncEntry } from '../rows';
import type { EntryRow, MessageRow } from '../rows';
import { readSyncPage } from './sqlite-sync';

/** Attempts at drawing a fresh uid when the unique index reports a collision (never expected, see message-uid.ts). */
const UID_ATTEMPTS = 8;
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

const CLOCK_SQL = 'SELECT last_sent_time AS t FROM app_clocks WHERE app_key = ?';
const SET_CLOCK_SQL = `INSERT INTO app_clocks (app_key, last_sent_time) VALUES (?, ?)
  ON CONFLICT (app_key) DO UPDATE SET last_sent_time = excluded.last_sent_time`;
const INSERT_MESSAGE_SQL = `INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id,
  object_name, content, flags, config_flag, push_content, push_data, push_ext, extra_content)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_key, uid) DO NOTHING`;
const INSERT_ENTRY_SQL = `INSERT INTO entries (message_id, owner, app_key, direction, conv_type, conv_target, sent_time, mentioned)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const TOUCH_CONVERSATION_SQL = `INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed)
  VALUES (?, ?, ?, ?, ?, 1)
  ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET updated_time = excluded.updated_time, listed = 1`;
const MESSAGE_BY_UID_SQL = `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.app_key = ? AND m.uid = ?`;
const RECALL_SQL = 'UPDATE messages SET recalled = 1 WHERE id = ?';
const CLEARED_SQL = 'SELECT cleared_up_to AS t FROM conversations WHERE app_key = ? AND owner = ? AND type = ? AND target_id = ?';
const CLEAR_SQL = `INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed, cleared_up_to)
  VALUES (?, ?, ?, ?, 0, 0, ?)
  ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET cleared_up_to = MAX(cleared_up_to, excluded.cleared_up_to)`;
const DELETE_FOR_OWNER_SQL = `UPDATE entries SET deleted = 1
  WHERE message_id = (SELECT id FROM messages WHERE app_key = ? AND uid = ?)
    AND owner = ? AND conv_type = ? AND conv_target = ?`;
const PRUNE_SQL = 'DELETE FROM messages WHERE sent_time < ?';

// Visible = not deleted by the owner, not recalled, above the owner's clear watermark. One range scan on
// entries_history; rows hidden by delete/recall are skipped inside it.
const VISIBLE = `${ENTRY_SELECT}
  WHERE e.app_key = ? AND e.owner = ? AND e.conv_type = ? AND e.conv_target = ?
    AND e.sent_time > ? AND e.sent_time < ? AND e.deleted = 0 AND m.recalled = 0`;
const OLDER_SQL = `${VISIBLE} ORDER BY e.sent_time DESC LIMIT ?`;
const NEWER_SQL = `${VISIBLE} ORDER BY e.sent_time ASC LIMIT ?`;

export interface SqliteMessageRepositoryOptions {
  /** Randomness for uids, [0, 1) like Math.random. */
  readonly random: () => number;
}

export class SqliteMessageRepository implements MessageRepository {
  constructor(
    private readonly database: SqliteDatabase,
    private readonly options: SqliteMessageRepositoryOptions,
  ) {}

  async append(message: NewMessage): Promise<StoredMessage> {
    if ((message.flags & 1) === 0) throw new Error('append: only persisted messages (flags & 1) are stored');
    return this.database.write(() => this.appendNow(message));
  }

  private appendNow(message: NewMessage): StoredMessage {
    const db = this.database;
    const last = db.get<{ t: number }>(CLOCK_SQL, message.appKey)?.t ?? 0;
    const sentTime = Math.max(Math.floor(message.now), last + 1);
    db.run(SET_CLOCK_SQL, message.appKey, sentTime);

    const { id, uid } = this.insertMessage(message, sentTime);

    // A recipient always gets its inbox entry; the sender's sendbox entry is dropped when the sender is also
    // a recipient (message to oneself, group message directed to oneself): one row per (message, owner).
    const mentioned = new Set(message.mentionedUserIds ?? []);
    const owners = new Map<UserId, Direction>();
    for (const recipient of message.recipients) owners.set(recipient, Direction.Receive);
    if (message.senderSendbox && !owners.has(message.fromUserId)) owners.set(message.fromUserId, Direction.Send);

    for (const [owner, direction] of owners) {
      const conversation = ownerConversation(message, owner);
      const isMentioned = direction === Direction.Receive && mentioned.has(owner) ? 1 : 0;
      db.run(INSERT_ENTRY_SQL, id, owner, message.appKey, direction, conversation.type, conversation.targetId, sentTime, isMentioned);
      db.run(TOUCH_CONVERSATION_SQL, message.appKey, owner, conversation.type, conversation.targetId, sentTime);
    }

    return {
      appKey: message.appKey,
      uid,
      sentTime,
      fromUserId: message.fromUserId,
      conversationType: message.conversationType,
      targetId: message.targetId,
      objectName: message.objectName,
      content: new Uint8Array(message.content),
      flags: message.flags,
      ...(message.configFlag !== undefined && { configFlag: message.configFlag }),
      ...(message.pushContent !== undefined && { pushContent: message.pushContent }),
      ...(message.pushData !== undefined && { pushData: message.pushData }),
      ...(message.pushExt !== undefined && { pushExt: new Uint8Array(message.pushExt) }),
      ...(message.extraContent !== undefined && { extraContent: message.extraContent }),
      recalled: false,
    };
  }

  private insertMessage(message: NewMessage, sentTime: number): { id: number; uid: string } {
    for (let attempt = 0; attempt < UID_ATTEMPTS; attempt++) {
      const uid = newMessageUid(sentTime, this.options.random);
      const result = this.database
        .statement(INSERT_MESSAGE_SQL)
        .run(
          message.appKey,
          uid,
          sentTime,
          message.fromUserId,
          message.conversationType,
          message.targetId,
          message.objectName,
          blob(message.content),
          message.flags,
          message.configFlag ?? null,
          message.pushContent ?? null,
          message.pushData ?? null,
          message.pushExt === undefined ? null : blob(message.pushExt),
          message.extraContent ?? null,
        );
      if (result.changes === 1) return { id: Number(result.lastInsertRowid), uid };
    }
    throw new Error(`append: no free messageUId after ${UID_ATTEMPTS} attempts`);
  }

  async sync(
    appKey: AppKey,
    owner: UserId,
    inboxAfter: number,
    sendboxAfter: number | null,
    limit: number,
    notBefore: number,
  ): Promise<SyncPage> {
    return readSyncPage(this.database, appKey, owner, inboxAfter, sendboxAfter, limit, notBefore);
  }

  async get(appKey: AppKey, uid: string): Promise<StoredMessage | undefined> {
    const row = this.database.get<MessageRow>(MESSAGE_BY_UID_SQL, appKey, uid);
    return row === undefined ? undefined : toStoredMessage(row);
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    const { appKey, owner, conversation } = query;
    const count = Math.max(0, Math.floor(query.count));
    return this.database.read(() => {
      const cleared = this.clearedUpTo(appKey, owner, conversation);
      const rows =
        query.order === 0
          ? this.database.all<EntryRow>(OLDER_SQL, appKey, owner, conversation.type, conversation.targetId, cleared,
              query.time === 0 ? NO_UPPER_BOUND : query.time, count + 1)
          : this.database.all<EntryRow>(NEWER_SQL, appKey, owner, conversation.type, conversation.targetId,
              Math.max(cleared, query.time), NO_UPPER_BOUND, count + 1);
      const page = rows.slice(0, count).map(toSyncEntry);
      if (query.order === 1) page.reverse();
      return { messages: page, hasMore: rows.length > count };
    });
  }

  private clearedUpTo(appKey: AppKey, owner: UserId, conversation: ConversationKey): number {
    return this.database.get<{ t: number }>(CLEARED_SQL, appKey, owner, conversation.type, conversation.targetId)?.t ?? 0;
  }

  async recall(appKey: AppKey, uid: string, by: UserId): Promise<RecallResult> {
    return this.database.write((): RecallResult => {
      const row = this.database.get<MessageRow>(MESSAGE_BY_UID_SQL, appKey, uid);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      if (row.from_user_id !== by) return { ok: false, reason: 'not-sender' };
      if (row.recalled !== 0) return { ok: false, reason: 'already-recalled' };
      this.database.run(RECALL_SQL, row.id);
      return { ok: true, message: toStoredMessage({ ...row, recalled: 1 }) };
    });
  }

  async deleteForOwner(appKey: AppKey, owner: UserId, conversation: ConversationKey, uids: readonly string[]): Promise<void> {
    this.database.write(() => {
      for (const uid of new Set(uids)) {
        this.database.run(DELETE_FOR_OWNER_SQL, appKey, uid, owner, conversation.type, conversation.targetId);
      }
    });
  }

  async clearHistory(appKey: AppKey, owner: UserId, conversation: ConversationKey, upTo: number): Promise<void> {
    this.database.write(() => {
      this.database.run(CLEAR_SQL, appKey, owner, conversation.type, conversation.targetId, upTo);
    });
  }

  async prune(before: number): Promise<number> {
    return this.database.write(() => this.database.run(PRUNE_SQL, before));
  }
}
