import type { AppKey, ConversationKey, UserId } from '../store';
import type { ConversationTagLink, LinkChange, LinkResult, RemoveTagsResult, SaveTagsResult, TagDefinition, TagLimits, TagRecord, TagRepository } from '../tag-repository';
import { conversationTagKey } from '../tag-repository';
import type { PgDatabase, PgQueryable } from './pg-database';
import { currentOwnerVersion, lockOwnerVersion, nextOwnerVersion, stampConversationStates } from './pg-owner-clock';

const EXISTING_TAGS_SQL = 'SELECT tag_id FROM tags WHERE app_key = ? AND owner = ? AND tag_id = ANY(?::text[])';
const COUNT_TAGS_SQL = 'SELECT COUNT(*) AS n FROM tags WHERE app_key = ? AND owner = ?';
// Later definitions of the same id win, as when the SQLite version upserts them one by one.
const UPSERT_TAGS_SQL = `INSERT INTO tags (app_key, owner, tag_id, name, created_time)
  SELECT DISTINCT ON (u.tag_id) ?, ?, u.tag_id, u.name, ? FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS u(tag_id, name, n)
  ORDER BY u.tag_id, u.n DESC
  ON CONFLICT (app_key, owner, tag_id) DO UPDATE SET name = EXCLUDED.name`;
const DELETE_TAGS_SQL = 'DELETE FROM tags WHERE app_key = ? AND owner = ? AND tag_id = ANY(?::text[])';
const LIST_SQL = `SELECT t.tag_id, t.name, t.created_time,
    (SELECT COUNT(*) FROM conversation_tags c WHERE c.app_key = t.app_key AND c.owner = t.owner AND c.tag_id = t.tag_id) AS n
  FROM tags t WHERE t.app_key = ? AND t.owner = ? ORDER BY t.created_time, t.tag_id`;
const DELETE_LINKS_OF_TAGS_SQL = `DELETE FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ANY(?::text[])
  RETURNING conversation_type, target_id`;
const COUNT_LINKS_SQL = 'SELECT COUNT(*) AS n FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ?';
const PAIRS = 'SELECT * FROM unnest(?::bigint[], ?::text[])';
const LINKED_AMONG_SQL = `SELECT conversation_type, target_id FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ?
  AND (conversation_type, target_id) IN (${PAIRS})`;
// A NULL top keeps an existing link's flag (false for a new link).
const UPSERT_LINKS_SQL = `INSERT INTO conversation_tags (app_key, owner, tag_id, conversation_type, target_id, is_top)
  SELECT ?, ?, ?, u.t, u.id, COALESCE(?::bigint, 0) FROM unnest(?::bigint[], ?::text[]) AS u(t, id)
  ON CONFLICT (app_key, owner, tag_id, conversation_type, target_id) DO UPDATE SET is_top = COALESCE(?::bigint, conversation_tags.is_top)`;
const DELETE_LINKS_SQL = `DELETE FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ANY(?::text[])
  AND (conversation_type, target_id) IN (${PAIRS}) RETURNING conversation_type, target_id`;
const TAGS_OF_SQL = `SELECT conversation_type, target_id, tag_id, is_top FROM conversation_tags
  WHERE app_key = ? AND owner = ? AND (conversation_type, target_id) IN (${PAIRS}) ORDER BY tag_id`;

interface ListRow {
  readonly tag_id: string;
  readonly name: string;
  readonly created_time: number;
  readonly n: number;
}

interface PairRow {
  readonly conversation_type: number;
  readonly target_id: string;
}

function distinctConversations(conversations: readonly ConversationKey[]): ConversationKey[] {
  const byKey = new Map<string, ConversationKey>();
  for (const c of conversations) if (!byKey.has(conversationTagKey(c))) byKey.set(conversationTagKey(c), c);
  return [...byKey.values()];
}

function pairKey(row: PairRow): string {
  return conversationTagKey({ type: row.conversation_type, targetId: row.target_id });
}

/**
 * Every write holds the owner's 'settings' version row lock (pg-owner-clock.ts) from its checks to COMMIT: the
 * tag/link limits, the existence checks and the settings version are consistent across nodes.
 */
export class PgTagRepository implements TagRepository {
  constructor(private readonly database: PgDatabase) {}

  async save(appKey: AppKey, owner: UserId, tags: readonly TagDefinition[], limits: TagLimits, now: number): Promise<SaveTagsResult> {
    return this.database.tx(async (q): Promise<SaveTagsResult> => {
      const locked = await lockOwnerVersion(q, appKey, owner, 'settings');
      const ids = [...new Set(tags.map((t) => t.tagId))];
      const existing = (await q.all<{ tag_id: string }>(EXISTING_TAGS_SQL, appKey, owner, ids)).length;
      const count = (await q.get<{ n: number }>(COUNT_TAGS_SQL, appKey, owner))?.n ?? 0;
      if (count + ids.length - existing > limits.maxTags) return { ok: false, reason: 'limit' };
      const version = await nextOwnerVersion(q, appKey, owner, 'settings', locked, now);
      // A new tag's createdTime is the version the client gets back (E4 stores that as createdTime).
      if (tags.length > 0) await q.run(UPSERT_TAGS_SQL, appKey, owner, version, tags.map((t) => t.tagId), tags.map((t) => t.name));
      return { ok: true, version };
    });
  }

