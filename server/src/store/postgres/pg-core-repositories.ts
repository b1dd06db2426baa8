import type {
  AppKey,
  ConversationKey,
  ConversationRepository,
  ConversationState,
  ConversationStateRepository,
  ConversationSummary,
  ConversationTypeSettingRepository,
  UserId,
  UserRecord,
  UserRepository,
} from '../store';
import { ENTRY_SELECT, toSyncEntry } from '../rows';
import type { EntryRow } from '../rows';
import type { PgDatabase } from './pg-database';
import { lockStateClock } from './pg-owner-clock';

const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

interface ConversationRow {
  readonly type: number;
  readonly target_id: string;
  readonly updated_time: number;
  readonly cleared_up_to: number;
}

// Keyset paging backwards along conversations_recent (row-value comparison uses the index).
const RECENT_SQL = `SELECT type, target_id, updated_time, cleared_up_to FROM conversations
  WHERE app_key = ? AND owner = ? AND listed = 1 AND (updated_time, type, target_id) < (?, ?, ?)
  ORDER BY updated_time DESC, type DESC, target_id DESC LIMIT ?`;
// The same index forwards (listAfter): oldest first, (type, target_id) ascending within one time.
const EARLIEST_SQL = `SELECT type, target_id, updated_time, cleared_up_to FROM conversations
  WHERE app_key = ? AND owner = ? AND listed = 1 AND (updated_time, type, target_id) > (?, ?, ?)
  ORDER BY updated_time ASC, type ASC, target_id ASC LIMIT ?`;
const LATEST_SQL = `${ENTRY_SELECT}
  WHERE e.app_key = ? AND e.owner = ? AND e.conv_type = ? AND e.conv_target = ?
    AND e.sent_time > ? AND e.deleted = 0 AND m.recalled = 0
  ORDER BY e.sent_time DESC LIMIT 1`;
const ONE_SQL = `SELECT type, target_id, updated_time, cleared_up_to FROM conversations
  WHERE app_key = ? AND owner = ? AND type = ? AND target_id = ? AND listed = 1`;
const REMOVE_SQL = 'UPDATE conversations SET listed = 0 WHERE app_key = ? AND owner = ? AND type = ? AND target_id = ?';

export class PgConversationRepository implements ConversationRepository {
  constructor(private readonly database: PgDatabase) {}

  async list(appKey: AppKey, owner: UserId, count: number, before: number): Promise<readonly ConversationSummary[]> {
    // (before, -∞, '') as an exclusive upper bound selects exactly updated_time < before.
    return this.page(appKey, owner, count, RECENT_SQL, { time: before > 0 ? before : NO_UPPER_BOUND, type: Number.MIN_SAFE_INTEGER, targetId: '' });
  }

  async listAfter(appKey: AppKey, owner: UserId, count: number, after: number): Promise<readonly ConversationSummary[]> {
    // (after, +∞, '') as an exclusive lower bound selects exactly updated_time > after (no type is +∞).
    return this.page(appKey, owner, count, EARLIEST_SQL, { time: Math.max(0, after), type: Number.MAX_SAFE_INTEGER, targetId: '' });
  }

  /** Keyset walk along conversations_recent from the exclusive bound `from`, in the direction `sql` reads. */
  private async page(appKey: AppKey, owner: UserId, count: number, sql: string, from: { time: number; type: number; targetId: string }): Promise<readonly ConversationSummary[]> {
    const wanted = Math.max(0, Math.floor(count));
    if (wanted === 0) return [];
    return this.database.read(async (q) => {
      const result: ConversationSummary[] = [];
      // Conversations whose messages are all hidden are skipped: read batches until enough or exhausted.
      let cursor = from;
      for (;;) {
        const batch = await q.all<ConversationRow>(sql, appKey, owner, cursor.time, cursor.type, cursor.targetId, wanted);
        for (const row of batch) {
          const latest = await q.get<EntryRow>(LATEST_SQL, appKey, owner, row.type, row.target_id, row.cleared_up_to);
          if (latest === undefined) continue;
          result.push({ conversation: { type: row.type, targetId: row.target_id }, latest: toSyncEntry(latest), updatedTime: row.updated_time });
          if (result.length === wanted) return result;
        }
        const last = batch[batch.length - 1];
        if (batch.length < wanted || last === undefined) return result;
        cursor = { time: last.updated_time, type: last.type, targetId: last.target_id };
      }
    });
  }

