import type { AppKey, ConversationKey, UserId } from '../store';
import type { ReadFloor, ReadPosition, ReadPositionPage, ReadPositionRepository } from '../read-position-repository';
import type { SqliteDatabase } from './sqlite-database';
import { nextOwnerVersion } from './sqlite-owner-clock';

const POSITION_SQL = 'SELECT read_time FROM read_positions WHERE app_key = ? AND owner = ? AND conversation_type = ? AND target_id = ?';
const UPSERT_SQL = `INSERT INTO read_positions (app_key, owner, conversation_type, target_id, read_time, version) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, conversation_type, target_id) DO UPDATE SET read_time = excluded.read_time, version = excluded.version`;
const SINCE_SQL = `SELECT conversation_type, target_id, read_time, version FROM read_positions
  WHERE app_key = ? AND owner = ? AND version > ? ORDER BY version LIMIT ?`;
const FLOOR_SQL = 'SELECT read_time, version FROM read_floors WHERE app_key = ? AND owner = ?';
const SET_FLOOR_SQL = `INSERT INTO read_floors (app_key, owner, read_time, version) VALUES (?, ?, ?, ?)
  ON CONFLICT (app_key, owner) DO UPDATE SET read_time = excluded.read_time, version = excluded.version`;

interface PositionRow {
  readonly conversation_type: number;
  readonly target_id: string;
  readonly read_time: number;
  readonly version: number;
}

const NO_FLOOR: ReadFloor = { readTime: 0, version: 0 };

export class SqliteReadPositionRepository implements ReadPositionRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async advance(appKey: AppKey, owner: UserId, items: readonly { readonly conversation: ConversationKey; readonly readTime: number }[], now: number): Promise<readonly ReadPosition[]> {
    const db = this.database;
    return db.write(() => {
      const moved: ReadPosition[] = [];
      for (const { conversation, readTime } of items) {
        const current = db.get<{ read_time: number }>(POSITION_SQL, appKey, owner, conversation.type, conversation.targetId)?.read_time ?? 0;
        if (readTime <= current) continue;
        const version = nextOwnerVersion(db, appKey, owner, 'read', now);
        db.run(UPSERT_SQL, appKey, owner, conversation.type, conversation.targetId, readTime, version);
        moved.push({ conversation: { type: conversation.type, targetId: conversation.targetId }, readTime, version });
      }
      return moved;
    });
  }

  async advanceFloor(appKey: AppKey, owner: UserId, readTime: number, now: number): Promise<ReadFloor> {
    const db = this.database;
    return db.write(() => {
      const current = this.floor(appKey, owner);
      if (readTime <= current.readTime) return current;
      const version = nextOwnerVersion(db, appKey, owner, 'read', now);
      db.run(SET_FLOOR_SQL, appKey, owner, readTime, version);
      return { readTime, version };
    });
  }

  async changedSince(appKey: AppKey, owner: UserId, since: number, limit: number): Promise<ReadPositionPage> {
    const db = this.database;
    return db.read(() => {
      const rows = db.all<PositionRow>(SINCE_SQL, appKey, owner, since, limit + 1);
      const positions = rows.slice(0, limit).map((row) => ({
        conversation: { type: row.conversation_type, targetId: row.target_id },
        readTime: row.read_time,
        version: row.version,
      }));
      return { positions, floor: this.floor(appKey, owner), hasMore: rows.length > limit };
    });
  }

  async readTime(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<number> {
    const own = this.database.get<{ read_time: number }>(POSITION_SQL, appKey, owner, conversation.type, conversation.targetId)?.read_time ?? 0;
    return Math.max(own, this.floor(appKey, owner).readTime);
  }

  private floor(appKey: AppKey, owner: UserId): ReadFloor {
    const row = this.database.get<{ read_time: number; version: number }>(FLOOR_SQL, appKey, owner);
    return row === undefined ? NO_FLOOR : { readTime: row.read_time, version: row.version };
  }
}
