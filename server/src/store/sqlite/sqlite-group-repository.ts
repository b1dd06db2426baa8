import { Direction } from '../store';
import type { AppKey, HistoryPage, UserId } from '../store';
import type {
  GroupGag,
  GroupJoinResult,
  GroupMember,
  GroupReader,
  GroupRecord,
  GroupRepository,
  GroupSummary,
  PreJoinHistoryQuery,
  SendPermission,
} from '../group-repository';
import type { SqliteDatabase } from './sqlite-database';
import { REF } from './sqlite-names';
import { MESSAGE_COLUMNS, toStoredMessage } from '../rows';
import type { MessageRow } from '../rows';
import { unique, type GagRow, type GroupRow, type MemberRow } from '../group-rows';

const GROUP = 3;
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

const GET_GROUP_SQL = `SELECT g.group_id, g.name, g.created_time,
    (SELECT COUNT(*) FROM group_members m WHERE m.app_key = g.app_key AND m.group_id = g.group_id) AS member_count
  FROM chat_groups g WHERE g.app_key = ? AND g.group_id = ?`;
const UPSERT_GROUP_SQL = `INSERT INTO chat_groups (app_key, group_id, name, created_time) VALUES (?, ?, COALESCE(?, ''), ?)
  ON CONFLICT (app_key, group_id) DO UPDATE SET name = COALESCE(?, name)`;
const RENAME_SQL = 'UPDATE chat_groups SET name = ? WHERE app_key = ? AND group_id = ?';
const COUNT_MEMBERS_SQL = 'SELECT COUNT(*) AS n FROM group_members WHERE app_key = ? AND group_id = ?';
const MEMBER_SQL = 'SELECT user_id, joined_time FROM group_members WHERE app_key = ? AND group_id = ? AND user_id = ?';
const MEMBERS_SQL = 'SELECT user_id, joined_time FROM group_members WHERE app_key = ? AND group_id = ? ORDER BY joined_time, user_id';
const ADD_MEMBER_SQL = `INSERT INTO group_members (app_key, group_id, user_id, joined_time) VALUES (?, ?, ?, ?)
  ON CONFLICT (app_key, group_id, user_id) DO NOTHING`;
const REMOVE_MEMBER_SQL = 'DELETE FROM group_members WHERE app_key = ? AND group_id = ? AND user_id = ?';
const GROUPS_OF_SQL = `SELECT g.group_id, g.name FROM group_members m
  JOIN chat_groups g ON g.app_key = m.app_key AND g.group_id = m.group_id
  WHERE m.app_key = ? AND m.user_id = ? ORDER BY g.group_id`;
const DISMISS_SQL = [
  'DELETE FROM group_members WHERE app_key = ? AND group_id = ?',
  'DELETE FROM group_gags WHERE app_key = ? AND group_id = ?',
  'DELETE FROM group_bans WHERE app_key = ? AND group_id = ?',
  'DELETE FROM group_ban_whitelist WHERE app_key = ? AND group_id = ?',
];
const DELETE_GROUP_SQL = 'DELETE FROM chat_groups WHERE app_key = ? AND group_id = ?';

const GAG_SQL = `INSERT INTO group_gags (app_key, user_id, group_id, start_time, until) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (app_key, user_id, group_id) DO UPDATE SET start_time = excluded.start_time, until = excluded.until`;
const UNGAG_SQL = 'DELETE FROM group_gags WHERE app_key = ? AND group_id = ? AND user_id = ?';
const GAGS_SQL = `SELECT user_id, group_id, start_time, until FROM group_gags
  WHERE app_key = ? AND group_id = ? AND (until = 0 OR until > ?) ORDER BY user_id`;
const GAGGED_SQL = `SELECT 1 AS found FROM group_gags
  WHERE app_key = ? AND user_id = ? AND group_id IN (?, '') AND (until = 0 OR until > ?) LIMIT 1`;

