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
// Row shapes and mappers are engine-independent (same column names and 0/1 flags in both schemas).
import { blob, ENTRY_SELECT, MESSAGE_COLUMNS, toStoredMessage, toSyncEntry } from '../rows';
import type { EntryRow, MessageRow } from '../rows';
import type { PgDatabase, PgQueryable } from './pg-database';
import { randomUidChars, uidSql } from './pg-uid';
import { readPgSyncPage } from './pg-sync';

const UID_ATTEMPTS = 8;
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

// The clock row is the per-app serialization point across all nodes: the upsert takes its row lock
// and holds it until COMMIT, so appends of one app commit in sentTime order and a reader never sees
// sentTime n+1 committed while n is still in flight (sync cursors never skip a message).
//
// The whole append is ONE statement run in autocommit (APPEND_SQL): the tick, the message row, its
// entries and the conversation upserts are data-modifying CTEs, so the clock lock is held only while
// PostgreSQL executes and commits that statement, never across client round trips. (With one
// statement per step inside BEGIN…COMMIT the lock spanned four round trips through a busy Node
// event loop, and every append of the app, on every node, queued behind it: P7 measured
// `Lock:transactionid` as the dominant wait and ≈ 100–230 appends/s per app.) The uid's time part is
// computed in SQL from the ticked sentTime (message-uid.ts layout); its 7 random characters come from
// here. A uid collision inserts nothing and the statement is retried with a fresh tick and randomness.
const APPEND_SQL = `WITH t AS (
    INSERT INTO app_clocks (app_key, last_sent_time) VALUES ($1, $2)
    ON CONFLICT (app_key) DO UPDATE SET last_sent_time = GREATEST(app_clocks.last_sent_time + 1, EXCLUDED.last_sent_time)
    RETURNING last_sent_time AS st),
  v AS (SELECT t.st, ${uidSql('t.st', '$3')} AS uid FROM t),
  m AS (
    INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id,
      object_name, content, flags, config_flag, push_content, push_data, push_ext, extra_content)
    SELECT $1, v.uid, v.st, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM v
    ON CONFLICT (app_key, uid) DO NOTHING RETURNING id, uid, sent_time),
  e AS (
    INSERT INTO entries (message_id, owner, app_key, direction, conv_type, conv_target, sent_time, mentioned)
    SELECT m.id, x.owner, $1, x.direction, x.conv_type, x.conv_target, m.sent_time, x.mentioned
    FROM m, unnest($15::text[], $16::bigint[], $17::bigint[], $18::text[], $19::bigint[]) AS x(owner, direction, conv_type, conv_target, mentioned)),
  c AS (
    INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed)
    SELECT $1, x.owner, x.conv_type, x.conv_target, m.sent_time, 1
    FROM m, unnest($15::text[], $17::bigint[], $18::text[]) AS x(owner, conv_type, conv_target)
    ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET updated_time = EXCLUDED.updated_time, listed = 1)
SELECT v.st AS t, m.id AS id, m.uid AS uid FROM v LEFT JOIN m ON true`;
const MESSAGE_BY_UID_SQL = `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.app_key = ? AND m.uid = ?`;
const LOCK_BY_UID_SQL = `${MESSAGE_BY_UID_SQL} FOR UPDATE`;
const RECALL_SQL = 'UPDATE messages SET recalled = 1 WHERE id = ?';
const CLEARED_SQL = 'SELECT cleared_up_to AS t FROM conversations WHERE app_key = ? AND owner = ? AND type = ? AND target_id = ?';
const CLEAR_SQL = `INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed, cleared_up_to)
  VALUES (?, ?, ?, ?, 0, 0, ?)
  ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET cleared_up_to = GREATEST(conversations.cleared_up_to, EXCLUDED.cleared_up_to)`;
const DELETE_FOR_OWNER_SQL = `UPDATE entries SET deleted = 1
  WHERE message_id IN (SELECT id FROM messages WHERE app_key = ? AND uid = ANY(?::text[]))
    AND owner = ? AND conv_type = ? AND conv_target = ?`;
const PRUNE_SQL = 'DELETE FROM messages WHERE sent_time < ?';

const VISIBLE = `${ENTRY_SELECT}
  WHERE e.app_key = ? AND e.owner = ? AND e.conv_type = ? AND e.conv_target = ?
    AND e.sent_time > ? AND e.sent_time < ? AND e.deleted = 0 AND m.recalled = 0`;
const OLDER_SQL = `${VISIBLE} ORDER BY e.sent_time DESC LIMIT ?`;
const NEWER_SQL = `${VISIBLE} ORDER BY e.sent_time ASC LIMIT ?`;

