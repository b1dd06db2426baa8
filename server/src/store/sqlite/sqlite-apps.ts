import type { AppChange, AppRepository, StoredApp } from '../app-repository';
import { APP_COLUMNS, appFromRow, optionsText, type AppRow } from '../app-rows';
import type { SqliteDatabase } from './sqlite-database';

const INSERT_SQL = `INSERT INTO apps (${APP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_key) DO NOTHING`;
const GET_SQL = `SELECT ${APP_COLUMNS} FROM apps WHERE app_key = ?`;
const LIST_SQL = `SELECT ${APP_COLUMNS} FROM apps ORDER BY created_time, app_key`;
const UPDATE_SQL = 'UPDATE apps SET app_secret = ?, name = ?, options = ?, enabled = ?, updated_time = ? WHERE app_key = ?';

export class SqliteAppRepository implements AppRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async create(app: Omit<StoredApp, 'createdTime' | 'updatedTime'>, now: number): Promise<boolean> {
    return this.database.run(INSERT_SQL, app.appKey, app.appSecret, app.name, optionsText(app.options), app.enabled ? 1 : 0, now, now) === 1;
  }

  async get(appKey: string): Promise<StoredApp | undefined> {
    const row = this.database.get<AppRow>(GET_SQL, appKey);
    return row === undefined ? undefined : appFromRow(row);
  }

  async list(): Promise<readonly StoredApp[]> {
    return this.database.all<AppRow>(LIST_SQL).map(appFromRow);
  }

  async update(appKey: string, change: AppChange, now: number): Promise<StoredApp | undefined> {
    const db = this.database;
    return db.write(() => {
      const row = db.get<AppRow>(GET_SQL, appKey);
      if (row === undefined) return undefined;
      const current = appFromRow(row);
      const next: StoredApp = {
        ...current,
        appSecret: change.appSecret ?? current.appSecret,
        name: change.name ?? current.name,
        options: change.options ?? current.options,
        enabled: change.enabled ?? current.enabled,
        updatedTime: Math.max(now, current.updatedTime + 1),
      };
      db.run(UPDATE_SQL, next.appSecret, next.name, optionsText(next.options), next.enabled ? 1 : 0, next.updatedTime, appKey);
      return next;
    });
  }
}
