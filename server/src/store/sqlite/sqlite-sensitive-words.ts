import type { AppKey } from '../store';
import type { SensitiveWord, SensitiveWordRepository, SensitiveWordType } from '../sensitive-word-repository';
import type { SqliteDatabase } from './sqlite-database';

const EXISTS_SQL = 'SELECT 1 FROM sensitive_words WHERE app_key = ? AND word = ?';
const COUNT_SQL = 'SELECT COUNT(*) AS n FROM sensitive_words WHERE app_key = ?';
const UPSERT_SQL = `INSERT INTO sensitive_words (app_key, word, type, replace_word, created_time) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (app_key, word) DO UPDATE SET type = excluded.type, replace_word = excluded.replace_word`;
const DELETE_SQL = 'DELETE FROM sensitive_words WHERE app_key = ? AND word = ?';
const LIST_SQL = 'SELECT word, type, replace_word FROM sensitive_words WHERE app_key = ? ORDER BY created_time, word';

export class SqliteSensitiveWordRepository implements SensitiveWordRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async add(appKey: AppKey, words: readonly SensitiveWord[], maxWords: number, now: number): Promise<boolean> {
    const db = this.database;
    return db.write(() => {
      const fresh = new Set(words.filter((w) => db.get(EXISTS_SQL, appKey, w.word) === undefined).map((w) => w.word));
      const count = db.get<{ n: number }>(COUNT_SQL, appKey)?.n ?? 0;
      if (count + fresh.size > maxWords) return false;
      for (const w of words) db.run(UPSERT_SQL, appKey, w.word, w.type, w.replaceWord, now);
      return true;
    });
  }

  async remove(appKey: AppKey, words: readonly string[]): Promise<number> {
    const db = this.database;
    return db.write(() => words.reduce((n, word) => n + db.run(DELETE_SQL, appKey, word), 0));
  }

  async list(appKey: AppKey): Promise<readonly SensitiveWord[]> {
    return this.database
      .all<{ word: string; type: number; replace_word: string }>(LIST_SQL, appKey)
      .map((row) => ({ word: row.word, type: (row.type === 1 ? 1 : 0) as SensitiveWordType, replaceWord: row.replace_word }));
  }
}
