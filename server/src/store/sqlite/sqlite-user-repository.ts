import type { AppKey, UserId, UserRecord, UserRepository } from '../store';
import type { SqliteDatabase } from './sqlite-database';

interface UserRow {
  readonly app_key: string;
  readonly user_id: string;
  readonly name: string;
  readonly portrait_uri: string;
  readonly tokens_valid_after: number;
  readonly blocked_until: number;
  readonly created_time: number;
}

const GET_SQL = `SELECT app_key, user_id, name, portrait_uri, tokens_valid_after, blocked_until, created_time
  FROM users WHERE app_key = ? AND user_id = ?`;
// A NULL parameter keeps the stored value: upsert only changes what the caller passed.
const UPSERT_SQL = `INSERT INTO users (app_key, user_id, name, portrait_uri, created_time)
  VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), ?)
  ON CONFLICT (app_key, user_id) DO UPDATE SET
    name = COALESCE(?, name),
    portrait_uri = COALESCE(?, portrait_uri)`;
const EXPIRE_SQL = 'UPDATE users SET tokens_valid_after = MAX(tokens_valid_after, ?) WHERE app_key = ? AND user_id = ?';
const BLOCK_SQL = 'UPDATE users SET blocked_until = ?, blocked_at = ? WHERE app_key = ? AND user_id = ?';

function toUserRecord(row: UserRow): UserRecord {
  return {
    appKey: row.app_key,
    userId: row.user_id,
    name: row.name,
    portraitUri: row.portrait_uri,
    tokensValidAfter: row.tokens_valid_after,
    blockedUntil: row.blocked_until,
    createdTime: row.created_time,
  };
}

export class SqliteUserRepository implements UserRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async upsert(
    appKey: AppKey,
    userId: UserId,
    profile: { readonly name?: string; readonly portraitUri?: string },
    now: number,
  ): Promise<UserRecord> {
    return this.database.write(() => {
      const name = profile.name ?? null;
      const portraitUri = profile.portraitUri ?? null;
      this.database.run(UPSERT_SQL, appKey, userId, name, portraitUri, now, name, portraitUri);
      const row = this.database.get<UserRow>(GET_SQL, appKey, userId);
      if (row === undefined) throw new Error('upsert: row vanished inside its own transaction');
      return toUserRecord(row);
    });
  }

  async get(appKey: AppKey, userId: UserId): Promise<UserRecord | undefined> {
    const row = this.database.get<UserRow>(GET_SQL, appKey, userId);
    return row === undefined ? undefined : toUserRecord(row);
  }

  async expireTokens(appKey: AppKey, userIds: readonly UserId[], instant: number): Promise<void> {
    this.database.write(() => {
      for (const userId of new Set(userIds)) this.database.run(EXPIRE_SQL, instant, appKey, userId);
    });
  }

  async setBlockedUntil(appKey: AppKey, userId: UserId, until: number, at: number): Promise<void> {
    this.database.write(() => {
      this.database.run(BLOCK_SQL, until, until > 0 ? at : 0, appKey, userId);
    });
  }
}