  async remove(appKey: AppKey, owner: UserId, tagIds: readonly string[], now: number): Promise<RemoveTagsResult> {
    return this.database.tx(async (q): Promise<RemoveTagsResult> => {
      const locked = await lockOwnerVersion(q, appKey, owner, 'settings');
      const ids = [...new Set(tagIds)];
      const unlinked = (await q.all<PairRow>(DELETE_LINKS_OF_TAGS_SQL, appKey, owner, ids)).map((row) => ({ type: row.conversation_type, targetId: row.target_id }));
      const removed = await q.run(DELETE_TAGS_SQL, appKey, owner, ids);
      const version = removed > 0 ? await nextOwnerVersion(q, appKey, owner, 'settings', locked, now) : locked;
      return { version, removed, stateVersion: await stampConversationStates(q, appKey, owner, unlinked, now) };
    });
  }

  async list(appKey: AppKey, owner: UserId): Promise<readonly TagRecord[]> {
    const rows = await this.database.all<ListRow>(LIST_SQL, appKey, owner);
    return rows.map((row) => ({ tagId: row.tag_id, name: row.name, createdTime: row.created_time, conversationCount: row.n }));
  }

  async settingsVersion(appKey: AppKey, owner: UserId): Promise<number> {
    return currentOwnerVersion(this.database, appKey, owner, 'settings');
  }

  async link(appKey: AppKey, owner: UserId, changes: readonly LinkChange[], limits: TagLimits, now: number): Promise<LinkResult> {
    return this.database.tx(async (q): Promise<LinkResult> => {
      await lockOwnerVersion(q, appKey, owner, 'settings');
      // Check every tag first: a refused call writes nothing.
      const tagIds = [...new Set(changes.map((c) => c.tagId))];
      const known = new Set((await q.all<{ tag_id: string }>(EXISTING_TAGS_SQL, appKey, owner, tagIds)).map((row) => row.tag_id));
      if (tagIds.some((tagId) => !known.has(tagId))) return { ok: false, reason: 'no-tag' };
      const added = new Map<string, Set<string>>();
      for (const change of changes) {
        const fresh = added.get(change.tagId) ?? new Set<string>();
        const linked = new Set((await linkedAmong(q, appKey, owner, change.tagId, change.conversations)).map(pairKey));
        for (const c of change.conversations) if (!linked.has(conversationTagKey(c))) fresh.add(conversationTagKey(c));
        added.set(change.tagId, fresh);
      }
      for (const [tagId, fresh] of added) {
        const count = (await q.get<{ n: number }>(COUNT_LINKS_SQL, appKey, owner, tagId))?.n ?? 0;
        if (count + fresh.size > limits.maxConversationsPerTag) return { ok: false, reason: 'limit' };
      }
      const touched: ConversationKey[] = [];
      for (const change of changes) {
        const conversations = distinctConversations(change.conversations);
        if (conversations.length === 0) continue;
        const top = change.isTop === undefined ? null : change.isTop ? 1 : 0;
        await q.run(UPSERT_LINKS_SQL, appKey, owner, change.tagId, top, conversations.map((c) => c.type), conversations.map((c) => c.targetId), top);
        touched.push(...change.conversations);
      }
      return { ok: true, stateVersion: await stampConversationStates(q, appKey, owner, touched, now) };
    });
  }

  async unlink(appKey: AppKey, owner: UserId, tagIds: readonly string[], conversations: readonly ConversationKey[], now: number): Promise<{ readonly stateVersion: number }> {
    return this.database.tx(async (q) => {
      await lockOwnerVersion(q, appKey, owner, 'settings');
      if (tagIds.length === 0 || conversations.length === 0) return { stateVersion: 0 };
      const deleted = await q.all<PairRow>(DELETE_LINKS_SQL, appKey, owner, [...new Set(tagIds)], conversations.map((c) => c.type), conversations.map((c) => c.targetId));
      const changed = new Set(deleted.map(pairKey));
      const touched = conversations.filter((c) => changed.has(conversationTagKey(c)));
      return { stateVersion: await stampConversationStates(q, appKey, owner, touched, now) };
    });
  }

  async tagsOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[]): Promise<ReadonlyMap<string, readonly ConversationTagLink[]>> {
    const out = new Map<string, ConversationTagLink[]>();
    if (conversations.length === 0) return out;
    const rows = await this.database.all<PairRow & { tag_id: string; is_top: number }>(
      TAGS_OF_SQL, appKey, owner, conversations.map((c) => c.type), conversations.map((c) => c.targetId),
    );
    const found = new Map<string, ConversationTagLink[]>();
    for (const row of rows) {
      const links = found.get(pairKey(row)) ?? [];
      links.push({ tagId: row.tag_id, isTop: row.is_top === 1 });
      found.set(pairKey(row), links);
    }
    // In the caller's order, like the SQLite version.
    for (const c of conversations) {
      const links = found.get(conversationTagKey(c));
      if (links !== undefined) out.set(conversationTagKey(c), links);
    }
    return out;
  }
}

async function linkedAmong(q: PgQueryable, appKey: AppKey, owner: UserId, tagId: string, conversations: readonly ConversationKey[]): Promise<PairRow[]> {
  if (conversations.length === 0) return [];
  return q.all<PairRow>(LINKED_AMONG_SQL, appKey, owner, tagId, conversations.map((c) => c.type), conversations.map((c) => c.targetId));
}
