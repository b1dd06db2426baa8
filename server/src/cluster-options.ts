/**
 * Scale-out options (issue #11), parsed apart from config.ts: they pick engines, which only the
 * composition root (main.ts) does. `extractClusterOptions` takes its flags out of argv and hands
 * the rest to `loadConfig` unchanged, so the embedded CLI is untouched and stays the default.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError } from './config';

export interface ClusterOptions {
  /** `postgres://…` selects the PostgreSQL store; absent = embedded SQLite in the data dir. */
  readonly storeUrl?: string;
  /** `redis://…` selects the Redis broker and presence; absent = in-memory (single node). */
  readonly brokerUrl?: string;
  /** Unique per running node; prefixes session ids and names the `node:<id>` broker topic. */
  readonly nodeId: string;
  /** What navi advertises for this node (http(s)://host[:port]); becomes the first --public-host. */
  readonly publicUrl?: string;
  /**
   * SIGTERM drain: ms between failing `/readyz` and redirecting live clients, so the load balancer has
   * stopped sending new connections here by the time they reconnect (default 0).
   */
  readonly drainDelayMs: number;
}

export interface ExtractedClusterOptions {
  readonly options: ClusterOptions;
  /** argv without the cluster flags (plus a derived `--public-host` when only --public-url was given). */
  readonly rest: readonly string[];
}

export const CLUSTER_USAGE = `
Scale-out options (defaults keep the embedded single node):
  --store URL                 postgres://user:pass@host:port/db = PostgreSQL store
                              (default: SQLite in the data dir) [LIANXIN_STORE]
  --broker URL                redis://host:port[/db] = Redis broker and presence
                              (default: in-memory, one node) [LIANXIN_BROKER]
  --node-id ID                unique id of this node, [A-Za-z0-9_-] (default: host-pid-random)
                              [LIANXIN_NODE_ID]
  --public-url URL            http(s)://host[:port] navi advertises for this node
                              [LIANXIN_PUBLIC_URL]
  --drain-delay-ms MS         on SIGTERM, fail /readyz this long before telling
                              clients to reconnect elsewhere (default 0)
                              [LIANXIN_DRAIN_DELAY_MS]
`;

const FLAGS = new Set(['--store', '--broker', '--node-id', '--public-url', '--drain-delay-ms']);
const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Env = Readonly<Record<string, string | undefined>>;

export function extractClusterOptions(argv: readonly string[], env: Env): ExtractedClusterOptions {
  const cli = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(flag)) {
      rest.push(arg);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new ConfigError(`${flag} needs a value`);
    cli.set(flag, value);
  }
  const pick = (flag: string, variable: string): string | undefined => {
    const value = cli.get(flag) ?? env[variable];
    return value === '' ? undefined : value;
  };

  const storeUrl = pick('--store', 'LIANXIN_STORE');
  if (storeUrl !== undefined && !/^postgres(ql)?:\/\//.test(storeUrl)) {
    throw new ConfigError(`--store: expected postgres://… (got "${storeUrl}")`);
  }
  const brokerUrl = pick('--broker', 'LIANXIN_BROKER');
  if (brokerUrl !== undefined && !/^rediss?:\/\//.test(brokerUrl)) {
    throw new ConfigError(`--broker: expected redis://… (got "${brokerUrl}")`);
  }
  const nodeId = pick('--node-id', 'LIANXIN_NODE_ID') ?? defaultNodeId();
  if (!NODE_ID.test(nodeId)) throw new ConfigError(`--node-id: expected 1-64 of [A-Za-z0-9_-] (got "${nodeId}")`);
  const publicUrl = pick('--public-url', 'LIANXIN_PUBLIC_URL');
  if (publicUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(publicUrl);
    } catch {
      throw new ConfigError(`--public-url: not a URL: "${publicUrl}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError('--public-url: expected http:// or https://');
    // Navi advertises host:port; an explicit --public-host list wins (it may name other nodes too).
    if (!rest.some((a) => a === '--public-host' || a.startsWith('--public-host='))) {
      const port = parsed.port !== '' ? parsed.port : parsed.protocol === 'https:' ? '443' : '80';
      rest.unshift('--public-host', `${parsed.hostname}:${port}`);
    }
  }
  const drainRaw = pick('--drain-delay-ms', 'LIANXIN_DRAIN_DELAY_MS') ?? '0';
  if (!/^\d{1,7}$/.test(drainRaw)) throw new ConfigError(`--drain-delay-ms: expected a whole number of ms (got "${drainRaw}")`);
  return {
    options: {
      nodeId,
      drainDelayMs: Number(drainRaw),
      ...(storeUrl !== undefined && { storeUrl }),
      ...(brokerUrl !== undefined && { brokerUrl }),
      ...(publicUrl !== undefined && { publicUrl }),
    },
    rest,
  };
}

function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32) || 'node';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
