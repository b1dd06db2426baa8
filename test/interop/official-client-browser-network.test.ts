/**
 * The official web client (@rongcloud/imlib-v2 2.9.2 UMD on @rongcloud/engine 4.4.2's UMD, unmodified) in
 * real headless Chromium when the page's network drops and comes back (Playwright's offline emulation of
 * the page's browser context). Pages are served from http://127.0.0.2:<port>, another host than the IM
 * server's 127.0.0.1 (cross-site, as an app page on its own domain); every non-loopback request is aborted
 * and the test asserts none was attempted.
 *
 * Comet: the drop fails the long-poll and any `pullMsg` in flight; the engine reconnects by itself with a
 * NEW comet session (which kicks the old one: single-device app). What engine 4.4.2 does then (its own
 * behaviour, docs/COMPATIBILITY.md): a `pullMsg` whose XHR died with the network stays "in progress" until
 * the engine's 30 s request timeout, so the pull the reconnect starts is skipped, and the failed pull is
 * not retried — every `s_ntf` meanwhile is ignored. A message stored while the page was offline was
 * notified only to the OLD session (still alive on the server until its downlink expired or it was
 * kicked); without the server handing that notification over to the new session, the page saw the
 * message only with the next message or the engine's 180 s timer pull.
 *
 * WebSocket: Chromium's offline emulation does not close an open WebSocket (the socket outlives the
 * "drop"), so that transport is not exercised here.
 */
import type { Page } from 'playwright-core';
import { blockOffLoopback, DEFAULT_MOUNTS, launchChromium, startStaticServer, type ChromiumSession, type StaticServer } from '../support/chromium';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../support/server-launcher';

const PRIVATE = 1;
const CONNECTED = 0;

