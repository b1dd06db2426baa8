/**
 * The absolute base URL put into download URLs when no `files.baseUrl` is configured: the first public
 * host, else the listening address (loopback when bound to every interface). Behind TLS or a proxy
 * the operator sets `--files baseUrl=https://…` (or `--public-host`), as for navi.
 */
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../config';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

export function defaultFileBaseUrl(config: ServerConfig, address: AddressInfo | string | null | undefined): string {
  const [publicHost] = config.publicHosts;
  if (publicHost !== undefined) return `http://${publicHost}`;
  const port = address !== null && typeof address === 'object' ? address.port : config.port;
  const host = WILDCARD_HOSTS.has(config.host) ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}
