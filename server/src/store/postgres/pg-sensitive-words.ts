import type { AppKey } from '../store';
import type { SensitiveWord, SensitiveWordRepository, SensitiveWordType } from '../sensitive-word-repository';
import type { PgDatabase } from './pg-database';

// The per-app word limit is checked under this lock (held until COMMIT) on every node.
const LOCK_APP_SQL = 'SELECT pg_advisory_xact_lock(hashtextextended(?, 0))';
const EXISTING_SQL = 'SELECT word FROM sensitive_words WHERE app_key = ? AND word = ANY(?::text[])';
const COUNT_SQL = 'SELECT COUNT(*) AS n FROM sensitive_words WHERE app_key = ?';
// Later entries for the same word win, as when the SQLite version upserts them one by one.
const UPSERT_SQL = `INSERT INTO sensitive_words (app_key, word, type, replace_word, created_time)
  SELECT DISTINCT ON (u.word) ?, u.word, u.type, u.replace_word, ?
  FROM unnest(?::text[], ?::bigint[], ?::text[]) WITH ORDINALITY AS u(word, type, replace_word, n)
  ORDER BY u.word, u.n DESC
  ON CONFLICT (app_key, word) DO UPDATE SET type = EXCLUDED.type, replace_word = EXCLUDED.replace_word`;
const DELETE_SQL = 'DELETE FROM sensitive_words WHERE app_key = ? AND word = ANY(?::text[])';
const LIST_SQL = 'SELECT word, type, replace_word FROM sensitive_words WHERE app_key = ? ORDER BY created_time, word';

export class PgSensitiveWordRepository implements SensitiveWordRepository {
  constructor(private readonly database: PgDatabase) {}

  async add(appKey: AppKey, words: readonly SensitiveWord[], maxWords: number, now: number): Promise<boolean> {
    return this.database.tx(async (q) => {
      await q.run(LOCK_APP_SQL, JSON.stringify(['sensitive-words', appKey]));
      const distinct = [...new Set(words.map((w) => w.word))];
      const existing = (await q.all<{ word: string }>(EXISTING_SQL, appKey, distinct)).length;
      const count = (await q.get<{ n: number }>(COUNT_SQL, appKey))?.n ?? 0;
      if (count + distinct.length - existing > maxWords) return false;
      if (words.length > 0) {
        await q.run(UPSERT_SQL, appKey, now, words.map((w) => w.word), words.map((w) => w.type), words.map((w) => w.replaceWord));
      }
      return true;
    });
  }

  async remove(appKey: AppKey, words: readonly string[]): Promise<number> {
    if (words.length === 0) return 0;
    return this.database.run(DELETE_SQL, appKey, [...new Set(words)]);
  }

  async list(appKey: AppKey): Promise<readonly SensitiveWord[]> {
    const rows = await this.database.all<{ word: string; type: number; replace_word: string }>(LIST_SQL, appKey);
    return rows.map((row) => ({ word: row.word, type: (row.type === 1 ? 1 : 0) as SensitiveWordType, replaceWord: row.replace_word }));
  }
}
