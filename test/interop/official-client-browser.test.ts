/**
 * The official RongCloud web client (@rongcloud/imlib-v2 2.9.2 UMD on @rongcloud/engine 4.4.2's UMD,
 * both unmodified, engine first: imlib-v2's UMD wrapper reads the global `RCEngine`) in REAL headless
 * Chromium against the real server process. Pages come from the static server's origin
 * (http://127.0.0.1:<static port>), cross-origin to the IM server (http://127.0.0.1:<server port>), as
 * in a real deployment, so navi (the engine fetches it with XMLHttpRequest in a browser — asserted
 * below — never JSONP), CORS, the host probe, WebSocket from a page, comet long-polling and
 * localStorage (the engine's navi cache, the SDK's conversation state) all run for real.
 *
 * Every request to a non-loopback host is aborted in the page (HTTP routes and WebSocket routes) and
 * the test asserts that none was attempted (the official client's defaults point at RongCloud's public
 * navigators and log collectors; a page that fell back to them would be caught here).
 *
 * Observed here (docs/COMPATIBILITY.md has the rows): navi and comet requests are simple CORS requests
 * (XHR GET without custom headers, comet POSTs as text/plain), so no preflight is ever sent; a reloaded
 * page takes navi from the engine's localStorage cache; with `navi` set, nothing but the server is
 * contacted; a graceful server stop (DISCONNECT 6) gives REDIRECT (14) and the engine reconnects by
 * itself (retrying every 5 s); the browser sends `Origin` on the WebSocket upgrade and on comet, which
 * the app's safe-domain list checks; Chromium's Local Network Access keeps a public-origin page from a
 * loopback/private server unless the user allows it (a browser permission, no server header lifts it);
 * 2.9.2 signed out during its first pullMsg stays deaf to s_ntf for that request's 30 s timeout.
 *
 * Each page is one browser profile (own context, own localStorage). The page-side driver (below) keeps
 * what the SDK's listeners reported in `window.lx` and calls instance methods with an
 * `{onSuccess, onError}` callback at the position 2.9.2 expects.
 */
import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium as playwrightChromium, type Page } from 'playwright-core';
import { blockOffLoopback, CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium, startStaticServer, type ChromiumSession, type StaticServer } from '../support/chromium';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer, type TestApp } from '../support/server-launcher';

jest.setTimeout(60_000);

const PRIVATE = 1;
const GROUP = 3;
const CHATROOM = 4;
const CONNECTED = 0;
const KICKED = 6;
const CONNECTING = 1;
const REDIRECT = 14;

