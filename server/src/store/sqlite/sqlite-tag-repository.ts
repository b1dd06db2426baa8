import type { AppKey, ConversationKey, UserId } from '../store';
import type { ConversationTagLink, LinkChange, LinkResult, RemoveTagsResult, SaveTagsResult, TagDefinition, TagLimits, TagRecord, TagRepository } from '../tag-repository';
import { conversationTagKey } from '../tag-repository';
import type { SqliteDatabase } from './sqlite-database';
import { currentOwnerVersion, nextOwnerVersion, stampConversationStates } from './sqlite-owner-clock';

const TAG_SQL = 'SELECT created_time FROM tags WHERE app_key = ? AND owner = ? AND tag_id = ?';
const COUNT_TAGS_SQL = 'SELECT COUNT(*) AS n FROM tags WHERE app_key = ? AND owner = ?';
const UPSERT_TAG_SQL = `INSERT INTO tags (app_key, owner, tag_id, name, created_time) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, tag_id) DO UPDATE SET name = excluded.name`;
const DELETE_TAG_SQL = 'DELETE FROM tags WHERE app_key = ? AND owner = ? AND tag_id = ?';
const LIST_SQL = `SELECT t.tag_id, t.name, t.created_time,
    (SELECT COUNT(*) FROM conversation_tags c WHERE c.app_key = t.app_key AND c.owner = t.owner AND c.tag_id = t.tag_id) AS n
  FROM tags t WHERE t.app_key = ? AND t.owner = ? ORDER BY t.created_time, t.tag_id`;
const LINKED_OF_TAG_SQL = 'SELECT conversation_type, target_id FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ?';
const DELETE_LINKS_OF_TAG_SQL = 'DELETE FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ?';
const COUNT_LINKS_SQL = 'SELECT COUNT(*) AS n FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ?';
const LINK_SQL = 'SELECT is_top FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ? AND conversation_type = ? AND target_id = ?';
const UPSERT_LINK_SQL = `INSERT INTO conversation_tags (app_key, owner, tag_id, conversation_type, target_id, is_top) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, tag_id, conversation_type, target_id) DO UPDATE SET is_top = excluded.is_top`;
const DELETE_LINK_SQL = 'DELETE FROM conversation_tags WHERE app_key = ? AND owner = ? AND tag_id = ? AND conversation_type = ? AND target_id = ?';
const TAGS_OF_SQL = `SELECT tag_id, is_top FROM conversation_tags WHERE app_key = ? AND owner = ? AND conversation_type = ? AND target_id = ?
  ORDER BY tag_id`;

interface ListRow {
  readonly tag_id: string;
  readonly name: string;
  readonly created_time: number;
  readonly n: number;
}

