/**
 * Network-namespace plumbing for the partition test (needs root and iproute2's `ip`; no iptables).
 *
 * `createIsolatedHost()` makes a namespace for one node, joined to the root namespace by two veth pairs
 * in a private 10.213.K.0/24 (K picked free):
 *
 *   root namespace                                  namespace lxnet-<pid>-<n>
 *   lx<pid>d<n>h 10.213.K.1/30  ══ data link ══     lx<pid>d<n>n 10.213.K.2/30   (node → PostgreSQL, Redis)
 *   lx<pid>c<n>h 10.213.K.5/30  ══ client link ══   lx<pid>c<n>n 10.213.K.6/30   (balancer, test → node)
 *
 * PostgreSQL and Redis also listen on 10.213.K.1; the node listens on 10.213.K.6 and reaches nothing
 * else (the namespace has no default route). `cut()` sets the root end of the data link down: the node's
 * packets are dropped at the veth (silence, nothing is closed or reset, as in a real partition) while its
 * clients stay connected over the client link; `heal()` sets it up again and TCP retransmits what was
 * held. Traffic never leaves these veths: the root namespace also gets `blackhole 10.213.K.0/24` (less
 * specific than the /30 links, so it only catches packets while a link is down), whose metric is the
 * owning process id so that `sweepStale()` can tell a dead run's leftovers from a live one's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';

const PREFIX = 'lxnet-';
const SUBNET = '10.213';
const TIMEOUT_MS = 5000;

export interface IsolatedHost {
  readonly namespace: string;
  /** Root-namespace end of the data link: where PostgreSQL and Redis must also listen. */
  readonly serviceAddress: string;
  /** The isolated node's address (client link), for `--host`. */
  readonly nodeAddress: string;
  /** Runs a program inside the namespace; `ip netns exec` execs in place, so the pid is the program's. */
  readonly commandPrefix: readonly string[];
  /** The PostgreSQL or Redis URL `url` (on 127.0.0.1) as the isolated node reaches it. */
  viaDataLink(url: string): string;
  cut(): void;
  heal(): void;
  /** Deletes the namespace (and with it both veth pairs) and the blackhole route; idempotent. */
  remove(): void;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why namespaces cannot be used here, or undefined when they can (root, `ip`, and a probe namespace can be
 * made). LIANXIN_TEST_NO_NETNS=1 forces the fallback (to exercise it, or where namespaces are unwelcome).
 */
export function netnsUnavailable(): string | undefined {
  if (process.env.LIANXIN_TEST_NO_NETNS === '1') return 'disabled by LIANXIN_TEST_NO_NETNS=1';
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (userInfo().uid !== 0) return 'not running as root';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore', timeout: TIMEOUT_MS }).status !== 0) return 'iproute2 `ip` not found';
  const probe = `${PREFIX}${process.pid}-probe`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: TIMEOUT_MS });
  if (added.status !== 0) return `ip netns add failed: ${added.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore', timeout: TIMEOUT_MS });
  return undefined;
}

/** Removes namespaces, veths and blackhole routes left by runs whose process is gone (a crashed run). */
export function sweepStale(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (match !== null && !alive(Number(match[1]))) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: TIMEOUT_MS });
  }
  for (const line of ip('-o', 'link', 'show').split('\n')) {
    const match = /^\d+: (lx(\d+)[dc]\d+h)[@:]/.exec(line);
    if (match !== null && !alive(Number(match[2]))) spawnSync('ip', ['link', 'del', match[1] as string], { stdio: 'ignore', timeout: TIMEOUT_MS });
  }
  for (const line of ip('-4', 'route', 'show', 'type', 'blackhole').split('\n')) {
    const match = new RegExp(`^blackhole (${SUBNET.replace('.', '\\.')}\\.\\d+\\.0/24) .*metric (\\d+)`).exec(line);
    if (match !== null && !alive(Number(match[2]))) spawnSync('ip', ['route', 'del', 'blackhole', match[1] as string, 'metric', match[2] as string], { stdio: 'ignore', timeout: TIMEOUT_MS });
  }
}

function freeSubnet(): number {
  const used = ip('-4', 'route', 'show', 'table', 'all') + ip('-4', 'addr', 'show');
  for (let k = 1; k < 255; k++) if (!used.includes(`${SUBNET}.${k}.`)) return k;
  throw new Error(`no free ${SUBNET}.K.0/24 for a test namespace`);
}

let created = 0;

export function createIsolatedHost(): IsolatedHost {
  created += 1;
  const namespace = `${PREFIX}${process.pid}-${created}`;
  const link = (kind: 'd' | 'c', end: 'h' | 'n'): string => `lx${process.pid}${kind}${created}${end}`;
  const k = freeSubnet();
  const net = `${SUBNET}.${k}`;
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    spawnSync('ip', ['netns', 'del', namespace], { stdio: 'ignore', timeout: TIMEOUT_MS });
    for (const kind of ['d', 'c'] as const) spawnSync('ip', ['link', 'del', link(kind, 'h')], { stdio: 'ignore', timeout: TIMEOUT_MS });
    spawnSync('ip', ['route', 'del', 'blackhole', `${net}.0/24`, 'metric', String(process.pid)], { stdio: 'ignore', timeout: TIMEOUT_MS });
  };
  try {
    ip('route', 'add', 'blackhole', `${net}.0/24`, 'metric', String(process.pid));
    ip('netns', 'add', namespace);
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    for (const [kind, host] of [['d', 1], ['c', 5]] as const) {
      ip('link', 'add', link(kind, 'h'), 'type', 'veth', 'peer', 'name', link(kind, 'n'));
      ip('link', 'set', link(kind, 'n'), 'netns', namespace);
      ip('addr', 'add', `${net}.${host}/30`, 'dev', link(kind, 'h'));
      ip('link', 'set', link(kind, 'h'), 'up');
      ip('-n', namespace, 'addr', 'add', `${net}.${host + 1}/30`, 'dev', link(kind, 'n'));
      ip('-n', namespace, 'link', 'set', link(kind, 'n'), 'up');
    }
  } catch (error) {
    remove();
    throw error;
  }
  process.once('exit', remove);
  const serviceAddress = `${net}.1`;
  return {
    namespace,
    serviceAddress,
    nodeAddress: `${net}.6`,
    commandPrefix: ['ip', 'netns', 'exec', namespace],
    viaDataLink: (url) => url.replace('//127.0.0.1:', `//${serviceAddress}:`).replace('@127.0.0.1:', `@${serviceAddress}:`),
    cut: () => {
      ip('link', 'set', link('d', 'h'), 'down');
    },
    heal: () => {
      ip('link', 'set', link('d', 'h'), 'up');
    },
    remove,
  };
}