const BAN_SQL = 'INSERT INTO group_bans (app_key, group_id, since) VALUES (?, ?, ?) ON CONFLICT (app_key, group_id) DO NOTHING';
const UNBAN_SQL = 'DELETE FROM group_bans WHERE app_key = ? AND group_id = ?';
const IS_BANNED_SQL = 'SELECT 1 AS found FROM group_bans WHERE app_key = ? AND group_id = ?';
const BANNED_PAGE_SQL = 'SELECT group_id FROM group_bans WHERE app_key = ? ORDER BY group_id LIMIT ? OFFSET ?';
const WHITELIST_ADD_SQL = `INSERT INTO group_ban_whitelist (app_key, group_id, user_id) VALUES (?, ?, ?)
  ON CONFLICT (app_key, group_id, user_id) DO NOTHING`;
const WHITELIST_REMOVE_SQL = 'DELETE FROM group_ban_whitelist WHERE app_key = ? AND group_id = ? AND user_id = ?';
const WHITELIST_SQL = 'SELECT user_id FROM group_ban_whitelist WHERE app_key = ? AND group_id = ? ORDER BY user_id';
const WHITELISTED_SQL = 'SELECT 1 AS found FROM group_ban_whitelist WHERE app_key = ? AND group_id = ? AND user_id = ?';

// The inbox owners of a group message, written with it (migration 013).
const RECIPIENTS_SQL = `SELECT n.name AS owner
  FROM group_recipients r JOIN json_each(r.owners) j JOIN names n ON n.id = j.value
  WHERE r.message_id = (SELECT id FROM messages WHERE app_key = ? AND uid = ?)
  ORDER BY n.name`;
const SHARE_SQL = `INSERT INTO group_shared_messages (message_id, app_key, group_id, sent_time)
  SELECT id, app_key, target_id, sent_time FROM messages WHERE app_key = ? AND uid = ? AND conversation_type = ${GROUP}
  ON CONFLICT (message_id) DO NOTHING`;
const CLEARED_SQL = `SELECT cleared_up_to AS t FROM conversations WHERE owner_ref = ${REF} AND type = ${GROUP} AND target_ref = ${REF}`;
const SHARED = `SELECT ${MESSAGE_COLUMNS} FROM group_shared_messages s JOIN messages m ON m.id = s.message_id
  WHERE s.app_key = ? AND s.group_id = ? AND s.sent_time > ? AND s.sent_time < ? AND m.recalled = 0`;
const SHARED_OLDER_SQL = `${SHARED} ORDER BY s.sent_time DESC LIMIT ?`;
const SHARED_NEWER_SQL = `${SHARED} ORDER BY s.sent_time ASC LIMIT ?`;

const MARK_READ_SQL = `INSERT INTO group_reads (message_id, user_id, read_time)
  SELECT id, ?, ? FROM messages WHERE app_key = ? AND uid = ? AND conversation_type = ${GROUP} AND target_id = ?
  ON CONFLICT (message_id, user_id) DO NOTHING`;
const READERS_SQL = `SELECT r.user_id, r.read_time FROM group_reads r
  WHERE r.message_id = (SELECT id FROM messages WHERE app_key = ? AND uid = ?) ORDER BY r.read_time, r.user_id`;


export class SqliteGroupRepository implements GroupRepository {
  constructor(
    private readonly database: SqliteDatabase,
    /** Moves pending entries (SqliteMessageRepository.settle; one owner's, or all): before reading entries or conversations. */
    private readonly settle: (appKey?: AppKey, owner?: UserId) => Promise<void>,
  ) {}

  async join(appKey: AppKey, groupId: string, userIds: readonly UserId[], options: { readonly name?: string; readonly maxMembers: number; readonly now: number }): Promise<GroupJoinResult> {
    return this.database.write(() => this.joinNow(appKey, groupId, userIds, options.name, options.maxMembers, options.now));
  }

  /** Inside a write transaction. */
  private joinNow(appKey: AppKey, groupId: string, userIds: readonly UserId[], name: string | undefined, maxMembers: number, now: number): GroupJoinResult {
    const db = this.database;
    const count = db.get<{ n: number }>(COUNT_MEMBERS_SQL, appKey, groupId)?.n ?? 0;
    const added = unique(userIds).filter((userId) => db.get<MemberRow>(MEMBER_SQL, appKey, groupId, userId) === undefined);
    if (count + added.length > maxMembers) return { ok: false, reason: 'full', groupId, memberCount: count };
    db.run(UPSERT_GROUP_SQL, appKey, groupId, name ?? null, now, name ?? null);
    for (const userId of added) db.run(ADD_MEMBER_SQL, appKey, groupId, userId, now);
    return { ok: true, added, memberCount: count + added.length };
  }

