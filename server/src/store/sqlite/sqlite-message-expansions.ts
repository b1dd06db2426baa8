import type { AppKey } from '../store';
import type { ExpansionChange, MergeResult, MessageExpansionRepository } from '../message-expansion-repository';
import { applyExpansionChange, formatExpansionJson, parseExpansionJson } from '../message-expansion-repository';
import type { SqliteDatabase } from './sqlite-database';

const GET_SQL = 'SELECT extra_content FROM messages WHERE app_key = ? AND uid = ?';
const SET_SQL = 'UPDATE messages SET extra_content = ? WHERE app_key = ? AND uid = ?';

/**
 * Reads and rewrites `messages.extra_content` (migration 001) in one write transaction per merge. `changed`
 * runs after a rewrite (the message repository's sync tails hold the message as it was).
 */
export class SqliteMessageExpansionRepository implements MessageExpansionRepository {
  constructor(
    private readonly database: SqliteDatabase,
    private readonly changed: () => void = () => {},
  ) {}

  async merge(appKey: AppKey, uid: string, change: ExpansionChange, maxKeys: number): Promise<MergeResult> {
    const db = this.database;
    return db.write((): MergeResult => {
      const row = db.get<{ extra_content: string | null }>(GET_SQL, appKey, uid);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      const { expansion, accepted } = applyExpansionChange(parseExpansionJson(row.extra_content), change, maxKeys);
      db.run(SET_SQL, Object.keys(expansion).length > 0 ? formatExpansionJson(expansion) : null, appKey, uid);
      this.changed();
      return { ok: true, expansion, accepted };
    });
  }

  async get(appKey: AppKey, uid: string): Promise<Readonly<Record<string, string>> | undefined> {
    const row = this.database.get<{ extra_content: string | null }>(GET_SQL, appKey, uid);
    return row === undefined ? undefined : parseExpansionJson(row.extra_content);
  }
}
