import type { AppKey, ConversationKey, UserId } from '../store';
import type { UnreadCount, UnreadCountRepository, UnreadPage } from '../unread-count-repository';
import { afterParams, FLOOR_SQL, POSITION_SQL, unreadFromRow, unreadStatements } from '../unread-count-sql';
import type { FirstUnreadRow, UnreadRow } from '../unread-count-sql';
import type { SqliteDatabase } from './sqlite-database';
import { REF } from './sqlite-names';
import { Direction } from '../store';
import { SEG, type SegmentRow } from './sqlite-entry-segments';
import { conversationEntries, conversationRow, decodedHolding, ownerRef, segmentsAfter, SegmentCache } from './sqlite-owner-entries';

/*
 * unread-count-sql.ts's statements over migration 013's segments (same parameters and results as in
 * PostgreSQL, but one conversation's target is named by app key and id): the owner's inbox entries are
 * decoded from its segments into the connection's TEMP table `unread_inbox` (private to the connection,
 * emptied after each statement), then the owner's names row `o` first (unique), and each entry probing its
 * message, its target's names row `t`, its read position and its conversation row by primary key. The list
 * reads the owner's segments of the retention window; one conversation only that conversation's chain
 * (sqlite-owner-entries.ts).
 */
const { list: LIST_INBOX_SQL, one: ONE_CONVERSATION_SQL, first: FIRST_UNREAD_SQL } = unreadStatements({
  inboxFrom: `FROM names o
  JOIN temp.unread_inbox e
  JOIN names t ON t.id = e.conv_target_ref
  JOIN messages m ON m.id = e.message_id
  LEFT JOIN read_positions rp ON rp.app_key = o.app_key AND rp.owner = o.name AND rp.conversation_type = e.conv_type AND rp.target_id = t.name
  LEFT JOIN conversations c ON c.owner_ref = o.id AND c.type = e.conv_type AND c.target_ref = e.conv_target_ref
  WHERE o.app_key = ? AND o.name = ? AND e.sent_time >= ? AND e.sent_time <= ?`,
  owner: 'o.name',
  target: 't.name',
  targetKey: 'e.conv_target_ref',
  oneTarget: `e.conv_target_ref = ${REF}`,
});

const INBOX_TABLE_SQL = `CREATE TEMP TABLE IF NOT EXISTS unread_inbox (message_id INTEGER NOT NULL, conv_type INTEGER NOT NULL,
  conv_target_ref INTEGER NOT NULL, sent_time INTEGER NOT NULL, mentioned INTEGER NOT NULL, deleted INTEGER NOT NULL)`;
// One prepared insert per row: half what one JSON parameter for all rows cost (json_each and six `->>` a row).
const INBOX_ROW_SQL = 'INSERT INTO temp.unread_inbox VALUES (?, ?, ?, ?, ?, ?)';
const INBOX_CLEAR_SQL = 'DELETE FROM temp.unread_inbox';
/** The owner's read positions and clear marks by conversation (type, target ref): what an entry must be newer than to count. */
const READ_POSITIONS_SQL = `SELECT rp.conversation_type AS type, t.id AS target_ref, rp.read_time AS time
  FROM read_positions rp JOIN names t ON t.app_key = rp.app_key AND t.name = rp.target_id WHERE rp.app_key = ? AND rp.owner = ?`;
const CLEARED_SQL = 'SELECT type, target_ref, cleared_up_to AS time FROM conversations WHERE owner_ref = ? AND cleared_up_to > 0';

/**
 * Runs `statement` over the owner's inbox entries `rows` in the window: they fill the TEMP table for its
 * duration only (inside the caller's read transaction; a TEMP table takes no lock on the database file).
 */
