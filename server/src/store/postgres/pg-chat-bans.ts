import type { ChatBanKind, ChatBanPage, ChatBanRepository } from '../chat-ban-repository';
import type { AppKey, UserId } from '../store';
import type { PgDatabase } from './pg-database';

const BAN_SQL = `INSERT INTO user_chat_bans (app_key, kind, user_id, created_time)
  SELECT ?, ?, u, ? FROM unnest(?::text[]) AS u ON CONFLICT (app_key, kind, user_id) DO NOTHING`;
const LIFT_SQL = 'DELETE FROM user_chat_bans WHERE app_key = ? AND kind = ? AND user_id = ANY(?::text[])';
const IS_BANNED_SQL = 'SELECT 1 AS found FROM user_chat_bans WHERE app_key = ? AND kind = ? AND user_id = ?';
const COUNT_SQL = 'SELECT COUNT(*) AS n FROM user_chat_bans WHERE app_key = ? AND kind = ?';
const PAGE_SQL = 'SELECT user_id FROM user_chat_bans WHERE app_key = ? AND kind = ? ORDER BY created_time, user_id LIMIT ? OFFSET ?';

export class PgChatBanRepository implements ChatBanRepository {
  constructor(private readonly database: PgDatabase) {}

  async set(appKey: AppKey, kind: ChatBanKind, userIds: readonly UserId[], banned: boolean, now: number): Promise<void> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return;
    if (banned) await this.database.run(BAN_SQL, appKey, kind, now, unique);
    else await this.database.run(LIFT_SQL, appKey, kind, unique);
  }

  async isBanned(appKey: AppKey, kind: ChatBanKind, userId: UserId): Promise<boolean> {
    return (await this.database.get(IS_BANNED_SQL, appKey, kind, userId)) !== undefined;
  }

  async page(appKey: AppKey, kind: ChatBanKind, offset: number, limit: number): Promise<ChatBanPage> {
    return this.database.read(async (q) => ({
      total: (await q.get<{ n: number }>(COUNT_SQL, appKey, kind))?.n ?? 0,
      userIds: (await q.all<{ user_id: string }>(PAGE_SQL, appKey, kind, Math.max(0, Math.floor(limit)), Math.max(0, Math.floor(offset)))).map((row) => row.user_id),
    }));
  }
}
