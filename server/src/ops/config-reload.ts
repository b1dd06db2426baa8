/**
 * Config reload without a restart (SIGHUP, `POST /ops/reload`): reads the same flags, environment
 * and config file again and applies what can change while connections stay up — the app list and
 * every per-app option (new apps, removed apps, limits, allowed origins, callback URLs), the
 * `/metrics` token and the log level. Listening address, data directory and engines need a restart;
 * a changed value there is reported and ignored. An invalid file changes nothing.
 *
 * Options are read when they are used: a new connection, request or message sees the new values;
 * a per-connection limit fixed at connect time (maxSendRate) applies to connections opened after the
 * reload. Connections of a removed app stay up until they end; new ones are refused (CONNACK 2).
 */
import { ConfigError, isReloadableAppRegistry, reloadConfig } from '../config';
import type { AppConfig, ServerConfig } from '../config';
import type { ServerContext } from '../context';
import type { LogLevel } from '../log';

export interface ReloadSummary {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly metricsTokenChanged: boolean;
  readonly logLevel: LogLevel;
  /** Settings that differ in the file but need a restart. */
  readonly ignored: readonly string[];
}

export type ReloadOutcome = ({ readonly ok: true } & ReloadSummary) | { readonly ok: false; readonly error: string };

export interface ConfigReloaderDeps {
  readonly ctx: ServerContext;
  /** fastify's pino logger (its level follows the reload). */
  readonly requestLog?: { level: string };
  readonly setMetricsToken: (token: string | undefined) => void;
  /** Test seam: how the new configuration is read (default: `reloadConfig`). */
  readonly read?: (current: ServerConfig) => ServerConfig;
}

const RESTART_ONLY: readonly (keyof ServerConfig)[] = ['host', 'port', 'dataDir', 'dbFile', 'apiClockSkewSeconds'];

function sameApp(a: AppConfig, b: AppConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class ConfigReloader {
  private current: ServerConfig;

  constructor(private readonly deps: ConfigReloaderDeps) {
    this.current = deps.ctx.config;
  }

  reload(): ReloadOutcome {
    const { ctx } = this.deps;
    let next: ServerConfig;
    try {
      next = (this.deps.read ?? reloadConfig)(this.current);
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
      ctx.log.warn('config reload failed; running configuration kept', { error: message });
      return { ok: false, error: message };
    }
    if (!isReloadableAppRegistry(ctx.apps)) {
      return { ok: false, error: 'the app registry of this server cannot be replaced' };
    }
    const before = new Map(ctx.apps.list().map((app) => [app.appKey, app] as const));
    const after = new Map(next.apps.map((app) => [app.appKey, app] as const));
    const added = [...after.keys()].filter((key) => !before.has(key));
    const removed = [...before.keys()].filter((key) => !after.has(key));
    const changed = [...after.entries()].filter(([key, app]) => {
      const old = before.get(key);
      return old !== undefined && !sameApp(old, app);
    }).map(([key]) => key);
    const ignored = RESTART_ONLY.filter((key) => JSON.stringify(this.current[key]) !== JSON.stringify(next[key]));

    ctx.apps.replace(next.apps);
    const metricsTokenChanged = next.metricsToken !== this.current.metricsToken;
    if (metricsTokenChanged) this.deps.setMetricsToken(next.metricsToken);
    ctx.log.setLevel?.(next.logLevel);
    if (this.deps.requestLog !== undefined) this.deps.requestLog.level = next.logLevel;
    this.current = { ...next, ...Object.fromEntries(ignored.map((key) => [key, this.current[key]])) };

    const summary: ReloadSummary = { added, removed, changed, metricsTokenChanged, logLevel: next.logLevel, ignored };
    // App keys are not secrets; secrets and tokens are never logged.
    ctx.log.info('config reloaded', { ...summary });
    if (ignored.length > 0) ctx.log.warn('config reload: these settings need a restart and were not applied', { ignored });
    return { ok: true, ...summary };
  }
}