  async summariesOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[]): Promise<readonly ConversationSummary[]> {
    if (conversations.length === 0) return [];
    return this.database.read(async (q) => {
      const result: ConversationSummary[] = [];
      const seen = new Set<string>();
      for (const conversation of conversations) {
        const key = `${conversation.type}:${conversation.targetId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const row = await q.get<ConversationRow>(ONE_SQL, appKey, owner, conversation.type, conversation.targetId);
        if (row === undefined) continue;
        const latest = await q.get<EntryRow>(LATEST_SQL, appKey, owner, row.type, row.target_id, row.cleared_up_to);
        if (latest === undefined) continue;
        result.push({ conversation: { type: row.type, targetId: row.target_id }, latest: toSyncEntry(latest), updatedTime: row.updated_time });
      }
      return result;
    });
  }

  async remove(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<void> {
    await this.database.run(REMOVE_SQL, appKey, owner, conversation.type, conversation.targetId);
  }
}

interface UserRow {
  readonly app_key: string;
  readonly user_id: string;
  readonly name: string;
  readonly portrait_uri: string;
  readonly tokens_valid_after: number;
  readonly blocked_until: number;
  readonly created_time: number;
}

const USER_COLUMNS = 'app_key, user_id, name, portrait_uri, tokens_valid_after, blocked_until, created_time';
const GET_USER_SQL = `SELECT ${USER_COLUMNS} FROM users WHERE app_key = ? AND user_id = ?`;
// A NULL parameter keeps the stored value: upsert only changes what the caller passed.
const UPSERT_USER_SQL = `INSERT INTO users (app_key, user_id, name, portrait_uri, created_time)
  VALUES (?, ?, COALESCE(?::text, ''), COALESCE(?::text, ''), ?)
  ON CONFLICT (app_key, user_id) DO UPDATE SET
    name = COALESCE(?::text, users.name), portrait_uri = COALESCE(?::text, users.portrait_uri)
  RETURNING ${USER_COLUMNS}`;
const EXPIRE_SQL = 'UPDATE users SET tokens_valid_after = GREATEST(tokens_valid_after, ?) WHERE app_key = ? AND user_id = ANY(?::text[])';
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

export class PgUserRepository implements UserRepository {
  constructor(private readonly database: PgDatabase) {}

  async upsert(appKey: AppKey, userId: UserId, profile: { readonly name?: string; readonly portraitUri?: string }, now: number): Promise<UserRecord> {
    const row = await this.database.get<UserRow>(
      UPSERT_USER_SQL,
      appKey, userId, profile.name ?? null, profile.portraitUri ?? null, now, profile.name ?? null, profile.portraitUri ?? null,
    );
    if (row === undefined) throw new Error('upsert: no row returned');
    return toUserRecord(row);
  }

  async get(appKey: AppKey, userId: UserId): Promise<UserRecord | undefined> {
    const row = await this.database.get<UserRow>(GET_USER_SQL, appKey, userId);
    return row === undefined ? undefined : toUserRecord(row);
  }

  async expireTokens(appKey: AppKey, userIds: readonly UserId[], instant: number): Promise<void> {
    if (userIds.length === 0) return;
    await this.database.run(EXPIRE_SQL, instant, appKey, [...new Set(userIds)]);
  }

  async setBlockedUntil(appKey: AppKey, userId: UserId, until: number, at: number): Promise<void> {
    await this.database.run(BLOCK_SQL, until, until > 0 ? at : 0, appKey, userId);
  }
}

interface StateRow {
  readonly conversation_type: number;
  readonly target_id: string;
  readonly is_top: number;
  readonly notification_level: number;
  readonly updated_time: number;
}

const STATE_COLUMNS = 'conversation_type, target_id, is_top, notification_level, updated_time';
const GET_STATE_SQL = `SELECT ${STATE_COLUMNS} FROM conversation_states WHERE app_key = ? AND owner = ? AND conversation_type = ? AND target_id = ?`;
const UPSERT_STATE_SQL = `INSERT INTO conversation_states (app_key, owner, conversation_type, target_id, is_top, notification_level, updated_time)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, conversation_type, target_id) DO UPDATE SET
    is_top = EXCLUDED.is_top, notification_level = EXCLUDED.notification_level, updated_time = EXCLUDED.updated_time`;
const SINCE_SQL = `SELECT ${STATE_COLUMNS} FROM conversation_states WHERE app_key = ? AND owner = ? AND updated_time > ?
  ORDER BY updated_time LIMIT ?`;

function toState(row: StateRow): ConversationState {
  return {
    conversation: { type: row.conversation_type, targetId: row.target_id },
    isTop: row.is_top === 1,
    notificationLevel: row.notification_level,
    updatedTime: row.updated_time,
  };
}

export class PgConversationStateRepository implements ConversationStateRepository {
  constructor(private readonly database: PgDatabase) {}

  async update(appKey: AppKey, owner: UserId, conversation: ConversationKey, change: { readonly isTop?: boolean; readonly notificationLevel?: number }, now: number): Promise<ConversationState> {
    return this.database.tx(async (q) => {
      // The owner's state clock (shared with tag stamping, see pg-owner-clock.ts) is held until COMMIT.
      const last = await lockStateClock(q, appKey, owner);
      const current = await q.get<StateRow>(GET_STATE_SQL, appKey, owner, conversation.type, conversation.targetId);
      const state: ConversationState = {
        conversation: { type: conversation.type, targetId: conversation.targetId },
        isTop: change.isTop ?? current?.is_top === 1,
        notificationLevel: change.notificationLevel ?? current?.notification_level ?? 0,
        updatedTime: Math.max(Math.floor(now), last + 1),
      };
      await q.run(UPSERT_STATE_SQL, appKey, owner, conversation.type, conversation.targetId, state.isTop ? 1 : 0, state.notificationLevel, state.updatedTime);
      return state;
    });
  }

  async changedSince(appKey: AppKey, owner: UserId, since: number, limit: number): Promise<readonly ConversationState[]> {
    return (await this.database.all<StateRow>(SINCE_SQL, appKey, owner, since, limit)).map(toState);
  }

  async get(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<ConversationState | undefined> {
    const row = await this.database.get<StateRow>(GET_STATE_SQL, appKey, owner, conversation.type, conversation.targetId);
    return row === undefined ? undefined : toState(row);
  }
}

const TYPE_LEVEL_SQL = 'SELECT unpush_level FROM conversation_type_settings WHERE app_key = ? AND owner = ? AND conversation_type = ?';
const TYPE_LEVEL_UPSERT_SQL = `INSERT INTO conversation_type_settings (app_key, owner, conversation_type, unpush_level, updated_time) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, conversation_type) DO UPDATE SET unpush_level = excluded.unpush_level, updated_time = excluded.updated_time`;
const TYPE_LEVEL_DELETE_SQL = 'DELETE FROM conversation_type_settings WHERE app_key = ? AND owner = ? AND conversation_type = ?';

export class PgConversationTypeSettingRepository implements ConversationTypeSettingRepository {
  constructor(private readonly database: PgDatabase) {}

  async setUnpushLevel(appKey: AppKey, owner: UserId, conversationType: number, level: number, now: number): Promise<void> {
    if (level === 0) await this.database.run(TYPE_LEVEL_DELETE_SQL, appKey, owner, conversationType);
    else await this.database.run(TYPE_LEVEL_UPSERT_SQL, appKey, owner, conversationType, level, now);
  }

  async unpushLevel(appKey: AppKey, owner: UserId, conversationType: number): Promise<number> {
    const row = await this.database.get<{ unpush_level: number | string }>(TYPE_LEVEL_SQL, appKey, owner, conversationType);
    return row === undefined ? 0 : Number(row.unpush_level);
  }
}
