import type { AppKey, ConversationKey, UserId } from '../store';
import type { UnreadCount, UnreadCountRepository, UnreadPage } from '../unread-count-repository';
import { afterParams, FIRST_UNREAD_SQL, FLOOR_SQL, LIST_INBOX_SQL, ONE_CONVERSATION_SQL, POSITION_SQL, unreadFromRow } from '../unread-count-sql';
import type { FirstUnreadRow, UnreadRow } from '../unread-count-sql';
import type { PgDatabase, PgQueryable } from './pg-database';

/** Read-only: every call is one REPEATABLE READ snapshot of entries and positions. */
export class PgUnreadCountRepository implements UnreadCountRepository {
  constructor(private readonly database: PgDatabase) {}

  async listInbox(appKey: AppKey, owner: UserId, upTo: number, notBefore: number, limit: number, after?: ConversationKey): Promise<UnreadPage> {
    return this.database.read(async (q) => {
      const floor = await floorOf(q, appKey, owner);
      const size = Math.max(1, limit);
      const rows = await q.all<UnreadRow & Record<string, unknown>>(LIST_INBOX_SQL, floor, floor, floor, appKey, owner, notBefore, upTo, ...afterParams(after), size + 1);
      const items: UnreadCount[] = [];
      for (const row of rows.slice(0, size)) items.push(await withFirst(q, appKey, owner, floor, upTo, notBefore, row));
      const last = items[items.length - 1];
      return rows.length > items.length && last !== undefined ? { items, next: last.conversation } : { items };
    });
  }

  async unreadOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[], upTo: number, notBefore: number): Promise<readonly UnreadCount[]> {
    return this.database.read(async (q) => {
      const floor = await floorOf(q, appKey, owner);
      const out: UnreadCount[] = [];
      for (const conversation of conversations) {
        const row = await q.get<UnreadRow & Record<string, unknown>>(ONE_CONVERSATION_SQL, floor, floor, floor, appKey, owner, notBefore, upTo, conversation.type, conversation.targetId);
        if (row !== undefined) {
          out.push(await withFirst(q, appKey, owner, floor, upTo, notBefore, row));
          continue;
        }
        const own = Number((await q.get<{ read_time: number | string }>(POSITION_SQL, appKey, owner, conversation.type, conversation.targetId))?.read_time ?? 0);
        out.push({ conversation: { type: conversation.type, targetId: conversation.targetId }, readTime: Math.max(own, floor), count: 0, mentionCount: 0 });
      }
      return out;
    });
  }
}

async function withFirst(q: PgQueryable, appKey: AppKey, owner: UserId, floor: number, upTo: number, notBefore: number, row: UnreadRow): Promise<UnreadCount> {
  if (row.first_time === null) return unreadFromRow(row, floor, undefined);
  const first = await q.get<FirstUnreadRow & Record<string, unknown>>(FIRST_UNREAD_SQL, appKey, owner, notBefore, upTo, floor, row.conv_type, row.conv_target, row.first_time);
  return unreadFromRow(row, floor, first);
}

async function floorOf(q: PgQueryable, appKey: AppKey, owner: UserId): Promise<number> {
  return Number((await q.get<{ read_time: number | string }>(FLOOR_SQL, appKey, owner))?.read_time ?? 0);
}
