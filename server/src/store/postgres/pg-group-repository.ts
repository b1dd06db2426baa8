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
import { MESSAGE_COLUMNS, toStoredMessage } from '../rows';
import type { MessageRow } from '../rows';
import { unique, type GagRow, type GroupRow, type MemberRow } from '../group-rows';
import type { PgDatabase, PgQueryable } from './pg-database';

const GROUP = 3;
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

const GET_GROUP_SQL = `SELECT g.group_id, g.name, g.created_time,
    (SELECT COUNT(*) FROM group_members m WHERE m.app_key = g.app_key AND m.group_id = g.group_id) AS member_count
  FROM chat_groups g WHERE g.app_key = ? AND g.group_id = ?`;
// The group row is the per-group serialization point of joins (count + insert against maxMembers):
// the no-op upsert creates it if missing and holds its row lock until COMMIT on every node.
const LOCK_GROUP_SQL = `INSERT INTO chat_groups (app_key, group_id, name, created_time) VALUES (?, ?, '', ?)
  ON CONFLICT (app_key, group_id) DO UPDATE SET name = chat_groups.name`;
const RENAME_SQL = 'UPDATE chat_groups SET name = ? WHERE app_key = ? AND group_id = ?';
const COUNT_MEMBERS_SQL = 'SELECT COUNT(*) AS n FROM group_members WHERE app_key = ? AND group_id = ?';
const MEMBER_SQL = 'SELECT user_id, joined_time FROM group_members WHERE app_key = ? AND group_id = ? AND user_id = ?';
const MEMBERS_AMONG_SQL = 'SELECT user_id FROM group_members WHERE app_key = ? AND group_id = ? AND user_id = ANY(?::text[])';
const MEMBERS_SQL = 'SELECT user_id, joined_time FROM group_members WHERE app_key = ? AND group_id = ? ORDER BY joined_time, user_id';
const ADD_MEMBERS_SQL = `INSERT INTO group_members (app_key, group_id, user_id, joined_time)
  SELECT ?, ?, u, ? FROM unnest(?::text[]) AS u ON CONFLICT (app_key, group_id, user_id) DO NOTHING`;
const REMOVE_MEMBERS_SQL = 'DELETE FROM group_members WHERE app_key = ? AND group_id = ? AND user_id = ANY(?::text[])';
const QUIT_OTHERS_SQL = 'DELETE FROM group_members WHERE app_key = ? AND user_id = ? AND NOT (group_id = ANY(?::text[]))';
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

const GAG_SQL = `INSERT INTO group_gags (app_key, user_id, group_id, start_time, until)
  SELECT ?, u, ?, ?, ? FROM unnest(?::text[]) AS u
  ON CONFLICT (app_key, user_id, group_id) DO UPDATE SET start_time = EXCLUDED.start_time, until = EXCLUDED.until`;
const UNGAG_SQL = 'DELETE FROM group_gags WHERE app_key = ? AND group_id = ? AND user_id = ANY(?::text[])';
const GAGS_SQL = `SELECT user_id, group_id, start_time, until FROM group_gags
  WHERE app_key = ? AND group_id = ? AND (until = 0 OR until > ?) ORDER BY user_id`;
const GAGGED_SQL = `SELECT 1 AS found FROM group_gags
  WHERE app_key = ? AND user_id = ? AND group_id IN (?, '') AND (until = 0 OR until > ?) LIMIT 1`;

const BAN_SQL = `INSERT INTO group_bans (app_key, group_id, since) SELECT ?, g, ? FROM unnest(?::text[]) AS g
  ON CONFLICT (app_key, group_id) DO NOTHING`;
const UNBAN_SQL = 'DELETE FROM group_bans WHERE app_key = ? AND group_id = ANY(?::text[])';
const IS_BANNED_SQL = 'SELECT 1 AS found FROM group_bans WHERE app_key = ? AND group_id = ?';
const BANNED_AMONG_SQL = 'SELECT group_id FROM group_bans WHERE app_key = ? AND group_id = ANY(?::text[])';
const BANNED_PAGE_SQL = 'SELECT group_id FROM group_bans WHERE app_key = ? ORDER BY group_id LIMIT ? OFFSET ?';
const WHITELIST_ADD_SQL = `INSERT INTO group_ban_whitelist (app_key, group_id, user_id) SELECT ?, ?, u FROM unnest(?::text[]) AS u
  ON CONFLICT (app_key, group_id, user_id) DO NOTHING`;
