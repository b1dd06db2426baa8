/**
 * `npm run storm -- [--clients 10000] [--mode network|restart] [--jitter 5000] [--sources 4] [--json FILE]`
 * (= `node --import tsx scripts/storm.ts …`): the full-size reconnect storm of issue #13 against a
 * real server process started here (its own data directory). `network`: every client socket dies at
 * once; `restart`: the server is killed with SIGKILL and restarted on the same port and data. Prints
 * the report (time to recovery, attempts, /healthz and navi latency, sessions, RSS) and exits 1 when
 * a client did not come back synced or a session leaked. Scale-down version: the jest test
 * server/test/e2e/reliability/reconnect-storm.test.ts.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { issueTokens } from '../bench/lib/bench-server';
import { serverApi } from '../test/support/server-api-client';
import { startServer, type RunningServer } from '../test/support/server-launcher';
import { runStorm } from './storm-core';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value ?? fallback;
}

const clients = Number(flag('clients', '10000'));
const mode = flag('mode', 'network') === 'restart' ? 'restart' : 'network';
const jitterMs = Number(flag('jitter', '5000'));
const sources = Math.max(1, Math.min(50, Number(flag('sources', String(Math.ceil(clients / 5000))))));
const jsonFile = process.argv.includes('--json') ? flag('json', 'storm.json') : undefined;
const APP = { key: 'lxstorm', secret: 'lxstormsecret', options: { 'rate.message/private/publish': 'off' } };

async function main(): Promise<number> {
  let server: RunningServer = await startServer({ apps: [APP], startTimeoutMs: 60_000 });
  const port = server.port;
  const dataDir = server.dataDir;
  try {
    const api = serverApi(server.url, APP.key, APP.secret);
    console.log(`storm: issuing ${clients} tokens…`);
    const users = await issueTokens(api, Array.from({ length: clients }, (_, i) => `storm${i}`), 64);
    const report = await runStorm({
      url: () => server.url,
      appKey: APP.key,
      users,
      api: () => serverApi(server.url, APP.key, APP.secret),
      jitterMs,
      baseBackoffMs: 250,
      maxBackoffMs: 10_000,
      localAddresses: Array.from({ length: sources }, (_, i) => `127.0.0.${i + 2}`),
      connectConcurrency: 200,
      recoveryTimeoutMs: 600_000,
      mode,
      restart: async () => {
        server.kill9();
        await server.exited;
        server = await startServer({ apps: [APP], dataDir, args: ['--port', String(port)], startTimeoutMs: 60_000 });
      },
      log: (line) => console.log(line),
    });
    console.log(JSON.stringify(report, null, 2));
    if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify({ mode, jitterMs, sources, ...report }, null, 2)}\n`);
    const ok = report.recovered === clients && report.synced === clients && report.sessionsAfter === clients && report.healthz.failures === 0;
    console.log(ok ? 'storm: OK' : 'storm: FAILED');
    return ok ? 0 : 1;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