export class SqliteTagRepository implements TagRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async save(appKey: AppKey, owner: UserId, tags: readonly TagDefinition[], limits: TagLimits, now: number): Promise<SaveTagsResult> {
    const db = this.database;
    return db.write((): SaveTagsResult => {
      const fresh = new Set(tags.filter((t) => db.get(TAG_SQL, appKey, owner, t.tagId) === undefined).map((t) => t.tagId));
      const count = db.get<{ n: number }>(COUNT_TAGS_SQL, appKey, owner)?.n ?? 0;
      if (count + fresh.size > limits.maxTags) return { ok: false, reason: 'limit' };
      const version = nextOwnerVersion(db, appKey, owner, 'settings', now);
      // A new tag's createdTime is the version the client gets back (E4 stores that as createdTime).
      for (const tag of tags) db.run(UPSERT_TAG_SQL, appKey, owner, tag.tagId, tag.name, version);
      return { ok: true, version };
    });
  }

  async remove(appKey: AppKey, owner: UserId, tagIds: readonly string[], now: number): Promise<RemoveTagsResult> {
    const db = this.database;
    return db.write((): RemoveTagsResult => {
      let removed = 0;
      const unlinked: ConversationKey[] = [];
      for (const tagId of new Set(tagIds)) {
        for (const row of db.all<{ conversation_type: number; target_id: string }>(LINKED_OF_TAG_SQL, appKey, owner, tagId)) {
          unlinked.push({ type: row.conversation_type, targetId: row.target_id });
        }
        db.run(DELETE_LINKS_OF_TAG_SQL, appKey, owner, tagId);
        removed += db.run(DELETE_TAG_SQL, appKey, owner, tagId);
      }
      const version = removed > 0 ? nextOwnerVersion(db, appKey, owner, 'settings', now) : currentOwnerVersion(db, appKey, owner, 'settings');
      return { version, removed, stateVersion: stampConversationStates(db, appKey, owner, unlinked, now) };
    });
  }

  async list(appKey: AppKey, owner: UserId): Promise<readonly TagRecord[]> {
    return this.database
      .all<ListRow>(LIST_SQL, appKey, owner)
      .map((row) => ({ tagId: row.tag_id, name: row.name, createdTime: row.created_time, conversationCount: row.n }));
  }

  async settingsVersion(appKey: AppKey, owner: UserId): Promise<number> {
    return currentOwnerVersion(this.database, appKey, owner, 'settings');
  }

  async link(appKey: AppKey, owner: UserId, changes: readonly LinkChange[], limits: TagLimits, now: number): Promise<LinkResult> {
    const db = this.database;
    return db.write((): LinkResult => {
      // Check every tag first: a refused call writes nothing.
      const added = new Map<string, Set<string>>();
      for (const change of changes) {
        if (db.get(TAG_SQL, appKey, owner, change.tagId) === undefined) return { ok: false, reason: 'no-tag' };
        const fresh = added.get(change.tagId) ?? new Set<string>();
        for (const c of change.conversations) {
          if (db.get(LINK_SQL, appKey, owner, change.tagId, c.type, c.targetId) === undefined) fresh.add(conversationTagKey(c));
        }
        added.set(change.tagId, fresh);
      }
      for (const [tagId, fresh] of added) {
        const count = db.get<{ n: number }>(COUNT_LINKS_SQL, appKey, owner, tagId)?.n ?? 0;
        if (count + fresh.size > limits.maxConversationsPerTag) return { ok: false, reason: 'limit' };
      }
      const touched: ConversationKey[] = [];
      for (const change of changes) {
        for (const c of change.conversations) {
          const current = db.get<{ is_top: number }>(LINK_SQL, appKey, owner, change.tagId, c.type, c.targetId);
          const isTop = change.isTop ?? current?.is_top === 1;
          db.run(UPSERT_LINK_SQL, appKey, owner, change.tagId, c.type, c.targetId, isTop ? 1 : 0);
          touched.push(c);
        }
      }
      return { ok: true, stateVersion: stampConversationStates(db, appKey, owner, touched, now) };
    });
  }

  async unlink(appKey: AppKey, owner: UserId, tagIds: readonly string[], conversations: readonly ConversationKey[], now: number): Promise<{ readonly stateVersion: number }> {
    const db = this.database;
    return db.write(() => {
      const touched: ConversationKey[] = [];
      for (const c of conversations) {
        let changed = false;
        for (const tagId of tagIds) changed = db.run(DELETE_LINK_SQL, appKey, owner, tagId, c.type, c.targetId) > 0 || changed;
        if (changed) touched.push(c);
      }
      return { stateVersion: stampConversationStates(db, appKey, owner, touched, now) };
    });
  }

  async tagsOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[]): Promise<ReadonlyMap<string, readonly ConversationTagLink[]>> {
    const db = this.database;
    return db.read(() => {
      const out = new Map<string, ConversationTagLink[]>();
      for (const c of conversations) {
        const rows = db.all<{ tag_id: string; is_top: number }>(TAGS_OF_SQL, appKey, owner, c.type, c.targetId);
        if (rows.length > 0) out.set(conversationTagKey(c), rows.map((r) => ({ tagId: r.tag_id, isTop: r.is_top === 1 })));
      }
      return out;
    });
  }
}