function withInbox<T>(database: SqliteDatabase, rows: Iterable<SegmentRow>, notBefore: number, upTo: number, statement: () => T): T {
  database.db.exec(INBOX_TABLE_SQL);
  try {
    const insert = database.statement(INBOX_ROW_SQL);
    for (const row of rows) {
      const time = row[SEG.sentTime];
      if (row[SEG.direction] !== Direction.Receive || time < notBefore || time > upTo) continue;
      insert.run(row[SEG.messageId], row[SEG.convType], row[SEG.targetRef], time, row[SEG.mentioned], row[SEG.deleted]);
    }
    return statement();
  } finally {
    database.run(INBOX_CLEAR_SQL);
  }
}

function* windowRows(database: SqliteDatabase, owner: number, notBefore: number, upTo: number): Generator<SegmentRow> {
  for (const segment of segmentsAfter(database, owner, notBefore - 1)) {
    for (const row of segment.rows) {
      if (row[SEG.sentTime] > upTo) return;
      yield row;
    }
  }
}

/**
 * The inbox rows the list's statement needs (the same answer from far fewer rows when most are read): per
 * conversation, those newer than what no entry at or below can count past (the floor, its read position, its
 * clear mark) and the newest one at or below it, which keeps a conversation with nothing unread listed. An
 * entry's message is gone only when pruned, oldest first, so that one row joins its message whenever an older
 * one of the conversation would.
 */
function countableRows(database: SqliteDatabase, appKey: AppKey, owner: UserId, ref: number, floor: number, rows: Iterable<SegmentRow>): SegmentRow[] {
  const bounds = new Map<string, number>();
  const raise = (list: readonly { type: number; target_ref: number; time: number }[]): void => {
    for (const { type, target_ref: targetRef, time } of list) {
      const k = `${type}:${targetRef}`;
      bounds.set(k, Math.max(bounds.get(k) ?? floor, time));
    }
  };
  raise(database.all(READ_POSITIONS_SQL, appKey, owner));
  raise(database.all(CLEARED_SQL, ref));
  const kept: SegmentRow[] = [];
  const newestAtOrBelow = new Map<string, SegmentRow>();
  for (const row of rows) {
    if (row[SEG.direction] !== Direction.Receive) continue;
    const k = `${row[SEG.convType]}:${row[SEG.targetRef]}`;
    if (row[SEG.sentTime] > (bounds.get(k) ?? floor)) kept.push(row);
    else newestAtOrBelow.set(k, row);
  }
  for (const row of newestAtOrBelow.values()) kept.push(row);
  return kept;
}

/** Read-only: every call is one read transaction (one snapshot of entries and positions). */
export class SqliteUnreadCountRepository implements UnreadCountRepository {
  constructor(
    private readonly database: SqliteDatabase,
    /** Moves the owner's pending entries (SqliteMessageRepository.settle); called before every read here. */
    private readonly settle: (appKey?: AppKey, owner?: UserId) => Promise<void>,
  ) {}

  async listInbox(appKey: AppKey, owner: UserId, upTo: number, notBefore: number, limit: number, after?: ConversationKey): Promise<UnreadPage> {
    await this.settle(appKey, owner);
    const db = this.database;
    return db.read(() => {
      const ref = ownerRef(db, appKey, owner);
      if (ref === undefined) return { items: [] };
      const floor = this.floor(appKey, owner);
      const inbox = countableRows(db, appKey, owner, ref, floor, windowRows(db, ref, notBefore, upTo));
      const rows = withInbox(db, inbox, notBefore, upTo, () =>
        db.all<UnreadRow>(LIST_INBOX_SQL, floor, floor, floor, appKey, owner, notBefore, upTo, ...afterParams(after), Math.max(1, limit) + 1));
      const segments = new SegmentCache();
      const items = rows.slice(0, Math.max(1, limit)).map((row) => this.withFirst(appKey, owner, ref, floor, upTo, notBefore, row, segments));
      const last = items[items.length - 1];
      return rows.length > items.length && last !== undefined ? { items, next: last.conversation } : { items };
    });
  }

