/** The `apps` table row (migration `apps`) as both SQL engines read it, and its mapping. */
import type { StoredApp } from './app-repository';

export interface AppRow {
  readonly app_key: string;
  readonly app_secret: string;
  readonly name: string;
  /** JSON object of option name → value text. */
  readonly options: string;
  /** 1 / 0 */
  readonly enabled: number | boolean;
  readonly created_time: number;
  readonly updated_time: number;
}

export const APP_COLUMNS = 'app_key, app_secret, name, options, enabled, created_time, updated_time';

function parseOptions(text: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    const out: Record<string, string> = {};
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) if (typeof item === 'string') out[name] = item;
    return out;
  } catch {
    // Written only by the repositories (JSON.stringify of a string map); a damaged row loads with defaults.
    return {};
  }
}

export function appFromRow(row: AppRow): StoredApp {
  return {
    appKey: row.app_key,
    appSecret: row.app_secret,
    name: row.name,
    options: parseOptions(row.options),
    enabled: row.enabled === true || row.enabled === 1,
    createdTime: Number(row.created_time),
    updatedTime: Number(row.updated_time),
  };
}

export function optionsText(options: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
