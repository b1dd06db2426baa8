import type { AppChange, AppRepository, StoredApp } from '../app-repository';
import { APP_COLUMNS, appFromRow, optionsText, type AppRow } from '../app-rows';
import type { PgDatabase } from './pg-database';

const INSERT_SQL = `INSERT INTO apps (${APP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_key) DO NOTHING`;
const GET_SQL = `SELECT ${APP_COLUMNS} FROM apps WHERE app_key = ?`;
// Row lock: two nodes changing one app serialize, so updated_time still moves on every change.
const GET_FOR_UPDATE_SQL = `${GET_SQL} FOR UPDATE`;
const LIST_SQL = `SELECT ${APP_COLUMNS} FROM apps ORDER BY created_time, app_key COLLATE "C"`;
const UPDATE_SQL = 'UPDATE apps SET app_secret = ?, name = ?, options = ?, enabled = ?, updated_time = ? WHERE app_key = ?';

export class PgAppRepository implements AppRepository {
  constructor(private readonly database: PgDatabase) {}

  async create(app: Omit<StoredApp, 'createdTime' | 'updatedTime'>, now: number): Promise<boolean> {
    return (await this.database.run(INSERT_SQL, app.appKey, app.appSecret, app.name, optionsText(app.options), app.enabled, now, now)) === 1;
  }

  async get(appKey: string): Promise<StoredApp | undefined> {
    const row = await this.database.get<AppRow & Record<string, unknown>>(GET_SQL, appKey);
    return row === undefined ? undefined : appFromRow(row);
  }

  async list(): Promise<readonly StoredApp[]> {
    return (await this.database.all<AppRow & Record<string, unknown>>(LIST_SQL)).map(appFromRow);
  }

  async update(appKey: string, change: AppChange, now: number): Promise<StoredApp | undefined> {
    return this.database.tx(async (q) => {
      const row = await q.get<AppRow & Record<string, unknown>>(GET_FOR_UPDATE_SQL, appKey);
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
      await q.run(UPDATE_SQL, next.appSecret, next.name, optionsText(next.options), next.enabled, next.updatedTime, appKey);
      return next;
    });
  }
}