const WHITELIST_REMOVE_SQL = 'DELETE FROM group_ban_whitelist WHERE app_key = ? AND group_id = ? AND user_id = ANY(?::text[])';
const WHITELIST_SQL = 'SELECT user_id FROM group_ban_whitelist WHERE app_key = ? AND group_id = ? ORDER BY user_id';
const WHITELISTED_SQL = 'SELECT 1 AS found FROM group_ban_whitelist WHERE app_key = ? AND group_id = ? AND user_id = ?';

const RECIPIENTS_SQL = `SELECT e.owner FROM entries e
  WHERE e.message_id = (SELECT id FROM messages WHERE app_key = ? AND uid = ?) AND e.direction = ${Direction.Receive}
  ORDER BY e.owner`;
const SHARE_SQL = `INSERT INTO group_shared_messages (message_id, app_key, group_id, sent_time)
  SELECT id, app_key, target_id, sent_time FROM messages WHERE app_key = ? AND uid = ? AND conversation_type = ${GROUP}
  ON CONFLICT (message_id) DO NOTHING`;
const CLEARED_SQL = `SELECT cleared_up_to AS t FROM conversations WHERE app_key = ? AND owner = ? AND type = ${GROUP} AND target_id = ?`;
const SHARED = `SELECT ${MESSAGE_COLUMNS} FROM group_shared_messages s JOIN messages m ON m.id = s.message_id
  WHERE s.app_key = ? AND s.group_id = ? AND s.sent_time > ? AND s.sent_time < ? AND m.recalled = 0`;
const SHARED_OLDER_SQL = `${SHARED} ORDER BY s.sent_time DESC LIMIT ?`;
const SHARED_NEWER_SQL = `${SHARED} ORDER BY s.sent_time ASC LIMIT ?`;

const MARK_READ_SQL = `INSERT INTO group_reads (message_id, user_id, read_time)
  SELECT id, ?, ? FROM messages WHERE app_key = ? AND uid = ANY(?::text[]) AND conversation_type = ${GROUP} AND target_id = ?
  ON CONFLICT (message_id, user_id) DO NOTHING`;
const READERS_SQL = `SELECT r.user_id, r.read_time FROM group_reads r
  WHERE r.message_id = (SELECT id FROM messages WHERE app_key = ? AND uid = ?) ORDER BY r.read_time, r.user_id`;


/** Thrown inside a transaction to roll it back and hand a result out (a full group changes nothing). */
class Rejected extends Error {
  constructor(readonly result: GroupJoinResult) {
    super('group full');
  }
}

export class PgGroupRepository implements GroupRepository {
  constructor(private readonly database: PgDatabase) {}

  async join(appKey: AppKey, groupId: string, userIds: readonly UserId[], options: { readonly name?: string; readonly maxMembers: number; readonly now: number }): Promise<GroupJoinResult> {
    try {
      return await this.database.tx((q) => joinIn(q, appKey, groupId, userIds, options.name, options.maxMembers, options.now));
    } catch (error) {
      if (error instanceof Rejected) return error.result;
      throw error;
    }
  }

  async quit(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.database.run(REMOVE_MEMBERS_SQL, appKey, groupId, unique(userIds));
  }

  async dismiss(appKey: AppKey, groupId: string): Promise<boolean> {
    return this.database.tx(async (q) => {
      // The group row goes first: deleting it takes the lock concurrent joins wait on.
      const existed = (await q.run(DELETE_GROUP_SQL, appKey, groupId)) > 0;
      for (const sql of DISMISS_SQL) await q.run(sql, appKey, groupId);
      return existed;
    });
  }

  async rename(appKey: AppKey, groupId: string, name: string): Promise<boolean> {
    return (await this.database.run(RENAME_SQL, name, appKey, groupId)) > 0;
  }