  async quit(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void> {
    this.database.write(() => {
      for (const userId of unique(userIds)) this.database.run(REMOVE_MEMBER_SQL, appKey, groupId, userId);
    });
  }

  async dismiss(appKey: AppKey, groupId: string): Promise<boolean> {
    return this.database.write(() => {
      for (const sql of DISMISS_SQL) this.database.run(sql, appKey, groupId);
      return this.database.run(DELETE_GROUP_SQL, appKey, groupId) > 0;
    });
  }

  async rename(appKey: AppKey, groupId: string, name: string): Promise<boolean> {
    return this.database.write(() => this.database.run(RENAME_SQL, name, appKey, groupId) > 0);
  }

  async get(appKey: AppKey, groupId: string): Promise<GroupRecord | undefined> {
    const row = this.database.get<GroupRow>(GET_GROUP_SQL, appKey, groupId);
    if (row === undefined) return undefined;
    return { appKey, groupId: row.group_id, name: row.name, createdTime: row.created_time, memberCount: row.member_count };
  }

  async members(appKey: AppKey, groupId: string): Promise<readonly GroupMember[]> {
    return this.database.all<MemberRow>(MEMBERS_SQL, appKey, groupId).map((row) => ({ userId: row.user_id, joinedTime: row.joined_time }));
  }

  async member(appKey: AppKey, groupId: string, userId: UserId): Promise<GroupMember | undefined> {
    const row = this.database.get<MemberRow>(MEMBER_SQL, appKey, groupId, userId);
    return row === undefined ? undefined : { userId: row.user_id, joinedTime: row.joined_time };
  }

  async groupsOf(appKey: AppKey, userId: UserId): Promise<readonly GroupSummary[]> {
    return this.database.all<{ group_id: string; name: string }>(GROUPS_OF_SQL, appKey, userId).map((row) => ({ groupId: row.group_id, name: row.name }));
  }

  async replaceGroupsOf(appKey: AppKey, userId: UserId, groups: readonly GroupSummary[], options: { readonly maxMembers: number; readonly now: number }): Promise<GroupJoinResult> {
    const db = this.database;
    // Throwing rolls the transaction back, so a full group leaves the user's groups untouched.
    class Full extends Error {
      constructor(readonly result: GroupJoinResult) {
        super('full');
      }
    }
    try {
      return db.write((): GroupJoinResult => {
        const wanted = new Map(groups.map((g) => [g.groupId, g.name] as const));
        for (const current of db.all<{ group_id: string }>(GROUPS_OF_SQL, appKey, userId)) {
          if (!wanted.has(current.group_id)) db.run(REMOVE_MEMBER_SQL, appKey, current.group_id, userId);
        }
        for (const [groupId, name] of wanted) {
          const result = this.joinNow(appKey, groupId, [userId], name, options.maxMembers, options.now);
          if (!result.ok) throw new Full(result);
        }
        return { ok: true, added: [], memberCount: wanted.size };
      });
    } catch (error) {
      if (error instanceof Full) return error.result;
      throw error;
    }
  }

  async gag(appKey: AppKey, groupId: string, userIds: readonly UserId[], until: number, now: number): Promise<void> {
    this.database.write(() => {
      for (const userId of unique(userIds)) this.database.run(GAG_SQL, appKey, userId, groupId, now, until);
    });
  }

  async ungag(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void> {
    this.database.write(() => {
      for (const userId of unique(userIds)) this.database.run(UNGAG_SQL, appKey, groupId, userId);
    });
  }

  async gags(appKey: AppKey, groupId: string, now: number): Promise<readonly GroupGag[]> {
    return this.database
      .all<GagRow>(GAGS_SQL, appKey, groupId, now)
      .map((row) => ({ groupId: row.group_id, userId: row.user_id, startTime: row.start_time, until: row.until }));
  }

  async setBanned(appKey: AppKey, groupIds: readonly string[], banned: boolean, now: number): Promise<void> {
    this.database.write(() => {
      for (const groupId of unique(groupIds)) {
        if (banned) this.database.run(BAN_SQL, appKey, groupId, now);
        else this.database.run(UNBAN_SQL, appKey, groupId);
      }
    });
  }

  async bannedAmong(appKey: AppKey, groupIds: readonly string[]): Promise<ReadonlySet<string>> {
    return this.database.read(() => new Set(groupIds.filter((groupId) => this.database.get(IS_BANNED_SQL, appKey, groupId) !== undefined)));
  }

  async bannedGroups(appKey: AppKey, offset: number, limit: number): Promise<readonly string[]> {
    return this.database.all<{ group_id: string }>(BANNED_PAGE_SQL, appKey, Math.max(0, limit), Math.max(0, offset)).map((row) => row.group_id);
  }

  async addBanWhitelist(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void> {
    this.database.write(() => {
      for (const userId of unique(userIds)) this.database.run(WHITELIST_ADD_SQL, appKey, groupId, userId);
    });
  }

  async removeBanWhitelist(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void> {
    this.database.write(() => {
      for (const userId of unique(userIds)) this.database.run(WHITELIST_REMOVE_SQL, appKey, groupId, userId);
    });
  }

  async banWhitelist(appKey: AppKey, groupId: string): Promise<readonly UserId[]> {
    return this.database.all<{ user_id: string }>(WHITELIST_SQL, appKey, groupId).map((row) => row.user_id);
  }

  async sendPermission(appKey: AppKey, groupId: string, userId: UserId, now: number): Promise<SendPermission> {
    const db = this.database;
    return db.read((): SendPermission => {
      if (db.get(MEMBER_SQL, appKey, groupId, userId) === undefined) return 'not-member';
      if (db.get(GAGGED_SQL, appKey, userId, groupId, now) !== undefined) return 'muted';
      if (db.get(IS_BANNED_SQL, appKey, groupId) !== undefined && db.get(WHITELISTED_SQL, appKey, groupId, userId) === undefined) return 'muted';
      return 'allowed';
    });
  }

  async recipientsOf(appKey: AppKey, uid: string): Promise<readonly UserId[]> {
    // Written in the message's own commit: every answered append is there, nothing to move first.
    return this.database.all<{ owner: string }>(RECIPIENTS_SQL, appKey, uid).map((row) => row.owner);
  }

  async shareWithLaterMembers(appKey: AppKey, uid: string): Promise<void> {
    this.database.write(() => {
      this.database.run(SHARE_SQL, appKey, uid);
    });
  }

  async historyBeforeJoin(query: PreJoinHistoryQuery): Promise<HistoryPage> {
    const { appKey, owner, groupId } = query;
    const count = Math.max(0, Math.floor(query.count));
    const db = this.database;
    await this.settle(appKey, owner);
    return db.read(() => {
      const cleared = db.get<{ t: number }>(CLEARED_SQL, appKey, owner, appKey, groupId)?.t ?? 0;
      const upper = query.order === 0 && query.time > 0 ? Math.min(query.time, query.before) : query.before;
      const lower = query.order === 1 ? Math.max(cleared, query.time) : cleared;
      const rows = db.all<MessageRow>(query.order === 0 ? SHARED_OLDER_SQL : SHARED_NEWER_SQL, appKey, groupId, lower, Math.min(upper, NO_UPPER_BOUND), count + 1);
      const page = rows.slice(0, count).map((row) => ({ message: toStoredMessage(row), direction: Direction.Receive, mentioned: false }));
      if (query.order === 1) page.reverse();
      return { messages: page, hasMore: rows.length > count };
    });
  }

  async markRead(appKey: AppKey, groupId: string, uids: readonly string[], userId: UserId, now: number): Promise<void> {
    this.database.write(() => {
      for (const uid of unique(uids)) this.database.run(MARK_READ_SQL, userId, now, appKey, uid, groupId);
    });
  }

  async readers(appKey: AppKey, uid: string): Promise<readonly GroupReader[]> {
    return this.database.all<{ user_id: string; read_time: number }>(READERS_SQL, appKey, uid).map((row) => ({ userId: row.user_id, readTime: row.read_time }));
  }
}
