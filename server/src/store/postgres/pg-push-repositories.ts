import type { AppKey, UserId } from '../store';
import { DuplicatePushIdError, type ChatroomDistributionRepository, type PushRecord, type PushRecordRepository, type TagAudience, type UserTagRepository } from '../push-repository';
import type { PgDatabase } from './pg-database';
import { pushRecordOf, type PushRow } from '../push-rows';

const DELETE_TAGS_SQL = 'DELETE FROM user_tags WHERE app_key = ? AND user_id = ANY(?::text[])';
const INSERT_TAGS_SQL = `INSERT INTO user_tags (app_key, user_id, tag, position, created_time)
  SELECT ?, u.user_id, t.tag, t.n - 1, ? FROM unnest(?::text[]) AS u(user_id), unnest(?::text[]) WITH ORDINALITY AS t(tag, n)`;
const TAGS_OF_SQL = 'SELECT user_id, tag FROM user_tags WHERE app_key = ? AND user_id = ANY(?::text[]) ORDER BY user_id, position';
// Byte order (COLLATE "C") like SQLite's, whatever the database's locale: the paging cursor means the same on both.
const MATCHING_SQL = `SELECT user_id FROM user_tags
  WHERE app_key = ? AND user_id COLLATE "C" > ? AND (tag = ANY(?::text[]) OR tag = ANY(?::text[]))
  GROUP BY user_id
  HAVING COUNT(*) FILTER (WHERE tag = ANY(?::text[])) = ? AND (? = 0 OR COUNT(*) FILTER (WHERE tag = ANY(?::text[])) > 0)
  ORDER BY user_id COLLATE "C" LIMIT ?`;

export class PgUserTagRepository implements UserTagRepository {
  constructor(private readonly database: PgDatabase) {}

  async set(appKey: AppKey, userIds: readonly UserId[], tags: readonly string[], now: number): Promise<void> {
    const users = [...new Set(userIds)];
    if (users.length === 0) return;
    const unique = [...new Set(tags)];
    await this.database.tx(async (q) => {
      await q.run(DELETE_TAGS_SQL, appKey, users);
      if (unique.length > 0) await q.run(INSERT_TAGS_SQL, appKey, now, users, unique);
    });
  }

  async get(appKey: AppKey, userIds: readonly UserId[]): Promise<ReadonlyMap<UserId, readonly string[]>> {
    const out = new Map<UserId, string[]>(userIds.map((userId) => [userId, []]));
    if (userIds.length === 0) return out;
    for (const row of await this.database.all<{ user_id: string; tag: string }>(TAGS_OF_SQL, appKey, [...new Set(userIds)])) {
      out.get(row.user_id)?.push(row.tag);
    }
    return out;
  }

  async matching(appKey: AppKey, audience: TagAudience, after: UserId, limit: number): Promise<readonly UserId[]> {
    const allOf = [...new Set(audience.allOf)];
    const anyOf = [...new Set(audience.anyOf)];
    if (allOf.length === 0 && anyOf.length === 0) return [];
    const rows = await this.database.all<{ user_id: string }>(MATCHING_SQL, appKey, after, allOf, anyOf, allOf, allOf.length, anyOf.length, anyOf, limit);
    return rows.map((row) => row.user_id);
  }
}

const INSERT_PUSH_SQL = `INSERT INTO push_records (app_key, id, created_time, from_user_id, platforms, audience, notification, object_name, recipient_count)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_key, id) DO NOTHING`;
const GET_PUSH_SQL = 'SELECT * FROM push_records WHERE app_key = ? AND id = ?';
const RECENT_PUSH_SQL = 'SELECT * FROM push_records WHERE app_key = ? ORDER BY created_time DESC, id COLLATE "C" DESC LIMIT ?';

export class PgPushRecordRepository implements PushRecordRepository {
  constructor(private readonly database: PgDatabase) {}

  async add(record: PushRecord): Promise<void> {
    const inserted = await this.database.run(INSERT_PUSH_SQL, record.appKey, record.id, record.createdTime, record.fromUserId, JSON.stringify(record.platforms), record.audience, record.notification, record.objectName ?? null, record.recipientCount);
    if (inserted === 0) throw new DuplicatePushIdError(record.appKey, record.id);
  }

  async get(appKey: AppKey, id: string): Promise<PushRecord | undefined> {
    const row = await this.database.get<PushRow>(GET_PUSH_SQL, appKey, id);
    return row === undefined ? undefined : pushRecordOf(row);
  }

  async recent(appKey: AppKey, limit: number): Promise<readonly PushRecord[]> {
    return (await this.database.all<PushRow>(RECENT_PUSH_SQL, appKey, limit)).map(pushRecordOf);
  }
}

const STOP_SQL = 'INSERT INTO chatroom_distribution_stopped (app_key, room_id, stopped_time) VALUES (?, ?, ?) ON CONFLICT (app_key, room_id) DO NOTHING';
const RESUME_SQL = 'DELETE FROM chatroom_distribution_stopped WHERE app_key = ? AND room_id = ?';
const IS_STOPPED_SQL = 'SELECT 1 AS found FROM chatroom_distribution_stopped WHERE app_key = ? AND room_id = ?';
const STOPPED_SQL = 'SELECT room_id FROM chatroom_distribution_stopped WHERE app_key = ? ORDER BY room_id COLLATE "C"';

export class PgChatroomDistributionRepository implements ChatroomDistributionRepository {
  constructor(private readonly database: PgDatabase) {}

  async setStopped(appKey: AppKey, roomId: string, stopped: boolean, now: number): Promise<boolean> {
    const changed = stopped ? await this.database.run(STOP_SQL, appKey, roomId, now) : await this.database.run(RESUME_SQL, appKey, roomId);
    return changed > 0;
  }

  async isStopped(appKey: AppKey, roomId: string): Promise<boolean> {
    return (await this.database.get(IS_STOPPED_SQL, appKey, roomId)) !== undefined;
  }

  async stopped(appKey: AppKey): Promise<readonly string[]> {
    return (await this.database.all<{ room_id: string }>(STOPPED_SQL, appKey)).map((row) => row.room_id);
  }
}
