/**
 * Owners and conversation targets as `names` ids (migration 011-name-refs): per-owner entries and `conversations`
 * key their per-owner indexes by the integer id of (app key, name) instead of the two strings.
 */
import type { SqliteDatabase } from './sqlite-database';

/**
 * The id of (app key, name) as a scalar subquery: two parameters, app key then name. SQLite evaluates it once
 * per statement (it is not correlated); NULL when the name was never interned, which matches no row.
 */
export const REF = '(SELECT id FROM names WHERE app_key = ? AND name = ?)';

const INTERN_SQL = 'INSERT INTO names (app_key, name) VALUES (?, ?) ON CONFLICT (app_key, name) DO NOTHING';

/** Makes sure (app key, name) has an id; inside the caller's write transaction. */
export function internName(database: SqliteDatabase, appKey: string, name: string): void {
  database.run(INTERN_SQL, appKey, name);
}
