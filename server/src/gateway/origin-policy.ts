/**
 * Per-app allowed web origins (RongCloud's "Web 安全域名"): an app option listing the page origins
 * that may open WebSocket and comet connections. A browser always sends `Origin` on a WebSocket
 * upgrade and on a cross-origin XHR, so a page from another site is refused with CONNACK status 12
 * (HOSTNAME_ERROR: 35009 in our SDK, 31022 in imlib-next 5.x, 30002 in the 2.9.2 client). Requests without an `Origin` header
 * come from non-browser hosts (Node, mini-programs, native) and are not subject to the list, as on
 * RongCloud, where the safe-domain list only concerns the Web SDK.
 *
 * Entry forms (matched case-insensitively):
 * - `*`                          any origin;
 * - `https://app.example.com:8443` an exact origin (scheme, host and port);
 * - `app.example.com` / `app.example.com:8080` a host (any scheme), with the port when given;
 * - `*.example.com`              any subdomain of example.com (not example.com itself).
 */

/** CONNACK status for a page origin outside the app's list (PROTOCOL.md §3.2: 12 HOSTNAME_ERROR). */
export const ORIGIN_REFUSED_CONNACK = 12;

const HOST_ENTRY = /^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/;

/** Normalises and validates one entry; returns an error text for an invalid one. */
export function parseOriginEntry(raw: string): string | { readonly error: string } {
  const entry = raw.trim().toLowerCase();
  if (entry === '*') return entry;
  if (entry.includes('://')) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return { error: `"${raw}" is not an origin` };
    }
    if (url.origin === 'null' || url.pathname !== '/' || url.search !== '' || url.hash !== '' || entry.replace(/\/$/, '') !== url.origin) {
      return { error: `"${raw}" must be scheme://host[:port] with nothing after it` };
    }
    return url.origin;
  }
  if (!HOST_ENTRY.test(entry)) return { error: `"${raw}" is not a host, *.domain or scheme://host[:port]` };
  return entry;
}

/** `a.example.com|https://b.example.com` (the `--app` option form; `|` because `,` separates options). */
export function parseAllowedOrigins(text: string): readonly string[] | { readonly error: string } {
  const out: string[] = [];
  for (const part of text.split('|')) {
    if (part.trim() === '') continue;
    const parsed = parseOriginEntry(part);
    if (typeof parsed !== 'string') return parsed;
    out.push(parsed);
  }
  if (out.length === 0) return { error: 'needs at least one origin' };
  return out;
}

function matches(entry: string, origin: URL): boolean {
  if (entry === '*') return true;
  if (entry.includes('://')) return entry === origin.origin;
  const colon = entry.lastIndexOf(':');
  const host = colon > 0 ? entry.slice(0, colon) : entry;
  const port = colon > 0 ? entry.slice(colon + 1) : undefined;
  const defaultPort = origin.protocol === 'https:' || origin.protocol === 'wss:' ? '443' : '80';
  if (port !== undefined && port !== (origin.port === '' ? defaultPort : origin.port)) return false;
  if (host.startsWith('*.')) return origin.hostname.endsWith(host.slice(1));
  return origin.hostname === host;
}

/**
 * Whether a connection carrying this `Origin` header may proceed. No list: everything. No header:
 * allowed (not a browser page). A header that is not a usable origin (`null`, garbage): refused.
 */
export function originAllowed(allowed: readonly string[] | undefined, originHeader: string | undefined): boolean {
  if (allowed === undefined || allowed.length === 0) return true;
  if (originHeader === undefined || originHeader === '') return true;
  let origin: URL;
  try {
    origin = new URL(originHeader.trim().toLowerCase());
  } catch {
    return false;
  }
  if (origin.origin === 'null') return false;
  return allowed.some((entry) => matches(entry, origin));
}
