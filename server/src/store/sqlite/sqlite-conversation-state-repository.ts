import type { AppKey, ConversationKey, ConversationState, ConversationStateRepository, ConversationTypeSettingRepository, UserId } from '../store';
import type { SqliteDatabase } from './sqlite-database';

interface StateRow {
  readonly conversation_type: number;
  readonly target_id: string;
  readonly is_top: number;
  readonly notification_level: number;
  readonly updated_time: number;
}

const COLUMNS = 'conversation_type, target_id, is_top, notification_level, updated_time';
const GET_SQL = `SELECT ${COLUMNS} FROM conversation_states WHERE app_key = ? AND owner = ? AND conversation_type = ? AND target_id = ?`;
const LAST_TIME_SQL = 'SELECT MAX(updated_time) AS t FROM conversation_states WHERE app_key = ? AND owner = ?';
const UPSERT_SQL = `INSERT INTO conversation_states (app_key, owner, conversation_type, target_id, is_top, notification_level, updated_time)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, conversation_type, target_id) DO UPDATE SET
    is_top = excluded.is_top, notification_level = excluded.notification_level, updated_time = excluded.updated_time`;
const SINCE_SQL = `SELECT ${COLUMNS} FROM conversation_states WHERE app_key = ? AND owner = ? AND updated_time > ?
  ORDER BY updated_time LIMIT ?`;

function toState(row: StateRow): ConversationState {
  return {
    conversation: { type: row.conversation_type, targetId: row.target_id },
    isTop: row.is_top === 1,
    notificationLevel: row.notification_level,
    updatedTime: row.updated_time,
  };
}

export class SqliteConversationStateRepository implements ConversationStateRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async update(appKey: AppKey, owner: UserId, conversation: ConversationKey, change: { readonly isTop?: boolean; readonly notificationLevel?: number }, now: number): Promise<ConversationState> {
    return this.database.write(() => {
      const current = this.database.get<StateRow>(GET_SQL, appKey, owner, conversation.type, conversation.targetId);
      const last = this.database.get<{ t: number | null }>(LAST_TIME_SQL, appKey, owner)?.t ?? 0;
      const state: ConversationState = {
        conversation: { type: conversation.type, targetId: conversation.targetId },
        isTop: change.isTop ?? current?.is_top === 1,
        notificationLevel: change.notificationLevel ?? current?.notification_level ?? 0,
        updatedTime: Math.max(now, last + 1),
      };
      this.database.run(UPSERT_SQL, appKey, owner, conversation.type, conversation.targetId, state.isTop ? 1 : 0, state.notificationLevel, state.updatedTime);
      return state;
    });
  }

  async changedSince(appKey: AppKey, owner: UserId, since: number, limit: number): Promise<readonly ConversationState[]> {
    return this.database.all<StateRow>(SINCE_SQL, appKey, owner, since, limit).map(toState);
  }

  async get(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<ConversationState | undefined> {
    const row = this.database.get<StateRow>(GET_SQL, appKey, owner, conversation.type, conversation.targetId);
    return row === undefined ? undefined : toState(row);
  }
}

const TYPE_LEVEL_SQL = 'SELECT unpush_level FROM conversation_type_settings WHERE app_key = ? AND owner = ? AND conversation_type = ?';
const TYPE_LEVEL_UPSERT_SQL = `INSERT INTO conversation_type_settings (app_key, owner, conversation_type, unpush_level, updated_time) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, conversation_type) DO UPDATE SET unpush_level = excluded.unpush_level, updated_time = excluded.updated_time`;
const TYPE_LEVEL_DELETE_SQL = 'DELETE FROM conversation_type_settings WHERE app_key = ? AND owner = ? AND conversation_type = ?';

export class SqliteConversationTypeSettingRepository implements ConversationTypeSettingRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async setUnpushLevel(appKey: AppKey, owner: UserId, conversationType: number, level: number, now: number): Promise<void> {
    const db = this.database;
    db.write(() => (level === 0 ? db.run(TYPE_LEVEL_DELETE_SQL, appKey, owner, conversationType) : db.run(TYPE_LEVEL_UPSERT_SQL, appKey, owner, conversationType, level, now)));
  }

  async unpushLevel(appKey: AppKey, owner: UserId, conversationType: number): Promise<number> {
    return this.database.get<{ unpush_level: number }>(TYPE_LEVEL_SQL, appKey, owner, conversationType)?.unpush_level ?? 0;
  }
}
