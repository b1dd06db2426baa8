import type { AppKey, UserId } from '../store';
import type { BlockedUser, RecentBlock, UserListKind, UserListPage, UserListRepository } from '../user-list-repository';
import type { SqliteDatabase } from './sqlite-database';

const INSERT_SQL = 'INSERT OR IGNORE INTO user_lists (app_key, owner, kind, user_id, created_time) VALUES (?, ?, ?, ?, ?)';
const DELETE_SQL = 'DELETE FROM user_lists WHERE app_key = ? AND owner = ? AND kind = ? AND user_id = ?';
const COUNT_SQL = 'SELECT COUNT(*) AS n FROM user_lists WHERE app_key = ? AND owner = ? AND kind = ?';
const PAGE_SQL = 'SELECT user_id FROM user_lists WHERE app_key = ? AND owner = ? AND kind = ? AND user_id > ? ORDER BY user_id LIMIT ?';
const CONTAINS_SQL = 'SELECT 1 AS found FROM user_lists WHERE app_key = ? AND owner = ? AND kind = ? AND user_id = ?';
const BLOCKED_SINCE_SQL = `SELECT app_key, user_id, blocked_at FROM users WHERE blocked_at > ? AND blocked_until > ?
  ORDER BY blocked_at, app_key, user_id LIMIT ? OFFSET ?`;
const BLOCKED_SQL = `SELECT user_id, blocked_until FROM users WHERE app_key = ? AND blocked_until > ?
  ORDER BY user_id LIMIT ? OFFSET ?`;
const REGISTERED_SQL = 'SELECT user_id FROM users WHERE app_key = ? AND user_id > ? ORDER BY user_id LIMIT ?';
/** SQLite's default limit on bound parameters is 32766; stay far below it. */
const OWNERS_PER_QUERY = 500;

export class SqliteUserListRepository implements UserListRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async add(appKey: AppKey, owner: UserId, kind: UserListKind, userIds: readonly UserId[], now: number): Promise<number> {
    return this.database.write(() => {
      for (const userId of new Set(userIds)) this.database.run(INSERT_SQL, appKey, owner, kind, userId, now);
      return this.database.get<{ n: number }>(COUNT_SQL, appKey, owner, kind)?.n ?? 0;
    });
  }

  async remove(appKey: AppKey, owner: UserId, kind: UserListKind, userIds: readonly UserId[]): Promise<void> {
    this.database.write(() => {
      for (const userId of new Set(userIds)) this.database.run(DELETE_SQL, appKey, owner, kind, userId);
    });
  }

  async page(appKey: AppKey, owner: UserId, kind: UserListKind, after: UserId, limit: number): Promise<UserListPage> {
    const size = Math.max(1, Math.floor(limit));
    // One row more than asked tells whether a next page exists without a second query.
    const rows = this.database.all<{ user_id: string }>(PAGE_SQL, appKey, owner, kind, after, size + 1);
    const userIds = rows.slice(0, size).map((row) => row.user_id);
    const last = userIds[userIds.length - 1];
    return rows.length > size && last !== undefined ? { userIds, next: last } : { userIds };
  }

  async contains(appKey: AppKey, owner: UserId, kind: UserListKind, userId: UserId): Promise<boolean> {
    return this.database.get(CONTAINS_SQL, appKey, owner, kind, userId) !== undefined;
  }

  async ownersListing(appKey: AppKey, owners: readonly UserId[], kind: UserListKind, userId: UserId): Promise<ReadonlySet<UserId>> {
    const unique = [...new Set(owners)];
    const found = new Set<UserId>();
    for (let i = 0; i < unique.length; i += OWNERS_PER_QUERY) {
      const chunk = unique.slice(i, i + OWNERS_PER_QUERY);
      const marks = chunk.map(() => '?').join(', ');
      const sql = `SELECT owner FROM user_lists WHERE app_key = ? AND kind = ? AND user_id = ? AND owner IN (${marks})`;
      for (const row of this.database.all<{ owner: string }>(sql, appKey, kind, userId, ...chunk)) found.add(row.owner);
    }
    return found;
  }

  async count(appKey: AppKey, owner: UserId, kind: UserListKind): Promise<number> {
    return this.database.get<{ n: number }>(COUNT_SQL, appKey, owner, kind)?.n ?? 0;
  }

  async registered(appKey: AppKey, after: UserId, limit: number): Promise<readonly UserId[]> {
    return this.database.all<{ user_id: string }>(REGISTERED_SQL, appKey, after, Math.max(1, limit)).map((row) => row.user_id);
  }

  async blocked(appKey: AppKey, now: number, offset: number, limit: number): Promise<readonly BlockedUser[]> {
    const rows = this.database.all<{ user_id: string; blocked_until: number }>(BLOCKED_SQL, appKey, now, Math.max(0, limit), Math.max(0, offset));
    return rows.map((row) => ({ userId: row.user_id, blockedUntil: row.blocked_until }));
  }

  async blockedSince(since: number, now: number, offset: number, limit: number): Promise<readonly RecentBlock[]> {
    const rows = this.database.all<{ app_key: string; user_id: string; blocked_at: number }>(BLOCKED_SINCE_SQL, Math.max(0, since), now, Math.max(0, limit), Math.max(0, offset));
    return rows.map((row) => ({ appKey: row.app_key, userId: row.user_id, blockedAt: row.blocked_at }));
  }
}
