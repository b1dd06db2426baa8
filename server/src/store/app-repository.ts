/**
 * Apps created at run time from the admin console (issue #14), next to the apps fixed by the server
 * configuration (`--app`, `LIANXIN_APPS`, the config file, `--dev-app`), which are never stored here.
 *
 * A stored app keeps its options as the same `name → value` text the `--app KEY:SECRET:opt=value`
 * flag takes, so one validating parser (`createAppConfig`) reads both, and an option added later to
 * the parser needs no migration. The secret is kept as is: Server API signatures and token MACs are
 * computed from it (config apps hold theirs in plain text too).
 *
 * Rows are never deleted, only disabled: an app key once used must not come back with another
 * secret and find the old app's users, messages and groups.
 */

export interface StoredApp {
  readonly appKey: string;
  readonly appSecret: string;
  /** Display name shown in the console ('' when none was given). */
  readonly name: string;
  /** Option name → value, as given to `--app KEY:SECRET:name=value` (validated before it is stored). */
  readonly options: Readonly<Record<string, string>>;
  /** false: the app is refused everywhere (navi, connect, Server API) until enabled again. */
  readonly enabled: boolean;
  readonly createdTime: number;
  /** ms; moves on every change, so nodes comparing lists see secret rotations and toggles. */
  readonly updatedTime: number;
}

export interface AppChange {
  readonly appSecret?: string;
  readonly name?: string;
  readonly options?: Readonly<Record<string, string>>;
  readonly enabled?: boolean;
}

export interface AppRepository {
  /** Stores a new app (`createdTime` = `updatedTime` = `now`); false and nothing written when the key exists. */
  create(app: Omit<StoredApp, 'createdTime' | 'updatedTime'>, now: number): Promise<boolean>;
  get(appKey: string): Promise<StoredApp | undefined>;
  /** Every stored app, enabled or not, oldest first (ties by key). */
  list(): Promise<readonly StoredApp[]>;
  /**
   * Applies the given fields (absent ones keep their value) and sets `updatedTime` = max(now, previous + 1),
   * so a change is always visible as a new time. Undefined for an unknown key (nothing written).
   */
  update(appKey: string, change: AppChange, now: number): Promise<StoredApp | undefined>;
}
