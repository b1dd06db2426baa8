import type { AppKey, ConversationKey, UserId } from '../store';
import type { ReadFloor, ReadPosition, ReadPositionPage, ReadPositionRepository } from '../read-position-repository';
import { conversationTagKey } from '../tag-repository';
import type { PgDatabase, PgQueryable } from './pg-database';
import { lockOwnerVersion, nextOwnerVersion, setOwnerVersion } from './pg-owner-clock';

const POSITION_SQL = 'SELECT read_time FROM read_positions WHERE app_key = ? AND owner = ? AND conversation_type = ? AND target_id = ?';
const POSITIONS_AMONG_SQL = `SELECT conversation_type, target_id, read_time FROM read_positions WHERE app_key = ? AND owner = ?
  AND (conversation_type, target_id) IN (SELECT * FROM unnest(?::bigint[], ?::text[]))`;
const UPSERT_SQL = `INSERT INTO read_positions (app_key, owner, conversation_type, target_id, read_time, version)
  SELECT ?, ?, u.t, u.id, u.r, u.v FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::bigint[]) AS u(t, id, r, v)
  ON CONFLICT (app_key, owner, conversation_type, target_id) DO UPDATE SET read_time = EXCLUDED.read_time, version = EXCLUDED.version`;
const SINCE_SQL = `SELECT conversation_type, target_id, read_time, version FROM read_positions
  WHERE app_key = ? AND owner = ? AND version > ? ORDER BY version LIMIT ?`;
const FLOOR_SQL = 'SELECT read_time, version FROM read_floors WHERE app_key = ? AND owner = ?';
const SET_FLOOR_SQL = `INSERT INTO read_floors (app_key, owner, read_time, version) VALUES (?, ?, ?, ?)
  ON CONFLICT (app_key, owner) DO UPDATE SET read_time = EXCLUDED.read_time, version = EXCLUDED.version`;

interface PositionRow {
  readonly conversation_type: number;
  readonly target_id: string;
  readonly read_time: number;
  readonly version: number;
}

const NO_FLOOR: ReadFloor = { readTime: 0, version: 0 };

/** Writes hold the owner's 'read' version row lock (pg-owner-clock.ts) until COMMIT: versions commit in order. */
export class PgReadPositionRepository implements ReadPositionRepository {
  constructor(private readonly database: PgDatabase) {}

  async advance(appKey: AppKey, owner: UserId, items: readonly { readonly conversation: ConversationKey; readonly readTime: number }[], now: number): Promise<readonly ReadPosition[]> {
    if (items.length === 0) return [];
    return this.database.tx(async (q) => {
      let version = await lockOwnerVersion(q, appKey, owner, 'read');
      const rows = await q.all<PositionRow>(POSITIONS_AMONG_SQL, appKey, owner, items.map((i) => i.conversation.type), items.map((i) => i.conversation.targetId));
      const current = new Map(rows.map((row) => [conversationTagKey({ type: row.conversation_type, targetId: row.target_id }), row.read_time] as const));
      const moved: ReadPosition[] = [];
      // The latest move of each conversation is what gets written (one row per conversation per statement).
      const latest = new Map<string, ReadPosition>();
      for (const { conversation, readTime } of items) {
        const key = conversationTagKey(conversation);
        if (readTime <= (current.get(key) ?? 0)) continue;
        version = Math.max(Math.floor(now), version + 1);
        const position: ReadPosition = { conversation: { type: conversation.type, targetId: conversation.targetId }, readTime, version };
        current.set(key, readTime);
        latest.set(key, position);
        moved.push(position);
      }
      if (moved.length === 0) return moved;
      await setOwnerVersion(q, appKey, owner, 'read', version);
      const written = [...latest.values()];
      await q.run(
        UPSERT_SQL,
        appKey,
        owner,
        written.map((p) => p.conversation.type),
        written.map((p) => p.conversation.targetId),
        written.map((p) => p.readTime),
        written.map((p) => p.version),
      );
      return moved;
    });
  }

  async advanceFloor(appKey: AppKey, owner: UserId, readTime: number, now: number): Promise<ReadFloor> {
    return this.database.tx(async (q) => {
      const locked = await lockOwnerVersion(q, appKey, owner, 'read');
      const current = await floorOf(q, appKey, owner);
      if (readTime <= current.readTime) return current;
      const version = await nextOwnerVersion(q, appKey, owner, 'read', locked, now);
      await q.run(SET_FLOOR_SQL, appKey, owner, readTime, version);
      return { readTime, version };
    });
  }

  async changedSince(appKey: AppKey, owner: UserId, since: number, limit: number): Promise<ReadPositionPage> {
    return this.database.read(async (q) => {
      const rows = await q.all<PositionRow>(SINCE_SQL, appKey, owner, since, Math.max(0, limit) + 1);
      const positions = rows.slice(0, limit).map((row) => ({
        conversation: { type: row.conversation_type, targetId: row.target_id },
        readTime: row.read_time,
        version: row.version,
      }));
      return { positions, floor: await floorOf(q, appKey, owner), hasMore: rows.length > limit };
    });
  }

  async readTime(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<number> {
    return this.database.read(async (q) => {
      const own = (await q.get<{ read_time: number }>(POSITION_SQL, appKey, owner, conversation.type, conversation.targetId))?.read_time ?? 0;
      return Math.max(own, (await floorOf(q, appKey, owner)).readTime);
    });
  }
}

async function floorOf(q: PgQueryable, appKey: AppKey, owner: UserId): Promise<ReadFloor> {
  const row = await q.get<{ read_time: number; version: number }>(FLOOR_SQL, appKey, owner);
  return row === undefined ? NO_FLOOR : { readTime: row.read_time, version: row.version };
}