  async get(appKey: AppKey, groupId: string): Promise<GroupRecord | undefined> {
    const row = await this.database.get<GroupRow>(GET_GROUP_SQL, appKey, groupId);
    if (row === undefined) return undefined;
    return { appKey, groupId: row.group_id, name: row.name, createdTime: row.created_time, memberCount: row.member_count };
  }

  async members(appKey: AppKey, groupId: string): Promise<readonly GroupMember[]> {
    return (await this.database.all<MemberRow>(MEMBERS_SQL, appKey, groupId)).map((row) => ({ userId: row.user_id, joinedTime: row.joined_time }));
  }

  async member(appKey: AppKey, groupId: string, userId: UserId): Promise<GroupMember | undefined> {
    const row = await this.database.get<MemberRow>(MEMBER_SQL, appKey, groupId, userId);
    return row === undefined ? undefined : { userId: row.user_id, joinedTime: row.joined_time };
  }

  async groupsOf(appKey: AppKey, userId: UserId): Promise<readonly GroupSummary[]> {
    return (await this.database.all<{ group_id: string; name: string }>(GROUPS_OF_SQL, appKey, userId)).map((row) => ({ groupId: row.group_id, name: row.name }));
  }

  async replaceGroupsOf(appKey: AppKey, userId: UserId, groups: readonly GroupSummary[], options: { readonly maxMembers: number; readonly now: number }): Promise<GroupJoinResult> {
    const wanted = new Map(groups.map((g) => [g.groupId, g.name] as const));
    try {
      return await this.database.tx(async (q): Promise<GroupJoinResult> => {
        await q.run(QUIT_OTHERS_SQL, appKey, userId, [...wanted.keys()]);
        // Group locks are taken in groupId order so that two concurrent replaces cannot deadlock.
        for (const groupId of [...wanted.keys()].sort()) {
          await joinIn(q, appKey, groupId, [userId], wanted.get(groupId), options.maxMembers, options.now);
        }
        return { ok: true, added: [], memberCount: wanted.size };
      });
    } catch (error) {
      if (error instanceof Rejected) return error.result;
      throw error;
    }
  }

  async gag(appKey: AppKey, groupId: string, userIds: readonly UserId[], until: number, now: number): Promise<void> {
    if (userIds.length === 0) return;
    await this.database.run(GAG_SQL, appKey, groupId, now, until, unique(userIds));
  }

  async ungag(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.database.run(UNGAG_SQL, appKey, groupId, unique(userIds));
  }

  async gags(appKey: AppKey, groupId: string, now: number): Promise<readonly GroupGag[]> {
    return (await this.database.all<GagRow>(GAGS_SQL, appKey, groupId, now)).map((row) => ({
      groupId: row.group_id,
      userId: row.user_id,
      startTime: row.start_time,
      until: row.until,
    }));
  }

  async setBanned(appKey: AppKey, groupIds: readonly string[], banned: boolean, now: number): Promise<void> {
    if (groupIds.length === 0) return;
    if (banned) await this.database.run(BAN_SQL, appKey, now, unique(groupIds));
    else await this.database.run(UNBAN_SQL, appKey, unique(groupIds));
  }

  async bannedAmong(appKey: AppKey, groupIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (groupIds.length === 0) return new Set();
    return new Set((await this.database.all<{ group_id: string }>(BANNED_AMONG_SQL, appKey, unique(groupIds))).map((row) => row.group_id));
  }

  async bannedGroups(appKey: AppKey, offset: number, limit: number): Promise<readonly string[]> {
    const rows = await this.database.all<{ group_id: string }>(BANNED_PAGE_SQL, appKey, Math.max(0, limit), Math.max(0, offset));
    return rows.map((row) => row.group_id);
  }

  async addBanWhitelist(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.database.run(WHITELIST_ADD_SQL, appKey, groupId, unique(userIds));
  }

  async removeBanWhitelist(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.database.run(WHITELIST_REMOVE_SQL, appKey, groupId, unique(userIds));
  }