const DRIVER = `
(function () {
  var CALLBACK_INDEX = { sendMessage: 3, getHistoryMessages: 4, getConversationList: 0, getTotalUnreadCount: 0,
    getUnreadCount: 2, joinChatRoom: 2, quitChatRoom: 1, clearUnreadCount: 2 };
  function plain(v) { try { return JSON.parse(JSON.stringify(v === undefined ? null : v)); } catch (e) { return String(e); } }
  var lx = window.lx = { statuses: [], messages: [], errors: [] };
  lx.init = function (appKey, navi, connectionType) {
    RongIMLib.RongIMClient.init(appKey, null, { navi: navi, connectionType: connectionType, logLevel: 2 });
    RongIMLib.RongIMClient.setConnectionStatusListener({ onChanged: function (s) { lx.statuses.push(s); } });
    RongIMLib.RongIMClient.setOnReceiveMessageListener({ onReceived: function (m) { lx.messages.push(plain(m)); } });
    return true;
  };
  lx.connect = function (token) {
    return new Promise(function (resolve) {
      RongIMLib.RongIMClient.connect(token, {
        onSuccess: function (userId) { resolve({ ok: true, userId: userId }); },
        onTokenIncorrect: function () { resolve({ ok: false, kind: 'tokenIncorrect' }); },
        onError: function (code) { resolve({ ok: false, kind: 'error', code: code }); }
      });
    });
  };
  lx.disconnect = function () {
    return Promise.resolve(RongIMLib.RongIMClient.getInstance().disconnect()).then(function () { return true; });
  };
  lx.call = function (method, args) {
    return new Promise(function (resolve) {
      var instance = RongIMLib.RongIMClient.getInstance();
      var a = args.slice();
      if (method === 'sendMessage') a[2] = new RongIMLib.TextMessage(a[2]);
      var cb = {
        onSuccess: function () { resolve({ ok: true, value: plain(arguments[0]), args: plain(Array.prototype.slice.call(arguments)) }); },
        onError: function (code) { resolve({ ok: false, code: code }); }
      };
      var index = CALLBACK_INDEX[method];
      if (index === undefined) a.push(cb); else { while (a.length < index) a.push(undefined); a.splice(index, 0, cb); }
      try { instance[method].apply(instance, a); } catch (e) { resolve({ ok: false, thrown: String(e && e.message) }); }
    });
  };
})();
`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>official 2.9.2 in a browser</title>
<script src="/vendor/engine/index.umd.js"></script>
<script src="/vendor/imlib-v2/index.umd.js"></script>
<script src="/gen/driver.js"></script>
</head><body></body></html>`;

interface CallResult<T = unknown> {
  ok: boolean;
  value?: T;
  args?: unknown[];
  code?: number;
  thrown?: string;
}
interface PageMessage {
  conversationType: number;
  targetId: string;
  senderUserId: string;
  messageUId: string;
  content: { content?: string };
}

let chromium: ChromiumSession;
let statics: StaticServer;
let server: RunningServer;
const run = Math.random().toString(36).slice(2, 8);
let counter = 0;
/** Every request (and WebSocket) a page attempted to a non-loopback host. */
const offLoopback: string[] = [];
/** How each page fetched navi (Playwright's resource type per navi URL). */
const naviFetches: { url: string; type: string; method: string }[] = [];
/** Origins of requests the pages sent to the IM server (must all be the static origin). */
const pageOrigins = new Set<string>();

function newUserId(name: string): string {
  counter += 1;
  return `${name}-${run}-${counter}`;
}

async function tokenFor(userId: string, base = server, app: TestApp = DEFAULT_TEST_APP): Promise<string> {
  const response = await serverApi(base.url, app.key, app.secret).post<{ code: number; token: string }>(
    '/user/getToken.json',
    { userId, name: userId, portraitUri: '' },
  );
  if (response.body.code !== 200) throw new Error(`getToken ${userId}: ${response.text}`);
  return response.body.token;
}

/** A fresh browser profile with the official client loaded (not yet initialised). */
const opened: Page[] = [];

async function openPage(): Promise<Page> {
  const page = await chromium.newPage();
  opened.push(page);
  await guard(page);
  await page.goto(statics.url('/gen/official.html'), { timeout: 15_000 });
  return page;
}

async function guard(page: Page): Promise<void> {
  const context = page.context();
  await blockOffLoopback(context, offLoopback);
  context.on('request', (request) => {
    const url = request.url();
    if (process.env.LX_DUMP === '1' && !url.startsWith(statics.origin)) process.stderr.write(`REQ ${request.method()} ${request.resourceType()} ${url.slice(0, 140)} ${JSON.stringify(request.headers()).slice(0, 300)}\n`);
    if (/\/(comet)?navi\.js\?/.test(url)) naviFetches.push({ url, type: request.resourceType(), method: request.method() });
    const origin = request.headers()['origin'];
    if (origin !== undefined && !url.startsWith(statics.origin)) pageOrigins.add(origin);
  });
}

function logOf(page: Page): string {
  return chromium.logOf(page);
}

interface ConnectResult {
  ok: boolean;
  userId?: string;
  kind?: string;
  code?: number;
}

/** init + connect as the page's app would; resolves with what connect's callbacks reported. */
async function tryConnect(page: Page, token: string, connectionType = 'websocket', navi = server.url, appKey = DEFAULT_TEST_APP.key): Promise<ConnectResult> {
  await page.evaluate(([key, n, type]) => (globalThis as unknown as { lx: { init(a: string, b: string, c: string): boolean } }).lx.init(key, n, type), [
    appKey,
    navi,
    connectionType,
  ] as const);
  return page.evaluate((t) => (globalThis as unknown as { lx: { connect(t: string): Promise<ConnectResult> } }).lx.connect(t), token);
}

async function connectPage(page: Page, userId: string, token: string, connectionType = 'websocket', navi = server.url, appKey = DEFAULT_TEST_APP.key): Promise<void> {
  const result = await tryConnect(page, token, connectionType, navi, appKey);
  if (!result.ok || result.userId !== userId) throw new Error(`connect ${userId}: ${JSON.stringify(result)}\n${logOf(page)}`);
}

async function call<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<CallResult<T>> {
  return page.evaluate(
    ([m, a]) => (globalThis as unknown as { lx: { call(m: string, a: unknown[]): Promise<CallResult<T>> } }).lx.call(m, a),
    [method, args] as const,
  );
}

async function ok<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  const result = await call<T>(page, method, ...args);
  if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result)}\n${logOf(page)}`);
  return result.value as T;
}

