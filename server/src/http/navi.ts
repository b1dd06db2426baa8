/**
 * Navi bootstrap (PROTOCOL.md §2): `GET /navi.js` (WebSocket clients) and `GET /cometnavi.js`
 * (comet clients) answer `getServerEndpoint(<compact JSON>);` with nothing after it. Engine ≥ 5.28
 * (imlib-next 5.38) only asks `POST /v2/navi.json` and reads the same object as plain JSON
 * (PROTOCOL-E5.md §1); its CORS preflight is answered by cors.ts.
 *
 * Framing invariants (§2.3): engine 4.x strips the callback prefix and a final `)`/`);` anchored at
 * the very end, so no trailing byte may follow; RongIMLib 2.5.3 cuts at the first `);`, so the JSON
 * never contains `);` (escaped as `\u0029;` inside strings, where it could only occur).
 *
 * Status policy: success → HTTP 200 + code 200. Unknown app → HTTP 403 + code 403; bad token →
 * HTTP 401 + code 401. 2.5.3 parses 401/403 bodies like 200 ones and maps them to "app key is fake"
 * and "token incorrect"; engine 4.x treats any non-200 as "try the next navigator", which is right
 * too since this navigator cannot serve that app/token. Expired tokens and banned users are NOT
 * refused here: the CONNACK reports them precisely (TOKEN_EXPIRE 10, BLOCK 9).
 *
 * Hosts that cannot read an error answer: Alipay's my.request fails an HTTP status ≥ 400 as
 * `{ error: 19 }` with no status or body, so a 401 could not be told from an unreachable navigator.
 * Our Alipay adapter therefore sends `x-lianxin-status-in-header: 1` (platforms/alipay/alipay-request.ts);
 * with it the GET navi answers HTTP 200, the real status in `x-lianxin-status`, the body unchanged, and
 * the adapter restores the status. The official clients never send that header, so what they get
 * does not change.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { chatroomOptionsOf } from '../chatroom-options';
import type { ServerContext } from '../context';

export const NAVI_CALLBACK = 'getServerEndpoint';
/** Request header asking for an error status in STATUS_HEADER under HTTP 200 (see above). */
const STATUS_IN_HEADER = 'x-lianxin-status-in-header';
const STATUS_HEADER = 'x-lianxin-status';
const SAFE_CALLBACK = /^[A-Za-z_$][\w$.]*$/;
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

export interface NaviBody {
  readonly code: number;
  readonly [field: string]: unknown;
}

/** Exactly `callback(` + JSON + `);`; `);` inside string values is escaped. */
export function frameNaviBody(callback: string, body: NaviBody): string {
  const json = JSON.stringify(body).replace(/\);/g, '\\u0029;');
  return `${callback}(${json});`;
}

