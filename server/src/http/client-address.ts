/**
 * The client's address behind reverse proxies (`--trust-proxy`). A server behind an L7 balancer (the nginx of
 * SCALING.md §2) sees every request and WebSocket upgrade come from the balancer; what is per client — the
 * tokenless-upload slots per address (files/tokenless-uploads.ts), the `clientIp` of online-status callbacks,
 * request logs — then lumps all clients into one. With the balancer's addresses trusted, the address is read
 * from `X-Forwarded-For` as proxy-addr (fastify's `trustProxy`) reads it: walking from the peer towards the
 * client, the first address that is not a trusted proxy is the client (so a client cannot forge its address by
 * sending the header itself: what it wrote stays left of what the trusted proxy appended). Without the option
 * nothing is trusted and the peer's address is the client's.
 *
 * Entries: IPv4/IPv6 addresses, CIDR ranges (`10.0.0.0/8`, `fd00::/8`), and the names `loopback`
 * (127.0.0.0/8, ::1) and `private` (10/8, 172.16/12, 192.168/16, fc00::/7) for the usual sidecar and in-cluster
 * balancers. IPv4-mapped IPv6 peers (`::ffff:10.0.0.1`, a dual-stack listener's view of an IPv4 peer) are
 * matched as the IPv4 address they carry.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../app-config';

const NAMED: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `::ffff:a.b.c.d` → `a.b.c.d`; other addresses unchanged. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return match === null ? address : (match[1] as string);
}

export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  /** Throws ConfigError naming the first entry that is neither an address, a CIDR range nor a known name. */
  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      for (const range of NAMED[entry] ?? [entry]) this.add(range, entry);
    }
    this.empty = entries.length === 0;
  }

  private add(range: string, entry: string): void {
    const slash = range.indexOf('/');
    const address = slash < 0 ? range : range.slice(0, slash);
    const family = isIP(address);
    const prefix = slash < 0 ? (family === 6 ? 128 : 32) : Number(range.slice(slash + 1));
    const max = family === 6 ? 128 : 32;
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max || (slash >= 0 && !/^\d{1,3}$/.test(range.slice(slash + 1)))) {
      throw new ConfigError(`--trust-proxy: "${entry}" is not an IP address, a CIDR range, "loopback" or "private"`);
    }
    this.list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** Whether `address` (an IP address as a socket reports it) is a trusted proxy. */
  trusts(address: string): boolean {
    if (this.empty) return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * The client's address for a connection from `peer` carrying `forwardedFor` (every `X-Forwarded-For` header
   * of the request): the peer's own unless it is trusted; then the nearest untrusted hop, the farthest one when
   * every hop is trusted, or the last well-formed hop before a malformed entry.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | readonly string[] | undefined): string | undefined {
    if (peer === undefined || !this.trusts(peer) || forwardedFor === undefined) return peer;
    const hops = (typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor).join(',').split(',').map((hop) => hop.trim());
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (isIP(hop) === 0) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    return client;
  }
}