export class PgMessageRepository implements MessageRepository {
  constructor(
    private readonly database: PgDatabase,
    private readonly options: { readonly random: () => number },
  ) {}

  async append(message: NewMessage): Promise<StoredMessage> {
    if ((message.flags & 1) === 0) throw new Error('append: only persisted messages (flags & 1) are stored');
    const mentioned = new Set(message.mentionedUserIds ?? []);
    const owners = new Map<UserId, Direction>();
    for (const recipient of message.recipients) owners.set(recipient, Direction.Receive);
    if (message.senderSendbox && !owners.has(message.fromUserId)) owners.set(message.fromUserId, Direction.Send);

    const ownerIds: string[] = [];
    const directions: number[] = [];
    const types: number[] = [];
    const targets: string[] = [];
    const mentions: number[] = [];
    for (const [owner, direction] of owners) {
      const conversation = ownerConversation(message, owner);
      ownerIds.push(owner);
      directions.push(direction);
      types.push(conversation.type);
      targets.push(conversation.targetId);
      mentions.push(direction === Direction.Receive && mentioned.has(owner) ? 1 : 0);
    }
    let stored: { t: number; id: number | null; uid: string | null } | undefined;
    for (let attempt = 0; attempt < UID_ATTEMPTS && (stored?.id ?? null) === null; attempt++) {
      stored = await this.database.get<{ t: number; id: number | null; uid: string | null }>(
        APPEND_SQL,
        message.appKey,
        Math.floor(message.now),
        randomUidChars(this.options.random),
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
        ownerIds,
        directions,
        types,
        targets,
        mentions,
      );
    }
    if (stored === undefined || stored.uid === null) throw new Error(`append: no free messageUId after ${UID_ATTEMPTS} attempts`);
    const { t: sentTime, uid } = stored;

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

  async sync(appKey: AppKey, owner: UserId, inboxAfter: number, sendboxAfter: number | null, limit: number, notBefore: number): Promise<SyncPage> {
    return readPgSyncPage(this.database, appKey, owner, inboxAfter, sendboxAfter, limit, notBefore);
  }

  async get(appKey: AppKey, uid: string): Promise<StoredMessage | undefined> {
    const row = await this.database.get<MessageRow>(MESSAGE_BY_UID_SQL, appKey, uid);
    return row === undefined ? undefined : toStoredMessage(row);
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    const { appKey, owner, conversation } = query;
    const count = Math.max(0, Math.floor(query.count));
    return this.database.read(async (q) => {
      const cleared = await clearedUpTo(q, appKey, owner, conversation);
      const rows =
        query.order === 0
          ? await q.all<EntryRow>(OLDER_SQL, appKey, owner, conversation.type, conversation.targetId, cleared,
              query.time === 0 ? NO_UPPER_BOUND : query.time, count + 1)
          : await q.all<EntryRow>(NEWER_SQL, appKey, owner, conversation.type, conversation.targetId,
              Math.max(cleared, query.time), NO_UPPER_BOUND, count + 1);
      const page = rows.slice(0, count).map(toSyncEntry);
      if (query.order === 1) page.reverse();
      return { messages: page, hasMore: rows.length > count };
    });
  }

  async recall(appKey: AppKey, uid: string, by: UserId): Promise<RecallResult> {
    return this.database.tx(async (q): Promise<RecallResult> => {
      const row = await q.get<MessageRow>(LOCK_BY_UID_SQL, appKey, uid);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      if (row.from_user_id !== by) return { ok: false, reason: 'not-sender' };
      if (row.recalled !== 0) return { ok: false, reason: 'already-recalled' };
      await q.run(RECALL_SQL, row.id);
      return { ok: true, message: toStoredMessage({ ...row, recalled: 1 }) };
    });
  }

  async deleteForOwner(appKey: AppKey, owner: UserId, conversation: ConversationKey, uids: readonly string[]): Promise<void> {
    if (uids.length === 0) return;
    await this.database.run(DELETE_FOR_OWNER_SQL, appKey, [...new Set(uids)], owner, conversation.type, conversation.targetId);
  }

  async clearHistory(appKey: AppKey, owner: UserId, conversation: ConversationKey, upTo: number): Promise<void> {
    await this.database.run(CLEAR_SQL, appKey, owner, conversation.type, conversation.targetId, upTo);
  }

  async prune(before: number): Promise<number> {
    return this.database.run(PRUNE_SQL, before);
  }
}

async function clearedUpTo(q: PgQueryable, appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<number> {
  return (await q.get<{ t: number }>(CLEARED_SQL, appKey, owner, conversation.type, conversation.targetId))?.t ?? 0;
}
