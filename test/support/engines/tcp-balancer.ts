/**
 * A small L4 (TCP) load balancer on 127.0.0.1 for cluster tests: round-robin over the backends whose
 * `GET /readyz` answered 200 at the last health check (every `checkEveryMs`), the way an operator's
 * HAProxy/nginx/ELB would run in front of N identical nodes. Each client connection is piped whole to
 * one backend, so HTTP keep-alive, WebSocket and comet all work unchanged; a backend that stops being
 * ready gets no new connections, but connections already piped to it stay until it closes them.
 */
import { request } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Backend {
  readonly host: string;
  readonly port: number;
}

export interface RunningBalancer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Replaces the backend list (takes effect for new connections after the next health check). */
  setBackends(backends: readonly Backend[]): void;
  /** Backends that were ready at the last check. */
  healthy(): readonly Backend[];
  /** Runs a health check now and resolves when it is done. */
  check(): Promise<void>;
  /** Client connections accepted so far, per backend `host:port`. */
  readonly routed: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

function key(b: Backend): string {
  return `${b.host}:${b.port}`;
}

function ready(b: Backend, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: b.host, port: b.port, path: '/readyz', method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function startBalancer(options: { readonly backends?: readonly Backend[]; readonly checkEveryMs?: number } = {}): Promise<RunningBalancer> {
  let backends: readonly Backend[] = options.backends ?? [];
  let up: Backend[] = [];
  let next = 0;
  const routed = new Map<string, number>();
  const sockets = new Set<Socket>();

  const check = async (): Promise<void> => {
    const list = backends;
    const results = await Promise.all(list.map((b) => ready(b, 500)));
    up = list.filter((_b, i) => results[i] === true);
  };

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const target = up.length === 0 ? undefined : up[next++ % up.length];
    if (target === undefined) {
      client.destroy();
      return;
    }
    routed.set(key(target), (routed.get(key(target)) ?? 0) + 1);
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    upstream.once('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
    upstream.on('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await check();
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void check().finally(() => {
      checking = false;
    });
  }, options.checkEveryMs ?? 100);
  timer.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setBackends: (list) => {
      backends = [...list];
    },
    healthy: () => up,
    check,
    routed,
    stop: async () => {
      clearInterval(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
