/**
 * The server under test: the real `server/src/main.ts` in its own process (the shared test launcher),
 * pinned to its core, with a benchmark app whose per-connection send limit is lifted (the default
 * 5 msg/s is a product rule, not a throughput ceiling).
 */
import { execFileSync } from 'node:child_process';
import { serverApi, type ServerApiClient } from '../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../test/support/server-launcher';
import { pinProcess } from './pin';

export const BENCH_APP: TestApp = { key: 'lxbench', secret: 'lxbenchsecret', options: { maxSendRate: 1_000_000 } };

export interface BenchServer {
  readonly url: string;
  readonly pid: number | undefined;
  readonly pinned: boolean;
  readonly dataDir: string;
  /** Filesystem type of the data directory (fsync cost differs by orders of magnitude: tmpfs vs ext4). */
  readonly dataFs: string;
  readonly api: ServerApiClient;
  readonly running: RunningServer;
  stop(): Promise<void>;
}

export async function startBenchServer(
  cpus: string | undefined,
  extraArgs: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<BenchServer> {
  const running = await startServer({ apps: [BENCH_APP], args: [...extraArgs], env });
  const pid = running.proc.pid;
  const pinned = pinProcess(pid, cpus);
  let dataFs = 'unknown';
  try {
    dataFs = execFileSync('stat', ['-f', '-c', '%T', running.dataDir], { encoding: 'utf8' }).trim();
  } catch {
    // Non-Linux stat: the figure is informative only.
  }
  return {
    url: running.url,
    pid,
    pinned,
    dataDir: running.dataDir,
    dataFs,
    api: serverApi(running.url, BENCH_APP.key, BENCH_APP.secret),
    running,
    stop: async () => {
      await running.stop();
    },
  };
}

export interface BenchUser {
  readonly userId: string;
  readonly token: string;
}

/** Registers users through `user/getToken`, `concurrency` requests at a time. */
export async function issueTokens(api: ServerApiClient, userIds: readonly string[], concurrency = 16): Promise<BenchUser[]> {
  const users: BenchUser[] = new Array<BenchUser>(userIds.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < userIds.length) {
      const index = next++;
      const userId = userIds[index] as string;
      const response = await api.post<{ code: number; token: string }>('user/getToken', { userId, name: userId, portraitUri: '' });
      if (response.body.code !== 200) throw new Error(`getToken ${userId}: ${response.text}`);
      users[index] = { userId, token: response.body.token };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, userIds.length) }, worker));
  return users;
}
