/**
 * Composition root: config → store (SQLite, or PostgreSQL with --store) → migrations → context → HTTP app → listen.
 * stdout carries only machine-readable lines: the dev app credentials (with --dev-app) and, once
 * connections are accepted, exactly one `listening on http://HOST:PORT` line. Logs go to stderr.
 * SIGTERM/SIGINT close the gateway, the HTTP server and the store, then exit 0.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from './app';
import type { ServerApp } from './app';
import { ConfigError, createAppRegistry, loadConfig, USAGE } from './config';
import type { ServerConfig } from './config';
import { systemClock } from './context';
import type { ServerContext } from './context';
import { createLogger } from './log';
import { createTokenService } from './services/auth-tokens';
import { createSqliteStore } from './store/sqlite/sqlite-store';
import { createPgStore } from './store/postgres/pg-store';
import { createRedisBroker } from './broker/redis-broker';
import { createRedisPresence } from './broker/redis-presence';
import { CLUSTER_USAGE, extractClusterOptions } from './cluster-options';
import type { ClusterOptions } from './cluster-options';
import { MemoryBroker } from './broker/memory-broker';
import { MemoryPresence } from './broker/memory-presence';
import type { Broker } from './broker/broker';
import type { PresenceRegistry } from './broker/presence';
import type { Store } from './store/store';
import { createLocalFileStore } from './files/local-file-store';
import { DEFAULT_FILE_OPTIONS } from './files/file-options';
import { FileService } from './files/file-service';
import type { FileStore } from './files/file-store';
import { FileSigner, loadOrCreateFileSecret } from './files/signing';
import { defaultFileBaseUrl } from './files/base-url';
import { instrumentStore } from './ops/instrument-store';
import { StampedBroker } from './broker/stamped-broker';
import { MemoryRateBuckets, type RateBuckets } from './broker/rate-buckets';
import { createRedisRateBuckets } from './broker/redis-rate-buckets';
import { brokerMetrics } from './ops/broker-metrics';
import { applyServerV8Flags } from './v8-settings';
import { checkWritableFile, DataDirError, fsStartupError, lockDataDir, prepareDataDir } from './data-dir';
import type { DataDirLock } from './data-dir';

const SHUTDOWN_TIMEOUT_MS = 10_000;
/** Drain (redirecting every client, finishing in-flight requests) gets this long on top of its delay. */
const DRAIN_TIMEOUT_MS = 10_000;

/** A startup error the operator can act on: one line, no stack, exit 2 (as for an invalid flag). */
function startupError(message: string): never {
  process.stderr.write(`lianxin-server: error: ${message}\n`);
  process.exit(2);
}

function formatUrlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function main(argv: readonly string[]): Promise<void> {
  // Before the store opens or a frame arrives: the GC settings the send path was measured with (v8-settings.ts).
  applyServerV8Flags();
  let config: ServerConfig;
  let cluster: ClusterOptions;
  try {
    const extracted = extractClusterOptions(argv, process.env);
    cluster = extracted.options;
    const parsed = loadConfig(extracted.rest, process.env, process.env['INIT_CWD'] ?? process.cwd());
    if (parsed.kind === 'help') {
      process.stdout.write(USAGE + CLUSTER_USAGE);
      return;
    }
    config = parsed.config;
  } catch (error) {
    // --dev-app writes its file into the data directory while the configuration loads.
    const fsError = fsStartupError(error);
    if (fsError !== undefined) startupError(fsError.message);
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`lianxin-server: error: ${error.message}\nRun with --help for usage.\n`);
    process.exit(2);
  }

  const log = createLogger(config.logLevel);
  let store: Store | undefined;
  let app: ServerApp | undefined;
  let broker: Broker | undefined;
  let presence: PresenceRegistry | undefined;
  let rateBuckets: RateBuckets | undefined;
  let fileStore: FileStore | undefined;
  let dataDirLock: DataDirLock | undefined;
  let stopping = false;

  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      // Second Ctrl-C: the operator does not want to wait.
      process.exit(130);
    }
    stopping = true;
    log.info('shutting down', { signal });
    const budget = SHUTDOWN_TIMEOUT_MS + (signal === 'SIGTERM' ? DRAIN_TIMEOUT_MS + cluster.drainDelayMs : 0);
    setTimeout(() => {
      log.error('shutdown timed out', { timeoutMs: budget });
      process.exit(1);
    }, budget).unref();
    try {
      // SIGTERM = graceful drain (orchestrators, rolling restarts): readyz fails, clients are redirected
      // to other nodes once their in-flight requests are answered. SIGINT (Ctrl-C) closes at once.
      if (signal === 'SIGTERM') await app?.drain(cluster.drainDelayMs);
      await app?.close();
      await broker?.close();
      await presence?.close();
      await rateBuckets?.close();
      await fileStore?.close();
      await store?.close();
      dataDirLock?.release();
    } catch (error) {
      log.error('shutdown failed', { err: error });
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // SQLite without a broker is the file's sole writer and answers pulls from memory (sqlite-sync-tail.ts):
  // it must be alone on its directory. A node of several (a broker, PostgreSQL) may share one with other
  // nodes, never with a server alone (data-dir.ts). Refused with a startup error naming directory and holder.
  const soleWriter = cluster.storeUrl === undefined && cluster.brokerUrl === undefined;
  try {
    prepareDataDir(config.dataDir);
    dataDirLock = lockDataDir(config.dataDir, soleWriter ? 'alone' : 'shared');
    if (cluster.storeUrl === undefined) checkWritableFile(config.dbFile);
  } catch (error) {
    if (error instanceof DataDirError) startupError(error.message);
    throw error;
  }
  // The only place engines are picked: --store postgres://… / --broker redis://… scale out.
  // Timed for /metrics (lianxin_store_operation_seconds) without touching the engines.
  store = instrumentStore(cluster.storeUrl !== undefined
    ? createPgStore({ connectionString: cluster.storeUrl })
    // With a broker this node may be one of several on the file: pulls always read it (sqlite-sync-tail.ts).
    : await createSqliteStore({ file: config.dbFile, soleWriter }));
  await store.migrate();
  const apps = createAppRegistry(config.apps);
  // Built-in file service: local disk under the data dir (an S3-compatible FileStore can replace it here).
  const fileOptions = config.files ?? DEFAULT_FILE_OPTIONS;
  if (fileOptions.enabled) fileStore = await createLocalFileStore({ root: join(config.dataDir, 'files') });
  const files = fileStore === undefined ? undefined : new FileService({
    store: fileStore,
    signer: new FileSigner(loadOrCreateFileSecret(config.dataDir)),
    options: fileOptions,
    now: () => systemClock.now(),
    baseUrl: () => defaultFileBaseUrl(config, app?.fastify.server.address()),
    apps,
    users: store.users,
  });
  const ctx: ServerContext = {
    config,
    store,
    apps,
    tokens: createTokenService({ apps, users: store.users }),
    clock: systemClock,
    log,
    ...(files === undefined ? {} : { files }),
  };
  // Embedded default: one process, in-memory broker and presence; --broker redis://… for N nodes.
  const lagMetrics = brokerMetrics();
  const stamp = (inner: Broker): Broker => new StampedBroker(inner, { onLag: lagMetrics.onLag, onPublish: lagMetrics.onPublish });
  if (cluster.brokerUrl !== undefined) {
    // Publish→receive lag is measured on every node from node-stamped publish times (/metrics).
    broker = stamp(createRedisBroker({ url: cluster.brokerUrl, onError: (error) => log.error('broker failed', { error }) }));
    presence = createRedisPresence({ url: cluster.brokerUrl, onError: (error) => log.error('presence failed', { error }) });
    rateBuckets = createRedisRateBuckets({ url: cluster.brokerUrl, onError: (error) => log.error('rate buckets failed', { error }) });
  } else {
    broker = stamp(new MemoryBroker({ onError: (error) => log.error('broker subscriber failed', { error }) }));
    presence = new MemoryPresence({ now: () => ctx.clock.now() });
    rateBuckets = new MemoryRateBuckets();
  }
  const engines = broker;
  lagMetrics.watch(() => engines.healthy?.() ?? true);
  app = await createApp(ctx, { broker, presence, nodeId: cluster.nodeId, rateBuckets });
  // A reconnect storm lands thousands of SYNs at once; Node's default backlog (511) overflows and the
  // dropped clients only return on the kernel's SYN retries 7–31 s later. The kernel caps it at somaxconn.
  await app.fastify.listen({ host: config.host, port: config.port, backlog: 4096 });
  if (stopping) return;

  const address = app.fastify.server.address() as AddressInfo;
  log.info('started', { nodeId: cluster.nodeId, store: cluster.storeUrl === undefined ? 'sqlite' : 'postgres', broker: cluster.brokerUrl === undefined ? 'memory' : 'redis', dataDir: config.dataDir, apps: config.apps.map((a) => a.appKey), publicHosts: config.publicHosts });
  for (const dev of config.apps.filter((a) => a.dev)) {
    process.stdout.write(`dev app: appKey=${dev.appKey} appSecret=${dev.appSecret}\n`);
  }
  // stderr: stdout's machine-readable lines stay as they were; the operator sees both.
  if (app.consolePassword !== undefined) {
    process.stderr.write(`console admin password: ${app.consolePassword} (generated on first start; change it at /console)\n`);
  }
  process.stdout.write(`listening on http://${formatUrlHost(address.address)}:${address.port}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`lianxin-server: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
