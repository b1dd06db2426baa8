import type { ChatBanKind, ChatBanPage, ChatBanRepository } from '../chat-ban-repository';
import type { AppKey, UserId } from '../store';
import type { SqliteDatabase } from './sqlite-database';

const BAN_SQL = 'INSERT OR IGNORE INTO user_chat_bans (app_key, kind, user_id, created_time) VALUES (?, ?, ?, ?)';
const LIFT_SQL = 'DELETE FROM user_chat_bans WHERE app_key = ? AND kind = ? AND user_id = ?';
const IS_BANNED_SQL = 'SELECT 1 AS found FROM user_chat_bans WHERE app_key = ? AND kind = ? AND user_id = ?';
const COUNT_SQL = 'SELECT COUNT(*) AS n FROM user_chat_bans WHERE app_key = ? AND kind = ?';
const PAGE_SQL = 'SELECT user_id FROM user_chat_bans WHERE app_key = ? AND kind = ? ORDER BY created_time, user_id LIMIT ? OFFSET ?';

export class SqliteChatBanRepository implements ChatBanRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async set(appKey: AppKey, kind: ChatBanKind, userIds: readonly UserId[], banned: boolean, now: number): Promise<void> {
    const db = this.database;
    db.write(() => {
      for (const userId of new Set(userIds)) {
        if (banned) db.run(BAN_SQL, appKey, kind, userId, now);
        else db.run(LIFT_SQL, appKey, kind, userId);
      }
    });
  }

  async isBanned(appKey: AppKey, kind: ChatBanKind, userId: UserId): Promise<boolean> {
    return this.database.get(IS_BANNED_SQL, appKey, kind, userId) !== undefined;
  }

  async page(appKey: AppKey, kind: ChatBanKind, offset: number, limit: number): Promise<ChatBanPage> {
    const db = this.database;
    return db.read(() => ({
      total: db.get<{ n: number }>(COUNT_SQL, appKey, kind)?.n ?? 0,
      userIds: db.all<{ user_id: string }>(PAGE_SQL, appKey, kind, Math.max(0, Math.floor(limit)), Math.max(0, Math.floor(offset))).map((row) => row.user_id),
    }));
  }
}
