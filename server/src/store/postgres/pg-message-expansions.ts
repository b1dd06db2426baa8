import type { AppKey } from '../store';
import type { ExpansionChange, MergeResult, MessageExpansionRepository } from '../message-expansion-repository';
import { applyExpansionChange, formatExpansionJson, parseExpansionJson } from '../message-expansion-repository';
import type { PgDatabase } from './pg-database';

const GET_SQL = 'SELECT extra_content FROM messages WHERE app_key = ? AND uid = ?';
// The message row lock makes a merge atomic across nodes: concurrent merges apply one after the other.
const LOCK_SQL = `${GET_SQL} FOR UPDATE`;
const SET_SQL = 'UPDATE messages SET extra_content = ? WHERE app_key = ? AND uid = ?';

/** Reads and rewrites `messages.extra_content` (migration 001) under the message's row lock. */
export class PgMessageExpansionRepository implements MessageExpansionRepository {
  constructor(private readonly database: PgDatabase) {}

  async merge(appKey: AppKey, uid: string, change: ExpansionChange, maxKeys: number): Promise<MergeResult> {
    return this.database.tx(async (q): Promise<MergeResult> => {
      const row = await q.get<{ extra_content: string | null }>(LOCK_SQL, appKey, uid);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      const { expansion, accepted } = applyExpansionChange(parseExpansionJson(row.extra_content), change, maxKeys);
      await q.run(SET_SQL, Object.keys(expansion).length > 0 ? formatExpansionJson(expansion) : null, appKey, uid);
      return { ok: true, expansion, accepted };
    });
  }

  async get(appKey: AppKey, uid: string): Promise<Readonly<Record<string, string>> | undefined> {
    const row = await this.database.get<{ extra_content: string | null }>(GET_SQL, appKey, uid);
    return row === undefined ? undefined : parseExpansionJson(row.extra_content);
  }
}