const DRIVER = `
(function () {
  function plain(v) { try { return JSON.parse(JSON.stringify(v === undefined ? null : v)); } catch (e) { return String(e); } }
  var lx = window.lx = { statuses: [], messages: [] };
  lx.start = function (appKey, navi, connectionType, token) {
    RongIMLib.RongIMClient.init(appKey, null, { navi: navi, connectionType: connectionType, logLevel: 2 });
    RongIMLib.RongIMClient.setConnectionStatusListener({ onChanged: function (s) { lx.statuses.push(s); } });
    RongIMLib.RongIMClient.setOnReceiveMessageListener({ onReceived: function (m) { lx.messages.push(plain(m)); } });
    return new Promise(function (resolve) {
      RongIMLib.RongIMClient.connect(token, {
        onSuccess: function (userId) { resolve({ ok: true, userId: userId }); },
        onTokenIncorrect: function () { resolve({ ok: false, kind: 'tokenIncorrect' }); },
        onError: function (code) { resolve({ ok: false, code: code }); }
      });
    });
  };
  lx.send = function (targetId, text) {
    return new Promise(function (resolve) {
      RongIMLib.RongIMClient.getInstance().sendMessage(1, targetId, new RongIMLib.TextMessage({ content: text }), {
        onSuccess: function (m) { resolve({ ok: true, messageUId: m.messageUId }); },
        onError: function (code) { resolve({ ok: false, code: code }); }
      });
    });
  };
})();
`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>official 2.9.2, network drop</title>
<script src="/vendor/engine/index.umd.js"></script>
<script src="/vendor/imlib-v2/index.umd.js"></script>
<script src="/gen/driver.js"></script>
</head><body></body></html>`;

interface PageMessage {
  conversationType: number;
  senderUserId: string;
  content: { content?: string };
}
interface LxWindow {
  lx: {
    statuses: number[];
    messages: PageMessage[];
    start(appKey: string, navi: string, connectionType: string, token: string): Promise<{ ok: boolean; userId?: string }>;
    send(targetId: string, text: string): Promise<{ ok: boolean; messageUId?: string; code?: number }>;
  };
}

let chromium: ChromiumSession;
let statics: StaticServer;
let server: RunningServer;
const run = Math.random().toString(36).slice(2, 8);
const offLoopback: string[] = [];
/** `Origin` of every request the pages sent to the IM server. */
const pageOrigins = new Set<string>();

async function online(name: string, connectionType: string): Promise<{ page: Page; userId: string }> {
  const userId = `${name}-${run}`;
  const answer = await serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret).post<{ code: number; token: string }>(
    '/user/getToken.json',
    { userId, name: userId, portraitUri: '' },
  );
  if (answer.body.code !== 200) throw new Error(`getToken ${userId}: ${answer.text}`);
  const page = await chromium.newPage();
  const context = page.context();
  await blockOffLoopback(context, offLoopback);
  context.on('request', (request) => {
    const origin = request.headers()['origin'];
    if (origin !== undefined && request.url().startsWith(server.url)) pageOrigins.add(origin);
  });
  await page.goto(statics.url('/gen/official.html'), { timeout: 15_000 });
  const result = await page.evaluate(
    ([key, navi, type, token]) => (globalThis as unknown as LxWindow).lx.start(key, navi, type, token),
    [DEFAULT_TEST_APP.key, server.url, connectionType, answer.body.token] as const,
  );
  if (!result.ok || result.userId !== userId) throw new Error(`connect ${userId}: ${JSON.stringify(result)}\n${chromium.logOf(page)}`);
  return { page, userId };
}

async function send(page: Page, targetId: string, text: string): Promise<void> {
  const result = await page.evaluate(([t, x]) => (globalThis as unknown as LxWindow).lx.send(t, x), [targetId, text] as const);
  if (!result.ok) throw new Error(`send ${text}: ${JSON.stringify(result)}\n${chromium.logOf(page)}`);
}

async function waitTexts(page: Page, texts: readonly string[], timeoutMs: number): Promise<PageMessage[]> {
  try {
    await page.waitForFunction((wanted) => wanted.every((t) => (globalThis as unknown as LxWindow).lx.messages.some((m) => m.content.content === t)), texts, {
      timeout: timeoutMs,
      polling: 200,
    });
  } catch (error) {
    const got = await page.evaluate(() => (globalThis as unknown as LxWindow).lx.messages.map((m) => m.content.content)).catch(() => []);
    throw new Error(`waiting for ${JSON.stringify(texts)}: ${String(error)}; got ${JSON.stringify(got)}\n${chromium.logOf(page)}`);
  }
  return page.evaluate(() => (globalThis as unknown as LxWindow).lx.messages);
}

beforeAll(async () => {
  [chromium, statics] = await Promise.all([launchChromium(), startStaticServer(DEFAULT_MOUNTS, '127.0.0.2')]);
  server = await startServer({ apps: [DEFAULT_TEST_APP] });
  statics.put('/gen/driver.js', DRIVER);
  statics.put('/gen/official.html', PAGE);
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await statics?.close();
  await server?.stop();
});

test('comet page: the network drops and comes back; a message sent meanwhile arrives without another message', async () => {
  const alice = await online('net-alice', 'websocket');
  const bob = await online('net-bob', 'comet');
  await send(alice.page, bob.userId, 'before the drop');
  await waitTexts(bob.page, ['before the drop'], 15_000);
  const before = (await bob.page.evaluate(() => (globalThis as unknown as LxWindow).lx.statuses.slice())).length;

  await bob.page.context().setOffline(true);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await send(alice.page, bob.userId, 'while offline');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await bob.page.context().setOffline(false);

  // The engine reconnects by itself (status CONNECTED again) …
  await bob.page.waitForFunction((n) => (globalThis as unknown as LxWindow).lx.statuses.length > n && (globalThis as unknown as LxWindow).lx.statuses[(globalThis as unknown as LxWindow).lx.statuses.length - 1] === 0, before, {
    timeout: 20_000,
    polling: 200,
  });
  expect((await bob.page.evaluate(() => (globalThis as unknown as LxWindow).lx.statuses.slice())).slice(before)).toContain(CONNECTED);
  // … and, with nothing else sent, pulls the message once its stuck pull has timed out (30 s) and the
  // server's hand-over notification is re-sent (re-notify sweep, 35 s): well before its 180 s timer pull.
  const got = await waitTexts(bob.page, ['while offline'], 55_000);
  expect(got.filter((m) => m.senderUserId === alice.userId).map((m) => m.content.content)).toEqual(['before the drop', 'while offline']);
  // Still a working session afterwards.
  await send(alice.page, bob.userId, 'after the drop');
  await waitTexts(bob.page, ['after the drop'], 15_000);
  await send(bob.page, alice.userId, 'back from bob');
  const back = await waitTexts(alice.page, ['back from bob'], 15_000);
  expect(back.find((m) => m.content.content === 'back from bob')).toMatchObject({ conversationType: PRIVATE, senderUserId: bob.userId });
  expect(offLoopback).toEqual([]);
  expect([...pageOrigins]).toEqual([statics.origin]);
  expect(statics.origin).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
}, 90_000);
