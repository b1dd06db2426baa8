/**
 * Apps created from the admin console (issue #14). Configured apps (`--app`, `LIANXIN_APPS`, the
 * config file, `--dev-app`) are listed read-only; console apps live in the store (`store.apps`) and
 * are merged into the live registry (`ReloadableAppRegistry.setStoredApps`) so navi, connect and the
 * Server API accept a new key at once, without a restart.
 *
 * - Loaded before the server listens (fastify `onReady`), and re-read every REFRESH_MS so the other
 *   nodes of a cluster pick up changes made on one node (the registry is synchronous; a store read
 *   per lookup would put the database in every navi and CONNECT).
 * - A secret is shown once: in the answer that created or rotated it. Listings mask it.
 * - Disabling an app or rotating its secret disconnects its live sessions on this node at once
 *   (DISCONNECT reason 3, 7 for engine 5.x: no automatic reconnect) and on other nodes at their next refresh. Tokens
 *   are MACed with a key derived from the secret, so a rotation also invalidates every issued token;
 *   a disabled app is absent from the registry: navi answers 403, CONNECT is refused (CONNACK 8), the Server
 *   API answers as for an unknown App-Key.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig, AppRegistry, ReloadableAppRegistry } from '../../app-config';
import { ConfigError, createAppConfig } from '../../app-config';
import type { ServerContext } from '../../context';
import type { Services } from '../../services/index';
import type { StoredApp } from '../../store/app-repository';

/** How often each node re-reads the stored apps (cluster propagation delay). */
export const APP_REFRESH_MS = 5_000;
/** DISCONNECT reason 3 (REMOTE_CLOSE): E4 reports DISCONNECT_BY_SERVER and does not reconnect (PROTOCOL.md §3.4). */
const DISCONNECT_REMOTE_CLOSE = 3;
/**
 * Engine 5.x leaves 3 unmapped (DISCONNECTED with no code, PROTOCOL-E5.md §2.3); 7 is 31020, the token is no longer
 * valid — true after a rotation, and after a disable the next connect says 31008 (CONNACK 8, app blocked).
 */
const DISCONNECT_E5_TOKEN_INVALID = 7;
const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAX_NAME_LENGTH = 64;

type Guard = (request: FastifyRequest, reply: FastifyReply) => boolean;

function randomText(alphabet: string, length: number): string {
  // Rejection sampling: no modulo bias in a credential.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

export function isStoredAppRegistry(registry: AppRegistry): registry is ReloadableAppRegistry {
  const candidate = registry as Partial<ReloadableAppRegistry>;
  return typeof candidate.setStoredApps === 'function' && typeof candidate.isConfigured === 'function';
}

function mask(secret: string): string {
  return secret.length <= 4 ? '****' : `${'*'.repeat(secret.length - 4)}${secret.slice(-4)}`;
}

function optionsOf(app: AppConfig): Record<string, unknown> {
  const { appKey: _key, appSecret: _secret, dev: _dev, ...options } = app;
  return options;
}

/** `{ name: value }` with string values only (numbers and booleans are turned into text), or an error. */
function optionTexts(value: unknown): Record<string, string> | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return 'options must be an object of name: value';
  const out: Record<string, string> = {};
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') out[name] = String(item);
    else return `option ${name}: a string, number or boolean`;
  }
  return out;
}