async function sendText(page: Page, type: number, targetId: string, text: string): Promise<PageMessage> {
  return ok<PageMessage>(page, 'sendMessage', type, targetId, { content: text });
}

/** Waits (bounded) until the page's listener received a message with each of `texts`. */
async function waitTexts(page: Page, texts: readonly string[], timeoutMs = 15_000): Promise<PageMessage[]> {
  try {
    await page.waitForFunction(
      (wanted) => {
        const got = (globalThis as unknown as { lx: { messages: PageMessage[] } }).lx.messages.map((m) => m.content && m.content.content);
        return wanted.every((t) => got.includes(t));
      },
      texts,
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (error) {
    const got = await page.evaluate(() => (globalThis as unknown as { lx: { messages: PageMessage[] } }).lx.messages).catch(() => []);
    throw new Error(`waiting for ${JSON.stringify(texts)}: ${String(error)}\ngot ${JSON.stringify(got).slice(0, 2000)}\n${logOf(page)}`);
  }
  return page.evaluate(() => (globalThis as unknown as { lx: { messages: PageMessage[] } }).lx.messages);
}

async function waitStatus(page: Page, status: number, timeoutMs = 15_000): Promise<number[]> {
  try {
    await page.waitForFunction((s) => (globalThis as unknown as { lx: { statuses: number[] } }).lx.statuses.includes(s), status, {
      timeout: timeoutMs,
      polling: 100,
    });
  } catch (error) {
    const got = await page.evaluate(() => (globalThis as unknown as { lx: { statuses: number[] } }).lx.statuses).catch(() => []);
    throw new Error(`waiting for status ${status}: ${String(error)}; statuses ${JSON.stringify(got)}\n${logOf(page)}`);
  }
  return page.evaluate(() => (globalThis as unknown as { lx: { statuses: number[] } }).lx.statuses);
}

async function statusesOf(page: Page): Promise<number[]> {
  return page.evaluate(() => (globalThis as unknown as { lx: { statuses: number[] } }).lx.statuses.slice());
}

async function online(name: string, connectionType = 'websocket'): Promise<{ page: Page; userId: string; token: string }> {
  const userId = newUserId(name);
  const token = await tokenFor(userId);
  const page = await openPage();
  await connectPage(page, userId, token, connectionType);
  return { page, userId, token };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Apps with a web safe-domain list: the page's own origin, and only another site. */
let originOk: TestApp;
let originNo: TestApp;

beforeAll(async () => {
  [chromium, statics] = await Promise.all([launchChromium(), startStaticServer()]);
  originOk = { key: 'lxbrowserok', secret: 'lxbrowseroksecret', options: { allowedOrigins: encodeURIComponent(statics.origin) } };
  // A configuration string only: nothing ever connects to that host.
  originNo = { key: 'lxbrowserno', secret: 'lxbrowsernosecret', options: { allowedOrigins: 'app.elsewhere.example' } };
  server = await startServer({ apps: [DEFAULT_TEST_APP, originOk, originNo] });
  statics.put('/gen/driver.js', DRIVER);
  statics.put('/gen/official.html', PAGE);
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await statics?.close();
  await server?.stop();
});

afterEach(async () => {
  if (process.env.LX_DUMP === '1') for (const page of opened) process.stderr.write(`--- ${page.url()}\n${logOf(page)}\n`);
  await Promise.allSettled(opened.splice(0).map((page) => page.context().close()));
  // Checked after every scenario, so the one that made an off-loopback attempt is the one that fails.
  expect(offLoopback).toEqual([]);
});

test('the page guard aborts non-loopback HTTP and WebSocket before they leave the browser (self-check)', async () => {
  const page = await openPage();
  // 192.0.2.0/24 is TEST-NET-1: never routed; the guard aborts before any connection is made anyway.
  const outcome = await page.evaluate(async () => {
    const http = await fetch('http://192.0.2.1/probe').then(
      () => 'reached',
      () => 'blocked',
    );
    const ws = await new Promise<string>((resolve) => {
      const socket = new WebSocket('ws://192.0.2.1/probe');
      socket.onopen = () => resolve('reached');
      socket.onclose = () => resolve('blocked');
      socket.onerror = () => resolve('blocked');
    });
    return { http, ws };
  });
  expect(outcome).toEqual({ http: 'blocked', ws: 'blocked' });
  expect(offLoopback).toEqual(['GET http://192.0.2.1/probe', 'WS ws://192.0.2.1/probe']);
  offLoopback.length = 0;
});

test('two official pages exchange private texts over WebSocket; navi by XHR, cross-origin', async () => {
  const [alice, bob] = await Promise.all([online('ws-alice'), online('ws-bob')]);
  const sent = await sendText(alice.page, PRIVATE, bob.userId, 'hello bob (ws)');
  expect(sent.messageUId).toMatch(/\S/);
  const [got] = await waitTexts(bob.page, ['hello bob (ws)']);
  expect(got).toMatchObject({ conversationType: PRIVATE, targetId: alice.userId, senderUserId: alice.userId, messageUId: sent.messageUId });
  await sendText(bob.page, PRIVATE, alice.userId, 'hi alice (ws)');
  await waitTexts(alice.page, ['hi alice (ws)']);
  // In a browser the engine fetches navi.js with XMLHttpRequest (GET), not a <script> tag (JSONP).
  expect(naviFetches.length).toBeGreaterThan(0);
  for (const fetch of naviFetches) expect(fetch).toMatchObject({ type: 'xhr', method: 'GET' });
  expect(naviFetches.some((f) => f.url.startsWith(`${server.url}/navi.js?`))).toBe(true);
  // The page's requests to the IM server were cross-origin, from the static origin.
  expect([...pageOrigins]).toEqual([statics.origin]);
});

test('the same over comet (connectionType "comet")', async () => {
  const [alice, bob] = await Promise.all([online('comet-alice', 'comet'), online('comet-bob', 'comet')]);
  const sent = await sendText(alice.page, PRIVATE, bob.userId, 'hello bob (comet)');
  const [got] = await waitTexts(bob.page, ['hello bob (comet)']);
  expect(got).toMatchObject({ senderUserId: alice.userId, messageUId: sent.messageUId });
  await sendText(bob.page, PRIVATE, alice.userId, 'hi alice (comet)');
  await waitTexts(alice.page, ['hi alice (comet)']);
  expect(naviFetches.some((f) => f.url.startsWith(`${server.url}/cometnavi.js?`) && f.type === 'xhr')).toBe(true);
});

test('a reloaded page reconnects; its conversation list and unread count come back', async () => {
  const [alice, bob] = await Promise.all([online('reload-alice'), online('reload-bob')]);
  await sendText(alice.page, PRIVATE, bob.userId, 'before reload 1');
  await sendText(alice.page, PRIVATE, bob.userId, 'before reload 2');
  await waitTexts(bob.page, ['before reload 1', 'before reload 2']);
  await bob.page.reload({ timeout: 15_000 });
  await connectPage(bob.page, bob.userId, bob.token);
  const list = await ok<{ conversationType: number; targetId: string; unreadMessageCount: number; latestMessage?: PageMessage }[]>(
    bob.page,
    'getConversationList',
    null,
    50,
  );
  const conversation = list.find((c) => c.conversationType === PRIVATE && c.targetId === alice.userId);
  expect(conversation).toBeDefined();
  expect(conversation?.latestMessage?.content.content).toBe('before reload 2');
  expect(conversation?.unreadMessageCount).toBe(2);
  // The reloaded page took navi from the engine's localStorage cache (no second navi.js for bob).
  expect(naviFetches.filter((f) => f.url.includes(encodeURIComponent(bob.token))).length).toBe(1);
  expect(await ok<number>(bob.page, 'getTotalUnreadCount')).toBe(2);
  // …and the reloaded page still receives.
  await sendText(alice.page, PRIVATE, bob.userId, 'after reload');
  await waitTexts(bob.page, ['after reload']);
});

test('messages sent while a page was closed arrive after it connects', async () => {
  const alice = await online('offline-alice');
  const bobId = newUserId('offline-bob');
  const bobToken = await tokenFor(bobId);
  const bob1 = await openPage();
  await connectPage(bob1, bobId, bobToken);
  await bob1.context().close();
  await sendText(alice.page, PRIVATE, bobId, 'while away 1');
  await sendText(alice.page, PRIVATE, bobId, 'while away 2');
  const bob2 = await openPage();
  await connectPage(bob2, bobId, bobToken);
  const got = await waitTexts(bob2, ['while away 1', 'while away 2']);
  expect(got.filter((m) => m.senderUserId === alice.userId).map((m) => m.content.content)).toEqual(['while away 1', 'while away 2']);
});

test('a second login kicks the first page (status 6), over WebSocket and over comet', async () => {
  for (const connectionType of ['websocket', 'comet']) {
    const userId = newUserId(`kick-${connectionType}`);
    const token = await tokenFor(userId);
    const first = await openPage();
    await connectPage(first, userId, token, connectionType);
    const second = await openPage();
    await connectPage(second, userId, token);
    await waitStatus(first, KICKED);
    expect(await statusesOf(second)).not.toContain(KICKED);
  }
});

test('sign out and sign in as another user in the same page: the new user gets its own messages only', async () => {
  const carol = await online('switch-carol');
  const first = newUserId('switch-first');
  const second = newUserId('switch-second');
  const page = await openPage();
  await connectPage(page, first, await tokenFor(first));
  // The first user really uses the page (a message arrives) before signing out. 2.9.2 signed out while
  // its connect-time pullMsg is still in flight never pulls again until that request's 30 s timeout:
  // the next user on the page then gets no message for 30 s (client behaviour, docs/COMPATIBILITY.md).
  await sendText(carol.page, PRIVATE, first, 'hello first');
  await waitTexts(page, ['hello first']);
  await page.evaluate(() => (globalThis as unknown as { lx: { disconnect(): Promise<boolean> } }).lx.disconnect());
  await sendText(carol.page, PRIVATE, first, 'for the first user');
  // Same page, same localStorage: connect again without init (2.9.2 refuses a second init: "Repeat initialize!").
  const again = await page.evaluate(
    (t) => (globalThis as unknown as { lx: { connect(t: string): Promise<ConnectResult> } }).lx.connect(t),
    await tokenFor(second),
  );
  expect(again).toEqual({ ok: true, userId: second });
  await sendText(carol.page, PRIVATE, second, 'for the second user');
  const got = await waitTexts(page, ['for the second user']);
  expect(got.map((m) => m.content.content)).toEqual(['hello first', 'for the second user']);
  const list = await ok<{ targetId: string }[]>(page, 'getConversationList', null, 50);
  expect(list.map((c) => c.targetId)).toEqual([carol.userId]);
});

test('getHistoryMessages returns the conversation from the server', async () => {
  const [alice, bob] = await Promise.all([online('hist-alice'), online('hist-bob')]);
  for (const text of ['h1', 'h2', 'h3']) await sendText(alice.page, PRIVATE, bob.userId, text);
  await waitTexts(bob.page, ['h1', 'h2', 'h3']);
  const result = await call<PageMessage[]>(bob.page, 'getHistoryMessages', PRIVATE, alice.userId, 0, 20, undefined, 0);
  expect(result.ok).toBe(true);
  expect((result.value ?? []).map((m) => m.content.content)).toEqual(['h1', 'h2', 'h3']);
});

test('a group send reaches the other members', async () => {
  const [alice, bob, carol] = await Promise.all([online('grp-alice'), online('grp-bob'), online('grp-carol')]);
  const groupId = `grp-${run}`;
  const api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  const created = await api.post('/group/create.json', { userId: [alice.userId, bob.userId, carol.userId], groupId, groupName: 'browser group' });
  expect(created.status).toBe(200);
  const sent = await sendText(alice.page, GROUP, groupId, 'hello group');
  for (const member of [bob, carol]) {
    const [got] = await waitTexts(member.page, ['hello group']);
    expect(got).toMatchObject({ conversationType: GROUP, targetId: groupId, senderUserId: alice.userId, messageUId: sent.messageUId });
  }
});

test('joinChatRoom and a chatroom message', async () => {
  const [alice, bob] = await Promise.all([online('room-alice'), online('room-bob')]);
  const roomId = `room-${run}`;
  await ok(alice.page, 'joinChatRoom', roomId, 0);
  await ok(bob.page, 'joinChatRoom', roomId, 0);
  const sent = await sendText(alice.page, CHATROOM, roomId, 'hello room');
  const [got] = await waitTexts(bob.page, ['hello room']);
  expect(got).toMatchObject({ conversationType: CHATROOM, targetId: roomId, senderUserId: alice.userId, messageUId: sent.messageUId });
});

test('server restart: the official pages (WebSocket and comet) reconnect by themselves and messages flow again', async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lx-browser-restart-'));
  const args = ['--port', String(port)];
  let own: RunningServer | undefined = await startServer({ apps: [DEFAULT_TEST_APP], dataDir, args });
  try {
    const aliceId = newUserId('rs-alice');
    const bobId = newUserId('rs-bob');
    const [aliceToken, bobToken] = [await tokenFor(aliceId, own), await tokenFor(bobId, own)];
    const [alicePage, bobPage] = [await openPage(), await openPage()];
    await connectPage(alicePage, aliceId, aliceToken, 'websocket', own.url);
    await connectPage(bobPage, bobId, bobToken, 'comet', own.url);
    await sendText(alicePage, PRIVATE, bobId, 'before restart');
    await waitTexts(bobPage, ['before restart']);
    const before = (await statusesOf(alicePage)).length;
    const stopping = Date.now();
    await own.stop();
    own = await startServer({ apps: [DEFAULT_TEST_APP], dataDir, args });
    // Stop + start take seconds on a loaded machine; the engine then retries every 5 s.
    const restartMs = Date.now() - stopping;
    // Neither page calls connect again: the engine reconnects on its own (CONNECTED after the drop).
    for (const page of [alicePage, bobPage]) {
      const waited = Date.now();
      await page
        .waitForFunction(
          (n) => {
            const s = (globalThis as unknown as { lx: { statuses: number[] } }).lx.statuses;
            return s.length > n && s[s.length - 1] === 0;
          },
          before,
          { timeout: 40_000, polling: 200 },
        )
        .catch(async (error: unknown) => {
          const statuses = await statusesOf(page).catch(() => []);
          throw new Error(`no reconnect ${Date.now() - waited} ms after a restart of ${restartMs} ms: ${String(error)}; statuses ${JSON.stringify(statuses)}\n${logOf(page)}`);
        });
    }
    // A graceful stop sends DISCONNECT 6 (REDIRECT_NEW): 2.9.2 reports REDIRECT (14), then reconnects.
    expect((await statusesOf(alicePage)).slice(before)).toEqual(expect.arrayContaining([REDIRECT, CONNECTING, CONNECTED]));
    await sendText(alicePage, PRIVATE, bobId, 'after restart');
    await waitTexts(bobPage, ['after restart']);
    await sendText(bobPage, PRIVATE, aliceId, 'after restart, back');
    await waitTexts(alicePage, ['after restart, back']);
  } finally {
    await own?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);

test("an app's web safe-domain list sees the browser's real Origin: the page's origin connects (WebSocket and comet), another is refused", async () => {
  for (const connectionType of ['websocket', 'comet']) {
    const userId = newUserId(`origin-ok-${connectionType}`);
    const page = await openPage();
    await connectPage(page, userId, await tokenFor(userId, server, originOk), connectionType, server.url, originOk.key);
  }
  const refused: Record<string, ConnectResult> = {};
  for (const connectionType of ['websocket', 'comet']) {
    const userId = newUserId(`origin-no-${connectionType}`);
    const page = await openPage();
    refused[connectionType] = await tryConnect(page, await tokenFor(userId, server, originNo), connectionType, server.url, originNo.key);
  }
  expect(refused).toEqual({ websocket: { ok: false, kind: 'error', code: 30002 }, comet: { ok: false, kind: 'error', code: 30002 } });
});

// Chromium's Local Network Access: a page of a PUBLIC origin may reach a private or loopback address
// (an intranet IM server) only with the user's permission — a browser rule, not a CORS header the
// server could send. Chromium's address-space override makes the static origin "public" here.
test('a page of a public origin reaches a loopback IM server only with Local Network Access permission (browser rule)', async () => {
  const staticPort = new URL(statics.origin).port;
  const browser = await playwrightChromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, `--ip-address-space-overrides=127.0.0.1:${staticPort}=public`],
    timeout: 30_000,
  });
  try {
    const results: Record<string, ConnectResult> = {};
    const consoles: string[] = [];
    for (const granted of [false, true]) {
      const context = await browser.newContext();
      if (granted) await context.grantPermissions(['local-network-access'], { origin: statics.origin });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on('console', (message) => consoles.push(message.text()));
      await guard(page);
      await page.goto(statics.url('/gen/official.html'), { timeout: 15_000 });
      const userId = newUserId(`lna-${String(granted)}`);
      results[String(granted)] = await tryConnect(page, await tokenFor(userId));
      await context.close();
    }
    // Refused by the browser before any byte reaches the server: navi fails, the engine gives 30007.
    expect(results['false']).toEqual({ ok: false, kind: 'error', code: 30007 });
    expect(consoles.some((line) => /Permission was denied for this request to access the `loopback` address space/.test(line))).toBe(true);
    expect(results['true']).toMatchObject({ ok: true });
  } finally {
    await browser.close();
  }
});
