/**
 * What the per-node cache tests (user-relation-cache, chat-ban-cache) share: a server context over a real
 * in-memory SQLite store with a clock the test moves, and a way to let the in-process broker deliver.
 */
import { createAppRegistry, type AppConfig, type ServerConfig } from '../../../src/config';
import type { ServerContext } from '../../../src/context';
import { createLogger } from '../../../src/log';
import { createTokenService } from '../../../src/services/auth-tokens';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';

/** A context for `apps` over `store` whose clock reads `clock.t`. */
export function contextWith(apps: AppConfig[], store: Store, clock: { t: number }): ServerContext {
  const registry = createAppRegistry(apps);
  const config: ServerConfig = { host: '127.0.0.1', port: 0, publicHosts: [], dataDir: '/none', dbFile: ':memory:', apps, devApp: false, logLevel: 'silent', apiClockSkewSeconds: 0 };
  return { config, store, apps: registry, tokens: createTokenService({ apps: registry, users: store.users }), clock: { now: () => clock.t }, log: createLogger('silent') };
}

export async function memoryStore(): Promise<Store> {
  const store = await createSqliteStore({ file: ':memory:' });
  await store.migrate();
  return store;
}

/** Lets the in-process broker deliver (it hands messages over on a later microtask). */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}