  async banWhitelist(appKey: AppKey, groupId: string): Promise<readonly UserId[]> {
    return (await this.database.all<{ user_id: string }>(WHITELIST_SQL, appKey, groupId)).map((row) => row.user_id);
  }

  async sendPermission(appKey: AppKey, groupId: string, userId: UserId, now: number): Promise<SendPermission> {
    return this.database.read(async (q): Promise<SendPermission> => {
      if ((await q.get(MEMBER_SQL, appKey, groupId, userId)) === undefined) return 'not-member';
      if ((await q.get(GAGGED_SQL, appKey, userId, groupId, now)) !== undefined) return 'muted';
      if ((await q.get(IS_BANNED_SQL, appKey, groupId)) !== undefined && (await q.get(WHITELISTED_SQL, appKey, groupId, userId)) === undefined) return 'muted';
      return 'allowed';
    });
  }

  async recipientsOf(appKey: AppKey, uid: string): Promise<readonly UserId[]> {
    return (await this.database.all<{ owner: string }>(RECIPIENTS_SQL, appKey, uid)).map((row) => row.owner);
  }

  async shareWithLaterMembers(appKey: AppKey, uid: string): Promise<void> {
    await this.database.run(SHARE_SQL, appKey, uid);
  }

  async historyBeforeJoin(query: PreJoinHistoryQuery): Promise<HistoryPage> {
    const { appKey, owner, groupId } = query;
    const count = Math.max(0, Math.floor(query.count));
    return this.database.read(async (q) => {
      const cleared = (await q.get<{ t: number }>(CLEARED_SQL, appKey, owner, groupId))?.t ?? 0;
      const upper = query.order === 0 && query.time > 0 ? Math.min(query.time, query.before) : query.before;
      const lower = query.order === 1 ? Math.max(cleared, query.time) : cleared;
      const sql = query.order === 0 ? SHARED_OLDER_SQL : SHARED_NEWER_SQL;
      const rows = await q.all<MessageRow>(sql, appKey, groupId, lower, Math.min(upper, NO_UPPER_BOUND), count + 1);
      const page = rows.slice(0, count).map((row) => ({ message: toStoredMessage(row), direction: Direction.Receive, mentioned: false }));
      if (query.order === 1) page.reverse();
      return { messages: page, hasMore: rows.length > count };
    });
  }

  async markRead(appKey: AppKey, groupId: string, uids: readonly string[], userId: UserId, now: number): Promise<void> {
    if (uids.length === 0) return;
    await this.database.run(MARK_READ_SQL, userId, now, appKey, unique(uids), groupId);
  }

  async readers(appKey: AppKey, uid: string): Promise<readonly GroupReader[]> {
    const rows = await this.database.all<{ user_id: string; read_time: number }>(READERS_SQL, appKey, uid);
    return rows.map((row) => ({ userId: row.user_id, readTime: row.read_time }));
  }
}

/**
 * Inside a transaction: locks the group row (creating the group), then counts and adds under that lock.
 * Throws `Rejected` (rolling everything back, including the group's creation) when the group would overflow.
 */
async function joinIn(q: PgQueryable, appKey: AppKey, groupId: string, userIds: readonly UserId[], name: string | undefined, maxMembers: number, now: number): Promise<GroupJoinResult> {
  await q.run(LOCK_GROUP_SQL, appKey, groupId, now);
  const count = (await q.get<{ n: number }>(COUNT_MEMBERS_SQL, appKey, groupId))?.n ?? 0;
  const wanted = unique(userIds);
  const present = new Set((await q.all<{ user_id: string }>(MEMBERS_AMONG_SQL, appKey, groupId, wanted)).map((row) => row.user_id));
  const added = wanted.filter((userId) => !present.has(userId));
  if (count + added.length > maxMembers) throw new Rejected({ ok: false, reason: 'full', groupId, memberCount: count });
  if (name !== undefined) await q.run(RENAME_SQL, name, appKey, groupId);
  if (added.length > 0) await q.run(ADD_MEMBERS_SQL, appKey, groupId, now, added);
  return { ok: true, added, memberCount: count + added.length };
}