  async unreadOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[], upTo: number, notBefore: number): Promise<readonly UnreadCount[]> {
    await this.settle(appKey, owner);
    const db = this.database;
    return db.read(() => {
      const floor = this.floor(appKey, owner);
      const ref = ownerRef(db, appKey, owner);
      // The conversations' walks and first unread entries mostly share the owner's newest segments.
      const segments = new SegmentCache();
      return conversations.map((conversation) => {
        const targetRef = ownerRef(db, appKey, conversation.targetId);
        const inbox = ref === undefined || targetRef === undefined ? [] : this.conversationRows(appKey, owner, ref, conversation, targetRef, floor, notBefore, segments);
        const row = withInbox(db, inbox, notBefore, upTo, () =>
          db.get<UnreadRow>(ONE_CONVERSATION_SQL, floor, floor, floor, appKey, owner, notBefore, upTo, conversation.type, appKey, conversation.targetId));
        if (row !== undefined && ref !== undefined) return this.withFirst(appKey, owner, ref, floor, upTo, notBefore, row, segments);
        const own = db.get<{ read_time: number }>(POSITION_SQL, appKey, owner, conversation.type, conversation.targetId)?.read_time ?? 0;
        return { conversation: { type: conversation.type, targetId: conversation.targetId }, readTime: Math.max(own, floor), count: 0, mentionCount: 0 };
      });
    });
  }

  /**
   * One conversation's entries that can count (newer than the window's start, the floor, its read position
   * and its clear mark), along its chain (newest first), and the newest one at or below that bound in the
   * window, so a conversation with nothing unread still has its row.
   */
  private conversationRows(
    appKey: AppKey, owner: UserId, ref: number, conversation: ConversationKey, targetRef: number, floor: number, notBefore: number, segments: SegmentCache,
  ): SegmentRow[] {
    const row = conversationRow(this.database, ref, conversation.type, targetRef);
    if (row === undefined) return [];
    const read = this.database.get<{ read_time: number }>(POSITION_SQL, appKey, owner, conversation.type, conversation.targetId)?.read_time ?? 0;
    const bound = Math.max(notBefore - 1, floor, read, row.cleared_up_to);
    const rows: SegmentRow[] = [];
    for (const entry of conversationEntries(this.database, ref, conversation.type, targetRef, row.updated_time, { cache: segments })) {
      if (entry[SEG.sentTime] < notBefore) break;
      if (entry[SEG.direction] !== Direction.Receive) continue;
      rows.push(entry);
      if (entry[SEG.sentTime] <= bound) break;
    }
    return rows;
  }

  private withFirst(
    appKey: AppKey, owner: UserId, ref: number, floor: number, upTo: number, notBefore: number, row: UnreadRow, segments: SegmentCache,
  ): UnreadCount {
    if (row.first_time === null) return unreadFromRow(row, floor, undefined);
    const type = Number(row.conv_type);
    const targetRef = ownerRef(this.database, appKey, row.conv_target);
    const firstTime = Number(row.first_time);
    // Only the entry at first_time can match: the owner's one entry at that time, in the segment holding it.
    const holding = targetRef === undefined ? undefined : decodedHolding(this.database, ref, firstTime, segments);
    const inbox = holding === undefined ? [] : holding.rows.filter((entry) => entry[SEG.sentTime] === firstTime && entry[SEG.targetRef] === targetRef);
    const first = withInbox(this.database, inbox, notBefore, upTo, () =>
      this.database.get<FirstUnreadRow>(FIRST_UNREAD_SQL, appKey, owner, notBefore, upTo, floor, type, appKey, row.conv_target, row.first_time));
    return unreadFromRow(row, floor, first);
  }

  private floor(appKey: AppKey, owner: UserId): number {
    return this.database.get<{ read_time: number }>(FLOOR_SQL, appKey, owner)?.read_time ?? 0;
  }
}