function firstQueryValue(query: unknown, name: string): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const value = (query as Record<string, unknown>)[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function formatHost(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/** host:port clients should use: configured public hosts, else the listening address. */
function advertisedHosts(ctx: ServerContext, fastify: FastifyInstance, request: FastifyRequest): string[] {
  if (ctx.config.publicHosts.length > 0) return [...ctx.config.publicHosts];
  const address = fastify.server.address() as AddressInfo | string | null;
  const port = address !== null && typeof address === 'object' ? address.port : ctx.config.port;
  if (WILDCARD_HOSTS.has(ctx.config.host)) {
    // Bound to every interface: the Host the client used to reach navi is the best guess.
    const hostHeader = request.headers.host;
    if (typeof hostHeader === 'string' && HOST_HEADER.test(hostHeader)) return [hostHeader];
    return [formatHost('127.0.0.1', port)];
  }
  return [formatHost(ctx.config.host, port)];
}

interface NaviAnswer {
  readonly status: number;
  readonly body: NaviBody;
}

/** The navi answer for one app key and token, shared by every navi path. */
function answerNavi(ctx: ServerContext, fastify: FastifyInstance, request: FastifyRequest, appKey: string, token: string, generation: 'v1' | 'v2'): NaviAnswer {
  const app = ctx.apps.get(appKey);
  if (app === undefined) return { status: 403, body: { code: 403 } };
  const claims = ctx.tokens.verify(token);
  if (!claims.ok || claims.appKey !== appKey) return { status: 401, body: { code: 401 } };
  const [server = '', ...backups] = advertisedHosts(ctx, fastify, request);
  const body: NaviBody = {
    code: 200,
    server,
    backupServer: backups.join(','),
    userId: claims.userId,
    // E4 pulls chatroom KV on join only when kvStorage is set; joinMChrm decides what it re-joins.
    kvStorage: chatroomOptionsOf(app).kvEnabled ? 1 : 0,
    joinMChrm: chatroomOptionsOf(app).multiRoom,
    openMp: 0,
    openUS: 0,
    // 1 lets E4 use group read receipts v2 (rrMsg/rrList) and refuse v1 responses (PROTOCOL.md §2.4).
    grpRRVer: app.groupReadReceiptV2 === true ? 1 : 0,
    // Engine ≥ 5.28 only (PROTOCOL-E5.md §1.3): 3 = read receipts V4, 4 = V5 (services/e5-read-receipts.ts).
    ...(generation === 'v2' && app.e5ReadReceipts !== undefined ? { grpRRVer: app.e5ReadReceipts === 'v4' ? 3 : 4 } : {}),
    // Server-side unread (services/e5-unread.ts); clients that do not know the field ignore it.
    ...(app.serverSaveUnread === true ? { serverSaveUnread: 1 } : {}),
    logSwitch: 0,
    logPolicy: '',
    voipCallInfo: null,
    // The built-in file service (http/files.ts: uploads are POSTed to its root, as to Qiniu's upload host);
    // E4 hands it to apps as `qiniu`.
    uploadServer: ctx.files?.options.baseUrl ?? `${request.protocol}://${server}`,
    // KB, as the official navi sends it; SDKs check GIF sizes against it before sending (34003).
    ...(ctx.files === undefined ? {} : { gifSize: Math.floor(ctx.files.options.maxGifBytes / 1024) }),
    historyMsg: true,
    chatroomMsg: true,
    // Only engine ≥ 5.28 asks /v2/navi.json (PROTOCOL-E5.md §1.1). openHistoryMsg 0 makes it deliver `s_msg`
    // directly: the server sends s_msg only for transient messages, which a pull could never return (§4).
    // openAnti stays off (V3 CONNACK) and type is never 1 (the private-cloud marker refuses to connect).
    ...(generation === 'v2' ? { openHistoryMsg: 0, openAnti: 0 } : {}),
  };
  return { status: 200, body };
}

/** `application/x-www-form-urlencoded` body of /v2/navi.json (5.38 sends `Application/x-www-form-urlencoded`). */
const MAX_NAVI_BODY_BYTES = 16 * 1024;

export function registerNavi(fastify: FastifyInstance, ctx: ServerContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<string> => {
    const requestedCallback = firstQueryValue(request.query, 'callBack');
    const callback = requestedCallback !== undefined && SAFE_CALLBACK.test(requestedCallback) ? requestedCallback : NAVI_CALLBACK;
    void reply.header('content-type', 'application/javascript; charset=utf-8').header('cache-control', 'no-store');
    const appKey = firstQueryValue(request.query, 'appId') ?? '';
    const answer = answerNavi(ctx, fastify, request, appKey, firstQueryValue(request.query, 'token') ?? '', 'v1');
    if (answer.status !== 200 && request.headers[STATUS_IN_HEADER] === '1') void reply.code(200).header(STATUS_HEADER, String(answer.status));
    else void reply.code(answer.status);
    return frameNaviBody(callback, answer.body);
  };
  fastify.get('/navi.js', handler);
  fastify.get('/cometnavi.js', handler);

  // Engine ≥ 5.28 (PROTOCOL-E5.md §1.1): POST, app key in `RC-Appkey`, token in a form body, plain JSON reply.
  // The token keeps its `@host` suffix here; verify() strips it. Own scope: the form parser stays local.
  void fastify.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_NAVI_BODY_BYTES }, (_request, text, done) => done(null, text));
    scope.post('/v2/navi.json', async (request, reply) => {
      const appKeyHeader = request.headers['rc-appkey'];
      const appKey = typeof appKeyHeader === 'string' ? appKeyHeader : '';
      const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
      const answer = answerNavi(ctx, fastify, request, appKey, form.get('token') ?? '', 'v2');
      void reply.code(answer.status).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store');
      return JSON.stringify(answer.body);
    });
  });
}