export class ConsoleApps {
  private timer: ReturnType<typeof setInterval> | undefined;
  /** What the last load saw per app key, to spot a rotation or a disable made on another node. */
  private seen = new Map<string, { readonly updatedTime: number; readonly appSecret: string; readonly enabled: boolean }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ServerContext,
    private readonly services: Pick<Services, 'hub'>,
  ) {}

  get registry(): ReloadableAppRegistry | undefined {
    return isStoredAppRegistry(this.ctx.apps) ? this.ctx.apps : undefined;
  }

  /**
   * Reads the stored apps into the registry; invalid rows are logged and skipped. Loads run one after
   * the other, each with a fresh read, so a load asked for after a change always sees that change.
   */
  load(): Promise<void> {
    return this.enqueue(() => this.loadNow());
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.catch(() => undefined).then(work);
    this.queue = next;
    return next;
  }

  private async loadNow(): Promise<void> {
    const registry = this.registry;
    if (registry === undefined) return;
    const stored = await this.ctx.store.apps.list();
    const live: AppConfig[] = [];
    const disabled: string[] = [];
    const next = new Map<string, { updatedTime: number; appSecret: string; enabled: boolean }>();
    for (const app of stored) {
      next.set(app.appKey, { updatedTime: app.updatedTime, appSecret: app.appSecret, enabled: app.enabled });
      const before = this.seen.get(app.appKey);
      if (before !== undefined && before.updatedTime !== app.updatedTime && (before.appSecret !== app.appSecret || !app.enabled)) {
        this.disconnect(app.appKey);
      }
      if (!app.enabled && !registry.isConfigured(app.appKey)) disabled.push(app.appKey);
      if (!app.enabled || registry.isConfigured(app.appKey)) continue;
      try {
        live.push(createAppConfig(app.appKey, app.appSecret, app.options, `stored app ${app.appKey}`));
      } catch (error) {
        this.ctx.log.error('stored app skipped', { appKey: app.appKey, error: String(error) });
      }
    }
    this.seen = next;
    registry.setStoredApps(live, disabled);
  }

  start(): void {
    if (this.timer !== undefined || this.registry === undefined) return;
    this.timer = setInterval(() => {
      this.load().catch((error: unknown) => this.ctx.log.warn('stored apps refresh failed', { error: String(error) }));
    }, APP_REFRESH_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** This node's live sessions of the app get DISCONNECT(3; 7 for engine 5.x) and are closed. */
  private disconnect(appKey: string): void {
    for (const session of this.services.hub.registry.all()) {
      if (session.info.appKey !== appKey) continue;
      session.deliver({ kind: 'kick', reason: session.info.clientKind === 'E5' ? DISCONNECT_E5_TOKEN_INVALID : DISCONNECT_REMOTE_CLOSE });
    }
  }

  /** The console's listing: configured apps (read-only) then stored ones, secrets masked. */
  async list(): Promise<unknown[]> {
    const configured = this.ctx.apps.list().filter((app) => this.registry?.isConfigured(app.appKey) ?? true);
    const stored = this.registry === undefined ? [] : await this.ctx.store.apps.list();
    return [
      ...configured.map((app) => ({ appKey: app.appKey, appSecretMasked: mask(app.appSecret), dev: app.dev, source: 'config', readOnly: true, enabled: true, name: '', options: optionsOf(app) })),
      ...stored.map((app) => this.describe(app)),
    ];
  }

  private describe(app: StoredApp): Record<string, unknown> {
    let options: Record<string, unknown> = { ...app.options };
    try {
      options = optionsOf(createAppConfig(app.appKey, app.appSecret, app.options));
    } catch {
      // Shown as stored; load() reports the error.
    }
    return {
      appKey: app.appKey,
      appSecretMasked: mask(app.appSecret),
      dev: false,
      source: 'console',
      readOnly: false,
      enabled: app.enabled,
      name: app.name,
      createdTime: app.createdTime,
      updatedTime: app.updatedTime,
      optionText: app.options,
      options,
    };
  }

  /** Validates, stores, serves at once; the answer holds the secret (the only time it is shown). */
  async create(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const registry = this.registry;
    if (registry === undefined) return { status: 501, body: { code: 501, errorMessage: 'this server cannot add apps at run time' } };
    const requestedKey = typeof body['appKey'] === 'string' ? body['appKey'].trim() : '';
    const appKey = requestedKey === '' ? randomText(KEY_ALPHABET, 14) : requestedKey;
    const name = typeof body['name'] === 'string' ? body['name'].trim().slice(0, MAX_NAME_LENGTH) : '';
    const options = optionTexts(body['options']);
    if (typeof options === 'string') return { status: 400, body: { code: 400, errorMessage: options } };
    const appSecret = randomText(SECRET_ALPHABET, 24);
    try {
      createAppConfig(appKey, appSecret, options, 'app');
    } catch (error) {
      if (error instanceof ConfigError) return { status: 400, body: { code: 400, errorMessage: error.message } };
      throw error;
    }
    if (registry.isConfigured(appKey)) return { status: 409, body: { code: 409, errorMessage: `app key ${appKey} is a configured app` } };
    const created = await this.ctx.store.apps.create({ appKey, appSecret, name, options, enabled: true }, this.ctx.clock.now());
    if (!created) return { status: 409, body: { code: 409, errorMessage: `app key ${appKey} already exists` } };
    await this.load();
    return { status: 200, body: { code: 200, appKey, appSecret, name, secretShownOnce: true } };
  }

  /** enable / disable / rotate / options on a stored app; configured apps are read-only (403). */
  async change(appKey: string, action: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const registry = this.registry;
    if (registry === undefined) return { status: 501, body: { code: 501, errorMessage: 'this server cannot change apps at run time' } };
    if (registry.isConfigured(appKey)) return { status: 403, body: { code: 403, errorMessage: `${appKey} comes from the server configuration and is read-only here` } };
    const current = await this.ctx.store.apps.get(appKey);
    if (current === undefined) return { status: 404, body: { code: 404, errorMessage: 'unknown app' } };
    const now = this.ctx.clock.now();
    let secret: string | undefined;
    let updated: StoredApp | undefined;
    switch (action) {
      case 'enable':
      case 'disable':
        updated = await this.ctx.store.apps.update(appKey, { enabled: action === 'enable' }, now);
        break;
      case 'rotate':
        secret = randomText(SECRET_ALPHABET, 24);
        updated = await this.ctx.store.apps.update(appKey, { appSecret: secret }, now);
        break;
      case 'options': {
        const options = optionTexts(body['options']);
        if (typeof options === 'string') return { status: 400, body: { code: 400, errorMessage: options } };
        try {
          createAppConfig(appKey, current.appSecret, options, 'app');
        } catch (error) {
          if (error instanceof ConfigError) return { status: 400, body: { code: 400, errorMessage: error.message } };
          throw error;
        }
        updated = await this.ctx.store.apps.update(appKey, { options }, now);
        break;
      }
      default:
        return { status: 404, body: { code: 404, errorMessage: `unknown action ${action}` } };
    }
    if (updated === undefined) return { status: 404, body: { code: 404, errorMessage: 'unknown app' } };
    // Kicked here, at once; recorded as seen (in the load queue, after any load already running) so
    // that the reload does not kick a second time.
    if (action === 'disable' || action === 'rotate') this.disconnect(appKey);
    const seen = { updatedTime: updated.updatedTime, appSecret: updated.appSecret, enabled: updated.enabled };
    await this.enqueue(async () => {
      this.seen.set(appKey, seen);
      await this.loadNow();
    });
    return { status: 200, body: { code: 200, app: this.describe(updated), ...(secret === undefined ? {} : { appSecret: secret, secretShownOnce: true }) } };
  }
}

export function registerConsoleApps(fastify: FastifyInstance, ctx: ServerContext, services: Pick<Services, 'hub'>, guard: Guard): ConsoleApps {
  const apps = new ConsoleApps(ctx, services);
  // Before listening: a console app is served from the first request on.
  fastify.addHook('onReady', async () => {
    await apps.load();
    apps.start();
  });
  const bodyOf = (request: FastifyRequest): Record<string, unknown> =>
    typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};

  fastify.get('/console/api/apps', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return { apps: await apps.list(), canCreate: apps.registry !== undefined };
  });
  fastify.post('/console/api/apps', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const answer = await apps.create(bodyOf(request));
    return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
  });
  fastify.post('/console/api/apps/:appKey/:action', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { appKey, action } = request.params as { appKey: string; action: string };
    const answer = await apps.change(appKey, action, bodyOf(request));
    return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
  });
  return apps;
}
