import type { AppendOutcome } from '../message-append-batcher';
import { newMessageUid } from '../message-uid';
import { ownerConversation } from '../owner-conversation';
import { blob } from '../rows';
import { Direction } from '../store';
import type { AppKey, NewMessage, StoredMessage, UserId } from '../store';
import type { SqliteDatabase } from './sqlite-database';

/** Attempts at drawing a fresh uid when the unique index reports a collision (never expected, see message-uid.ts). */
const UID_ATTEMPTS = 8;

const CLOCK_SQL = 'SELECT last_sent_time AS t FROM app_clocks WHERE app_key = ?';
const SET_CLOCK_SQL = `INSERT INTO app_clocks (app_key, last_sent_time) VALUES (?, ?)
  ON CONFLICT (app_key) DO UPDATE SET last_sent_time = excluded.last_sent_time`;
const INSERT_MESSAGE_SQL = `INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id,
  object_name, content, flags, config_flag, push_content, push_data, push_ext, extra_content)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_key, uid) DO NOTHING`;
const ENTRY_COLUMNS = 'INSERT INTO entries (message_id, owner, app_key, direction, conv_type, conv_target, sent_time, mentioned) VALUES';
const INSERT_ENTRY_SQL = `${ENTRY_COLUMNS} (?, ?, ?, ?, ?, ?, ?, ?)`;
/** The common case (a private message: the recipient's inbox and the sender's sendbox) in one statement. */
const INSERT_TWO_ENTRIES_SQL = `${ENTRY_COLUMNS} (?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?)`;
const TOUCH_CONVERSATION_SQL = `INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed)
  VALUES (?, ?, ?, ?, ?, 1)
  ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET updated_time = excluded.updated_time, listed = 1`;

type EntryParams = [owner: UserId, direction: Direction, convType: number, convTarget: string, mentioned: 0 | 1];

/** What a batch changes besides the message and entry rows, applied once at its end. */
interface BatchState {
  /** Greatest sentTime assigned per app in this batch. */
  readonly clocks: Map<AppKey, number>;
  /** Conversation touches keyed by (app, owner, type, target): only the newest sentTime matters. */
  readonly touches: Map<string, readonly [AppKey, UserId, number, string, number]>;
}

/**
 * Writes one group-commit batch of appends in the current write transaction, in batch order.
 *
 * Per message only the rows that are its own are written (message + one entry per owner); the app clock
 * and the conversation rows are per-batch state written once at the end (a conversation touched by ten
 * messages of the batch is upserted once, with the newest sentTime). The result is the same database as
 * with one transaction per message, minus the intermediate states nobody could observe.
 *
 * Failure isolation: the batch is first written optimistically with no savepoints (the fast path). If any
 * message throws, the caller rolls the transaction back and calls again with `isolate`: every message
 * then runs in its own SAVEPOINT and only the failing ones get an error outcome; a failing message's
 * clock step and conversation touches are dropped with it (state is recorded only after its rows are in).
 */
export class SqliteAppendWriter {
  private readonly inSavepoint: (message: NewMessage, state: BatchState) => StoredMessage;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly random: () => number,
  ) {
    // better-sqlite3 runs a transaction function called inside a transaction as a SAVEPOINT.
    this.inSavepoint = database.db.transaction((message: NewMessage, state: BatchState) => this.writeOne(message, state));
  }

  /** Call inside a write transaction. Without `isolate`, the first failing message throws. */
  writeBatch(batch: readonly NewMessage[], isolate: boolean): AppendOutcome<StoredMessage>[] {
    const state: BatchState = { clocks: new Map(), touches: new Map() };
    const outcomes: AppendOutcome<StoredMessage>[] = new Array<AppendOutcome<StoredMessage>>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i] as NewMessage;
      if (!isolate) {
        outcomes[i] = { ok: true, value: this.writeOne(message, state) };
        continue;
      }
      try {
        outcomes[i] = { ok: true, value: this.inSavepoint(message, state) };
      } catch (error) {
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction: nothing of the batch is
        // committed then, so the batch fails as a whole rather than continuing in autocommit mode.
        if (!this.database.db.inTransaction) throw error;
        outcomes[i] = { ok: false, error };
      }
    }
    const db = this.database;
    for (const [appKey, last] of state.clocks) db.run(SET_CLOCK_SQL, appKey, last);
    const touch = db.statement(TOUCH_CONVERSATION_SQL);
    for (const row of state.touches.values()) touch.run(...row);
    return outcomes;
  }

  private writeOne(message: NewMessage, state: BatchState): StoredMessage {
    const db = this.database;
    const appKey = message.appKey;
    const last = state.clocks.get(appKey) ?? db.get<{ t: number }>(CLOCK_SQL, appKey)?.t ?? 0;
    const sentTime = Math.max(Math.floor(message.now), last + 1);
    const { id, uid } = this.insertMessage(message, sentTime);

    // A recipient always gets its inbox entry; the sender's sendbox entry is dropped when the sender is also
    // a recipient (message to oneself, group message directed to oneself): one row per (message, owner).
    const mentioned = message.mentionedUserIds !== undefined && message.mentionedUserIds.length > 0 ? new Set(message.mentionedUserIds) : undefined;
    const entries: EntryParams[] = [];
    const owners = new Set<UserId>();
    for (const recipient of message.recipients) {
      if (owners.has(recipient)) continue;
      owners.add(recipient);
      const conversation = ownerConversation(message, recipient);
      entries.push([recipient, Direction.Receive, conversation.type, conversation.targetId, mentioned?.has(recipient) === true ? 1 : 0]);
    }
    if (message.senderSendbox && !owners.has(message.fromUserId)) {
      const conversation = ownerConversation(message, message.fromUserId);
      entries.push([message.fromUserId, Direction.Send, conversation.type, conversation.targetId, 0]);
    }
    this.insertEntries(id, appKey, sentTime, entries);

    // Recorded only now that every row of this message is in (see the class comment on isolation).
    state.clocks.set(appKey, sentTime);
    for (const [owner, , type, target] of entries) {
      state.touches.set(`${appKey}\u0000${owner}\u0000${type}\u0000${target}`, [appKey, owner, type, target, sentTime]);
    }

    return {
      appKey,
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

  private insertEntries(id: number, appKey: AppKey, sentTime: number, entries: readonly EntryParams[]): void {
    const db = this.database;
    const [a, b] = entries;
    if (entries.length === 2 && a !== undefined && b !== undefined) {
      db.statement(INSERT_TWO_ENTRIES_SQL).run(id, a[0], appKey, a[1], a[2], a[3], sentTime, a[4], id, b[0], appKey, b[1], b[2], b[3], sentTime, b[4]);
      return;
    }
    const insert = db.statement(INSERT_ENTRY_SQL);
    for (const [owner, direction, type, target, isMentioned] of entries) insert.run(id, owner, appKey, direction, type, target, sentTime, isMentioned);
  }

  private insertMessage(message: NewMessage, sentTime: number): { id: number; uid: string } {
    const insert = this.database.statement(INSERT_MESSAGE_SQL);
    for (let attempt = 0; attempt < UID_ATTEMPTS; attempt++) {
      const uid = newMessageUid(sentTime, this.random);
      const result = insert.run(
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
}
