/**
 * The Host header (RFC 9112 §3.2: a request with more than one Host line, or an invalid value, MUST be answered
 * 400). Node's parser keeps the first of several and takes any text: behind a proxy that reads another line, the two
 * disagree about the host (navi answers hosts from it when the server listens on every address; the Server API
 * builds its origin from it). Accepted: a bracketed IPv6 address or a name of unreserved characters (underscores
 * included: container service names), with an optional port up to 65535; no Host at all is left to Node (HTTP/1.0).
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::(\d{1,5}))?$/;

/** Whether the request's raw header list (name, value, name, value, …) has at most one valid Host line. */
export function validHostHeader(rawHeaders: readonly string[]): boolean {
  let seen = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
    if (seen) return false;
    seen = true;
    const match = HOST.exec(rawHeaders[i + 1] ?? '');
    if (match === null || (match[1] !== undefined && Number(match[1]) > 65_535)) return false;
  }
  return true;
}
