import type { AppKey, UserId } from '../store';
import { DuplicatePushIdError, type ChatroomDistributionRepository, type PushRecord, type PushRecordRepository, type TagAudience, type UserTagRepository } from '../push-repository';
import type { SqliteDatabase } from './sqlite-database';
import { pushRecordOf, type PushRow } from '../push-rows';

const DELETE_TAGS_SQL = 'DELETE FROM user_tags WHERE app_key = ? AND user_id = ?';
const INSERT_TAG_SQL = 'INSERT INTO user_tags (app_key, user_id, tag, position, created_time) VALUES (?, ?, ?, ?, ?)';
const TAGS_OF_SQL = 'SELECT tag FROM user_tags WHERE app_key = ? AND user_id = ? ORDER BY position';
// Tags are unique per user (primary key), so counting the rows that name an `allOf` tag counts distinct tags.
const MATCHING_SQL = `SELECT user_id FROM user_tags
  WHERE app_key = ? AND user_id > ? AND (tag IN (SELECT value FROM json_each(?)) OR tag IN (SELECT value FROM json_each(?)))
  GROUP BY user_id
  HAVING SUM(tag IN (SELECT value FROM json_each(?))) = ? AND (? = 0 OR SUM(tag IN (SELECT value FROM json_each(?))) > 0)
  ORDER BY user_id LIMIT ?`;

export class SqliteUserTagRepository implements UserTagRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async set(appKey: AppKey, userIds: readonly UserId[], tags: readonly string[], now: number): Promise<void> {
    const db = this.database;
    const unique = [...new Set(tags)];
    db.write(() => {
      for (const userId of new Set(userIds)) {
        db.run(DELETE_TAGS_SQL, appKey, userId);
        unique.forEach((tag, position) => db.run(INSERT_TAG_SQL, appKey, userId, tag, position, now));
      }
    });
  }

  async get(appKey: AppKey, userIds: readonly UserId[]): Promise<ReadonlyMap<UserId, readonly string[]>> {
    const db = this.database;
    return db.read(() => new Map(userIds.map((userId) => [userId, db.all<{ tag: string }>(TAGS_OF_SQL, appKey, userId).map((row) => row.tag)])));
  }

  async matching(appKey: AppKey, audience: TagAudience, after: UserId, limit: number): Promise<readonly UserId[]> {
    const allOf = [...new Set(audience.allOf)];
    const anyOf = [...new Set(audience.anyOf)];
    if (allOf.length === 0 && anyOf.length === 0) return [];
    const all = JSON.stringify(allOf);
    const any = JSON.stringify(anyOf);
    return this.database.all<{ user_id: string }>(MATCHING_SQL, appKey, after, all, any, all, allOf.length, anyOf.length, any, limit).map((row) => row.user_id);
  }
}

const INSERT_PUSH_SQL = `INSERT INTO push_records (app_key, id, created_time, from_user_id, platforms, audience, notification, object_name, recipient_count)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_key, id) DO NOTHING`;
const GET_PUSH_SQL = 'SELECT * FROM push_records WHERE app_key = ? AND id = ?';
const RECENT_PUSH_SQL = 'SELECT * FROM push_records WHERE app_key = ? ORDER BY created_time DESC, id DESC LIMIT ?';

export class SqlitePushRecordRepository implements PushRecordRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async add(record: PushRecord): Promise<void> {
    const db = this.database;
    const inserted = db.write(() => db.run(INSERT_PUSH_SQL, record.appKey, record.id, record.createdTime, record.fromUserId, JSON.stringify(record.platforms), record.audience, record.notification, record.objectName ?? null, record.recipientCount));
    if (inserted === 0) throw new DuplicatePushIdError(record.appKey, record.id);
  }

  async get(appKey: AppKey, id: string): Promise<PushRecord | undefined> {
    const row = this.database.get<PushRow>(GET_PUSH_SQL, appKey, id);
    return row === undefined ? undefined : pushRecordOf(row);
  }

  async recent(appKey: AppKey, limit: number): Promise<readonly PushRecord[]> {
    return this.database.all<PushRow>(RECENT_PUSH_SQL, appKey, limit).map(pushRecordOf);
  }
}

const STOP_SQL = 'INSERT INTO chatroom_distribution_stopped (app_key, room_id, stopped_time) VALUES (?, ?, ?) ON CONFLICT (app_key, room_id) DO NOTHING';
const RESUME_SQL = 'DELETE FROM chatroom_distribution_stopped WHERE app_key = ? AND room_id = ?';
const IS_STOPPED_SQL = 'SELECT 1 AS found FROM chatroom_distribution_stopped WHERE app_key = ? AND room_id = ?';
const STOPPED_SQL = 'SELECT room_id FROM chatroom_distribution_stopped WHERE app_key = ? ORDER BY room_id';

export class SqliteChatroomDistributionRepository implements ChatroomDistributionRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async setStopped(appKey: AppKey, roomId: string, stopped: boolean, now: number): Promise<boolean> {
    const db = this.database;
    return db.write(() => (stopped ? db.run(STOP_SQL, appKey, roomId, now) : db.run(RESUME_SQL, appKey, roomId)) > 0);
  }

  async isStopped(appKey: AppKey, roomId: string): Promise<boolean> {
    return this.database.get(IS_STOPPED_SQL, appKey, roomId) !== undefined;
  }

  async stopped(appKey: AppKey): Promise<readonly string[]> {
    return this.database.all<{ room_id: string }>(STOPPED_SQL, appKey).map((row) => row.room_id);
  }
}
