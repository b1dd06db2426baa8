/**
 * Lianxin's UMD build (dist/lianxin.umd.js, global `RongIMLib`) in real headless Chromium
 * against the real server process, in the connection situations the other browser suites do not
 * cover: comet fallback when WebSocket is unavailable or blocked (and whether the choice is
 * remembered across a reload), comet sessions through kicks, offline emulation, server restarts and
 * a frozen (backgrounded) page, two tabs of one user in one browser profile, localStorage disabled
 * or full, with the official 2.9.2 UMD side by side where the expected behaviour needs a reference.
 *
 * Every request to a non-loopback host is aborted in the page. Needs `npm run build` first.
 */
import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { blockOffLoopback, isLoopbackUrl, launchChromium, startStaticServer, type ChromiumSession, type StaticServer } from '../support/chromium';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer, type TestApp } from '../support/server-launcher';

jest.setTimeout(120_000);

const PRIVATE = 1;
const CONNECTED = 0;
const KICKED = 6;

const MULTI: TestApp = { key: 'lxbtmulti', secret: 'lxbtmultisecret', options: { multiDevice: true, maxSendRate: 1000 } };
const SINGLE: TestApp = { key: 'lxbtsingle', secret: 'lxbtsinglesecret', options: { maxSendRate: 1000 } };

const DRIVER = `
(function () {
  var CALLBACK_INDEX = { sendMessage: 3, getHistoryMessages: 4, getConversationList: 0, getTotalUnreadCount: 0,
    getUnreadCount: 2, joinChatRoom: 2, quitChatRoom: 1, clearUnreadCount: 2 };
  function plain(v) { try { return JSON.parse(JSON.stringify(v === undefined ? null : v)); } catch (e) { return String(e); } }
  var lx = window.lx = { statuses: [], messages: [], errors: [], sends: [] };
  window.addEventListener('error', function (e) { lx.errors.push(String(e && e.message)); });
  window.addEventListener('unhandledrejection', function (e) { lx.errors.push('unhandled: ' + String(e && e.reason)); });
  lx.init = function (appKey, navi, connectionType) {
    var opts = { navi: navi, logLevel: 2 };
    if (connectionType) opts.connectionType = connectionType;
    RongIMLib.RongIMClient.init(appKey, null, opts);
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
  lx.call = function (method, args) {
    return new Promise(function (resolve) {
      var instance = RongIMLib.RongIMClient.getInstance();
      var a = args.slice();
      if (method === 'sendMessage') a[2] = new RongIMLib.TextMessage(a[2]);
      var cb = {
        onSuccess: function () { resolve({ ok: true, value: plain(arguments[0]) }); },
        onError: function (code, m) { resolve({ ok: false, code: code, value: plain(m) }); }
      };
      var index = CALLBACK_INDEX[method];
      if (index === undefined) a.push(cb); else { while (a.length < index) a.push(undefined); a.splice(index, 0, cb); }
      try { instance[method].apply(instance, a); } catch (e) { resolve({ ok: false, thrown: String(e && e.message) }); }
    });
  };
})();
`;

const OURS_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>lianxin umd</title>
<script src="/dist/lianxin.umd.js"></script><script src="/gen/driver.js"></script></head><body></body></html>`;
const OFFICIAL_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>official 2.9.2</title>
<script src="/vendor/engine/index.umd.js"></script><script src="/vendor/imlib-v2/index.umd.js"></script>
<script src="/gen/driver.js"></script></head><body></body></html>`;

/** A WebSocket that never opens: what a page behind a proxy that refuses the upgrade sees (error, close 1006). */
const BLOCK_WEBSOCKET = `
(function () {
  window.__wsAttempts = [];
  function Blocked(url) {
    window.__wsAttempts.push(String(url));
    var self = this;
    this.readyState = 0; this.binaryType = 'blob'; this.url = url;
    this.onopen = null; this.onmessage = null; this.onerror = null; this.onclose = null;
    setTimeout(function () {
      self.readyState = 3;
      if (self.onerror) self.onerror({ type: 'error' });
      if (self.onclose) self.onclose({ code: 1006, reason: '', wasClean: false });
    }, 30);
  }
  Blocked.prototype.send = function () { throw new Error('InvalidStateError'); };
  Blocked.prototype.close = function () {};
  Blocked.CONNECTING = 0; Blocked.OPEN = 1; Blocked.CLOSING = 2; Blocked.CLOSED = 3;
  window.WebSocket = Blocked;
})();
`;

const NO_WEBSOCKET = `try { delete window.WebSocket; } catch (e) {} try { window.WebSocket = undefined; } catch (e) {}`;

/** Private mode / storage blocked by policy: reading window.localStorage throws SecurityError. */
const NO_LOCAL_STORAGE = `
Object.defineProperty(window, 'localStorage', { configurable: true, get: function () { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
`;

type Kind = 'ours' | 'official';

interface CallResult<T = unknown> {
  ok: boolean;
  value?: T;
  code?: number;
  thrown?: string;
}
interface PageMessage {
  conversationType: number;
  targetId: string;
  senderUserId: string;
  messageUId: string;
  messageDirection: number;
  content: { content?: string };
}
interface Lx {
  statuses: number[];
  messages: PageMessage[];
  errors: string[];
}

let chromium: ChromiumSession;
let statics: StaticServer;
let server: RunningServer;
const run = Math.random().toString(36).slice(2, 8);
let counter = 0;
const offLoopback: string[] = [];
const contexts: BrowserContext[] = [];

function newUserId(name: string): string {
  counter += 1;
  return `${name}-${run}-${counter}`;
}

async function tokenFor(userId: string, base: RunningServer = server, app: TestApp = DEFAULT_TEST_APP): Promise<string> {
  const response = await serverApi(base.url, app.key, app.secret).post<{ code: number; token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: '' });
  if (response.body.code !== 200) throw new Error(`getToken ${userId}: ${response.text}`);
  return response.body.token;
}

async function guard(context: BrowserContext): Promise<void> {
  await blockOffLoopback(context, offLoopback);
}

/** Requests each page made to the IM server (url paths), for transport checks. */
const requestsOf = new WeakMap<Page, string[]>();
const socketsOf = new WeakMap<Page, string[]>();

function track(page: Page): void {
  const reqs: string[] = [];
  const socks: string[] = [];
  requestsOf.set(page, reqs);
  socketsOf.set(page, socks);
  page.on('request', (r) => {
    if (!r.url().startsWith(statics.origin)) reqs.push(`${r.method()} ${r.url()}`);
  });
  page.on('websocket', (ws) => socks.push(ws.url()));
}

/** A fresh browser profile (context) with one page of `kind` loaded; `initScript` runs before the page's scripts. */
async function openPage(kind: Kind, initScript?: string): Promise<Page> {
  const page = await chromium.newPage();
  const context = page.context();
  contexts.push(context);
  await guard(context);
  if (initScript !== undefined) await context.addInitScript({ content: initScript });
  track(page);
  await page.goto(statics.url(kind === 'ours' ? '/gen/ours.html' : '/gen/official.html'), { timeout: 15_000 });
  return page;
}

/** Another tab in the same browser profile (shares localStorage with `page`). */
async function openTab(page: Page, kind: Kind): Promise<Page> {
  const tab = await page.context().newPage();
  tab.setDefaultTimeout(15_000);
  track(tab);
  await tab.goto(statics.url(kind === 'ours' ? '/gen/ours.html' : '/gen/official.html'), { timeout: 15_000 });
  return tab;
}

function logOf(page: Page): string {
  try {
    return chromium.logOf(page);
  } catch {
    return '';
  }
}

interface ConnectResult {
  ok: boolean;
  userId?: string;
  kind?: string;
  code?: number;
}

async function tryConnect(page: Page, token: string, opts: { connectionType?: string; base?: RunningServer; app?: TestApp } = {}): Promise<ConnectResult> {
  const base = opts.base ?? server;
  const app = opts.app ?? DEFAULT_TEST_APP;
  await page.evaluate(([key, n, type]) => (globalThis as unknown as { lx: { init(a: string, b: string, c: string | null): boolean } }).lx.init(key, n, type), [
    app.key,
    base.url,
    opts.connectionType ?? null,
  ] as const);
  return page.evaluate((t) => (globalThis as unknown as { lx: { connect(t: string): Promise<ConnectResult> } }).lx.connect(t), token);
}

async function connectPage(page: Page, userId: string, token: string, opts: { connectionType?: string; base?: RunningServer; app?: TestApp } = {}): Promise<void> {
  const result = await withTimeout(tryConnect(page, token, opts), 25_000, `connect ${userId}`);
  if (!result.ok || result.userId !== userId) throw new Error(`connect ${userId}: ${JSON.stringify(result)}\n${logOf(page)}`);
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  work.catch(() => undefined);
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function call<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<CallResult<T>> {
  return withTimeout(
    page.evaluate(([m, a]) => (globalThis as unknown as { lx: { call(m: string, a: unknown[]): Promise<CallResult<T>> } }).lx.call(m, a), [method, args] as const),
    40_000,
    `${method}`,
  );
}

async function ok<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  const result = await call<T>(page, method, ...args);
  if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result)}\n${logOf(page)}`);
  return result.value as T;
}

async function sendText(page: Page, targetId: string, text: string): Promise<PageMessage> {
  return ok<PageMessage>(page, 'sendMessage', PRIVATE, targetId, { content: text });
}

async function lxOf(page: Page): Promise<Lx> {
  return page.evaluate(() => {
    const lx = (globalThis as unknown as { lx: Lx }).lx;
    return { statuses: lx.statuses.slice(), messages: lx.messages.slice(), errors: lx.errors.slice() };
  });
}

async function waitTexts(page: Page, texts: readonly string[], timeoutMs = 15_000): Promise<PageMessage[]> {
  try {
    await page.waitForFunction(
      (wanted) => {
        const got = (globalThis as unknown as { lx: Lx }).lx.messages.map((m) => m.content && m.content.content);
        return wanted.every((t) => got.includes(t));
      },
      texts,
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (error) {
    const got = await lxOf(page).catch(() => undefined);
    throw new Error(`waiting for ${JSON.stringify(texts)}: ${String(error)}\nstatuses ${JSON.stringify(got?.statuses)} got ${JSON.stringify(got?.messages.map((m) => m.content.content))}\n${logOf(page)}`);
  }
  return (await lxOf(page)).messages;
}

/** Waits until the statuses reported after index `from` satisfy `test`. */
async function waitStatuses(page: Page, from: number, test: string, timeoutMs = 20_000): Promise<number[]> {
  try {
    await page.waitForFunction(
      ([n, src]) => {
        const s = (globalThis as unknown as { lx: Lx }).lx.statuses.slice(n);
        return (new Function('s', `return (${src});`) as (s: number[]) => boolean)(s);
      },
      [from, test] as const,
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (error) {
    const got = await lxOf(page).catch(() => undefined);
    throw new Error(`waiting for statuses[${from}..] to satisfy ${test}: ${String(error)}; statuses ${JSON.stringify(got?.statuses)}\n${logOf(page)}`);
  }
  return (await lxOf(page)).statuses.slice(from);
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  [chromium, statics] = await Promise.all([launchChromium(), startStaticServer()]);
  statics.put('/gen/driver.js', DRIVER);
  statics.put('/gen/ours.html', OURS_PAGE);
  statics.put('/gen/official.html', OFFICIAL_PAGE);
  server = await startServer({ apps: [DEFAULT_TEST_APP, MULTI, SINGLE] });
}, 90_000);

afterEach(async () => {
  await Promise.allSettled(contexts.splice(0).map((c) => c.close()));
  expect(offLoopback.splice(0)).toEqual([]);
});

afterAll(async () => {
  await chromium?.close();
  await statics?.close();
  await server?.stop();
});

// ------------------------------------------------------------------------------------------ comet fallback

describe('WebSocket unavailable or blocked: comet fallback', () => {
  it('window.WebSocket missing (connectionType comet): the UMD build connects over comet, as 2.9.2 does (it threw "no supported host")', async () => {
    const results: Record<string, unknown> = {};
    for (const kind of ['official', 'ours'] as const) {
      const aliceId = newUserId(`nows-${kind}`);
      const bobId = newUserId(`nows-peer-${kind}`);
      const alice = await openPage(kind, NO_WEBSOCKET);
      const bob = await openPage('ours');
      await connectPage(bob, bobId, await tokenFor(bobId));
      let result: unknown;
      try {
        result = await withTimeout(tryConnect(alice, await tokenFor(aliceId), { connectionType: 'comet' }), 25_000, 'connect');
      } catch (error) {
        result = { thrown: String(error).slice(0, 200) };
      }
      results[kind] = result;
      if ((result as ConnectResult).ok === true) {
        await sendText(bob, aliceId, `to ${kind} comet`);
        await waitTexts(alice, [`to ${kind} comet`]);
        results[`${kind}-statuses`] = (await lxOf(alice)).statuses;
      }
    }
    expect(results).toEqual({
      official: { ok: true, userId: expect.any(String) },
      'official-statuses': [1, 0, 0], // 2.9.2 reports CONNECTED twice over comet (its quirk)
      ours: { ok: true, userId: expect.any(String) },
      'ours-statuses': [1, 0],
    });
  });

  it('WebSocket blocked (close 1006 before open): falls back to comet; after a reload comet is used first (no WebSocket attempt)', async () => {
    const aliceId = newUserId('blk-alice');
    const bobId = newUserId('blk-bob');
    const aliceToken = await tokenFor(aliceId);
    const alice = await openPage('ours', BLOCK_WEBSOCKET);
    const bob = await openPage('ours');
    await connectPage(alice, aliceId, aliceToken);
    await connectPage(bob, bobId, await tokenFor(bobId));
    expect(await alice.evaluate(() => (globalThis as unknown as { __wsAttempts: string[] }).__wsAttempts.length)).toBeGreaterThan(0);
    expect((await lxOf(alice)).statuses).toEqual([1, 0]);
    await sendText(bob, aliceId, 'over fallback');
    await waitTexts(alice, ['over fallback']);

    await alice.reload({ timeout: 15_000 });
    await connectPage(alice, aliceId, aliceToken);
    expect(await alice.evaluate(() => (globalThis as unknown as { __wsAttempts: string[] }).__wsAttempts.length)).toBe(0);
    expect((await lxOf(alice)).statuses).toEqual([1, 0]);
    await sendText(bob, aliceId, 'after reload');
    await waitTexts(alice, ['after reload']);
  });
});

// ------------------------------------------------------------------------------------------ comet sessions

describe('comet sessions', () => {
  it('a comet page kicked by a login elsewhere reports DISCONNECTED then KICKED (6), as the official client, and stops polling', async () => {
    const statuses: Record<Kind, number[]> = { ours: [], official: [] };
    const pollsAfter: Record<Kind, number> = { ours: -1, official: -1 };
    for (const kind of ['ours', 'official'] as const) {
      const userId = newUserId(`kick-${kind}`);
      const token = await tokenFor(userId);
      const first = await openPage(kind);
      await connectPage(first, userId, token, { connectionType: 'comet' });
      const second = await openPage('ours');
      await connectPage(second, userId, token);
      await waitStatuses(first, 0, 's.includes(6)');
      await sleep(3_000);
      const marker = requestsOf.get(first)?.length ?? 0;
      await sleep(6_000);
      pollsAfter[kind] = (requestsOf.get(first) ?? []).slice(marker).filter((r) => r.includes('/pullmsg.js') || r.includes('/websocket')).length;
      statuses[kind] = (await lxOf(first)).statuses;
      expect((await lxOf(second)).statuses).not.toContain(KICKED);
    }
    // 2.9.2 reports CONNECTED twice on a comet connect ([1, 0, 0, 2, 6], its own quirk); the kick itself is 2 then 6 in both.
    expect(statuses.official.slice(-2)).toEqual([2, 6]);
    expect(statuses.ours).toEqual([1, 0, 2, 6]);
    expect(pollsAfter.ours).toBe(0);
  }, 120_000);

  it('a comet page that goes offline reports NETWORK_UNAVAILABLE (3), reconnects when back online and gets what it missed', async () => {
    const aliceId = newUserId('off-alice');
    const bobId = newUserId('off-bob');
    const alice = await openPage('ours');
    const bob = await openPage('ours');
    await connectPage(alice, aliceId, await tokenFor(aliceId));
    await connectPage(bob, bobId, await tokenFor(bobId), { connectionType: 'comet' });
    await sendText(alice, bobId, 'before drop');
    await waitTexts(bob, ['before drop']);
    const before = (await lxOf(bob)).statuses.length;
    await bob.context().setOffline(true);
    await waitStatuses(bob, before, 's.includes(3)');
    await sendText(alice, bobId, 'while offline');
    await sleep(1_000);
    await bob.context().setOffline(false);
    await waitStatuses(bob, before, 's[s.length - 1] === 0');
    await waitTexts(bob, ['while offline'], 20_000);
    await sendText(bob, aliceId, 'bob back');
    await waitTexts(alice, ['bob back']);
    const msgs = (await lxOf(bob)).messages.filter((m) => m.content.content === 'while offline');
    expect(msgs.length).toBe(1);
  });

  it('a comet page idle longer than the server long-poll hold (25 s) still receives', async () => {
    const aliceId = newUserId('idle-alice');
    const bobId = newUserId('idle-bob');
    const alice = await openPage('ours');
    const bob = await openPage('ours');
    await connectPage(alice, aliceId, await tokenFor(aliceId));
    await connectPage(bob, bobId, await tokenFor(bobId), { connectionType: 'comet' });
    await sleep(32_000);
    await sendText(alice, bobId, 'after idle');
    await waitTexts(bob, ['after idle'], 10_000);
    await sendText(bob, aliceId, 'bob after idle');
    await waitTexts(alice, ['bob after idle']);
    expect((await lxOf(bob)).statuses).toEqual([1, 0]);
  }, 90_000);
});

// ------------------------------------------------------------------------------------------ server restarts / freezes

describe('server restart and frozen pages', () => {
  it('server killed (-9) and restarted on the same port: our WebSocket and comet pages reconnect by themselves, statuses as 2.9.2 reports them', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'lx-browser-restart-'));
    const args = ['--port', String(port)];
    let own: RunningServer | undefined = await startServer({ apps: [DEFAULT_TEST_APP], dataDir, args });
    try {
      const ids = { ws: newUserId('rs-ws'), comet: newUserId('rs-comet'), off: newUserId('rs-official') };
      const ws = await openPage('ours');
      const comet = await openPage('ours');
      const official = await openPage('official');
      await connectPage(ws, ids.ws, await tokenFor(ids.ws, own), { base: own });
      await connectPage(comet, ids.comet, await tokenFor(ids.comet, own), { base: own, connectionType: 'comet' });
      await connectPage(official, ids.off, await tokenFor(ids.off, own), { base: own });
      own.kill9();
      await own.exited;
      await sleep(6_000);
      own = await startServer({ apps: [DEFAULT_TEST_APP], dataDir, args });
      for (const page of [ws, comet, official]) await waitStatuses(page, 2, 's.length > 0 && s[s.length - 1] === 0', 40_000);
      await sendText(ws, ids.comet, 'after restart');
      await waitTexts(comet, ['after restart']);
      await sendText(comet, ids.ws, 'after restart back');
      await waitTexts(ws, ['after restart back']);
      // Compare the vocabulary of statuses reported while reconnecting (counts depend on timing).
      const distinct = (s: number[]): number[] => s.filter((v, i) => i === 0 || s[i - 1] !== v);
      const o = distinct((await lxOf(official)).statuses.slice(2));
      const w = distinct((await lxOf(ws)).statuses.slice(2));
      expect(new Set(w)).toEqual(new Set(o));
      expect(w[0]).toBe(o[0]);
    } finally {
      await own?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a comet page frozen (backgrounded) longer than the server keeps its session reconnects when it resumes', async () => {
    const port = await freePort();
    const args = ['--port', String(port)];
    const own = await startServer({ apps: [DEFAULT_TEST_APP], args, env: { LIANXIN_COMET_HOLD_MS: '2000', LIANXIN_COMET_EXPIRY_MS: '5000' } });
    try {
      const aliceId = newUserId('frz-alice');
      const bobId = newUserId('frz-bob');
      const alice = await openPage('ours');
      const bob = await openPage('ours');
      await connectPage(alice, aliceId, await tokenFor(aliceId, own), { base: own });
      await connectPage(bob, bobId, await tokenFor(bobId, own), { base: own, connectionType: 'comet' });
      const cdp = await bob.context().newCDPSession(bob);
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
      await sleep(12_000);
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
      await sendText(alice, bobId, 'after freeze');
      await waitTexts(bob, ['after freeze'], 30_000);
      const { statuses } = await lxOf(bob);
      expect(statuses[statuses.length - 1]).toBe(CONNECTED);
    } finally {
      await own.stop();
    }
  }, 90_000);
});

// ------------------------------------------------------------------------------------------ two tabs

describe('two tabs of one user in one browser profile', () => {
  it('multi-device app: both tabs receive; the unread count is not double counted, also after a reload', async () => {
    const aliceId = newUserId('tab-alice');
    const bobId = newUserId('tab-bob');
    const bobToken = await tokenFor(bobId, server, MULTI);
    const alice = await openPage('ours');
    await connectPage(alice, aliceId, await tokenFor(aliceId, server, MULTI), { app: MULTI });
    const tab1 = await openPage('ours');
    await connectPage(tab1, bobId, bobToken, { app: MULTI });
    const tab2 = await openTab(tab1, 'ours');
    await connectPage(tab2, bobId, bobToken, { app: MULTI });
    for (const t of ['u1', 'u2', 'u3']) await sendText(alice, bobId, t);
    await waitTexts(tab1, ['u1', 'u2', 'u3']);
    await waitTexts(tab2, ['u1', 'u2', 'u3']);
    await sleep(1_500);
    const counts = [await ok<number>(tab1, 'getTotalUnreadCount'), await ok<number>(tab2, 'getTotalUnreadCount')];
    await tab2.reload({ timeout: 15_000 });
    await connectPage(tab2, bobId, bobToken, { app: MULTI });
    await sleep(1_500);
    counts.push(await ok<number>(tab2, 'getTotalUnreadCount'));
    expect(counts).toEqual([3, 3, 3]);
  });

  it('single-device app: the second tab kicks the first (6); the first stays kicked (no reconnect ping-pong)', async () => {
    const userId = newUserId('tabkick');
    const token = await tokenFor(userId, server, SINGLE);
    const tab1 = await openPage('ours');
    await connectPage(tab1, userId, token, { app: SINGLE });
    const tab2 = await openTab(tab1, 'ours');
    await connectPage(tab2, userId, token, { app: SINGLE });
    await waitStatuses(tab1, 0, 's.includes(6)');
    await sleep(8_000);
    const s1 = (await lxOf(tab1)).statuses;
    const s2 = (await lxOf(tab2)).statuses;
    expect(s1.slice(s1.indexOf(6))).toEqual([6]);
    expect(s2).toEqual([1, 0]);
  }, 60_000);
});

// ------------------------------------------------------------------------------------------ storage

describe('localStorage disabled or full', () => {
  it('localStorage throws (private mode / blocked storage): connect, send, receive and unread count still work', async () => {
    const aliceId = newUserId('nols-alice');
    const bobId = newUserId('nols-bob');
    const alice = await openPage('ours');
    const bob = await openPage('ours', NO_LOCAL_STORAGE);
    await connectPage(alice, aliceId, await tokenFor(aliceId));
    await connectPage(bob, bobId, await tokenFor(bobId));
    await sendText(alice, bobId, 'ls1');
    await sendText(alice, bobId, 'ls2');
    await waitTexts(bob, ['ls1', 'ls2']);
    await sendText(bob, aliceId, 'ls back');
    await waitTexts(alice, ['ls back']);
    await sleep(500);
    expect(await ok<number>(bob, 'getTotalUnreadCount')).toBe(2);
    expect((await lxOf(bob)).errors).toEqual([]);
    expect(logOf(bob).split('\n').filter((l) => l.includes('pageerror'))).toEqual([]);
  });

  it('localStorage full (quota exceeded): connect, send, receive and unread count still work', async () => {
    const aliceId = newUserId('full-alice');
    const bobId = newUserId('full-bob');
    const alice = await openPage('ours');
    const bob = await openPage('ours');
    const filled = await bob.evaluate(() => {
      const { localStorage } = globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } };
      const chunk = 'x'.repeat(256 * 1024);
      let n = 0;
      for (let i = 0; i < 200; i++) {
        try {
          localStorage.setItem(`junk${i}`, chunk);
          n++;
        } catch {
          break;
        }
      }
      for (let size = 16 * 1024; size >= 1; size = Math.floor(size / 2)) {
        for (let j = 0; j < 64; j++) {
          try {
            localStorage.setItem(`junk-small-${size}-${j}`, 'y'.repeat(size));
          } catch {
            break;
          }
        }
      }
      let full = false;
      try {
        localStorage.setItem('probe-full', 'zz');
      } catch {
        full = true;
      }
      return { n, full };
    });
    expect(filled.full).toBe(true);
    await connectPage(alice, aliceId, await tokenFor(aliceId));
    await connectPage(bob, bobId, await tokenFor(bobId));
    await sendText(alice, bobId, 'full1');
    await sendText(alice, bobId, 'full2');
    await waitTexts(bob, ['full1', 'full2']);
    const back = await call(bob, 'sendMessage', PRIVATE, aliceId, { content: 'full back' });
    expect(back.ok).toBe(true);
    await waitTexts(alice, ['full back']);
    await sleep(500);
    expect(await ok<number>(bob, 'getTotalUnreadCount')).toBe(2);
    expect((await lxOf(bob)).errors).toEqual([]);
    expect(logOf(bob).split('\n').filter((l) => l.includes('pageerror'))).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------ lost PUBACK

describe('a send whose PUBACK never arrives', () => {
  it('onError(-1 TIMEOUT) with the failed message after the ack timeout, and what a reload then delivers: same as 2.9.2', async () => {
    const outcome: Record<string, unknown> = {};
    for (const kind of ['official', 'ours'] as const) {
      const aliceId = newUserId(`pa-${kind}`);
      const bobId = newUserId(`pa-peer-${kind}`);
      const aliceToken = await tokenFor(aliceId);
      const alice = await openPage(kind);
      let dropPuback = false;
      let dropped = 0;
      await alice.context().routeWebSocket(
        (url) => isLoopbackUrl(url.href) && url.port === String(server.port),
        (ws) => {
          const upstream = ws.connectToServer();
          ws.onMessage((m) => upstream.send(m));
          upstream.onMessage((m) => {
            if (dropPuback && typeof m !== 'string' && m.length > 0 && (m[0] as number) >> 4 === 4) {
              dropped += 1;
              return;
            }
            ws.send(m);
          });
          const closing = (code: number | undefined, reason: string | undefined) => ({ ...(code !== undefined ? { code } : {}), ...(reason !== undefined ? { reason } : {}) });
          ws.onClose((code, reason) => upstream.close(closing(code, reason)));
          upstream.onClose((code, reason) => ws.close(closing(code, reason)));
        },
      );
      const bob = await openPage('ours');
      await connectPage(alice, aliceId, aliceToken);
      await connectPage(bob, bobId, await tokenFor(bobId));
      await sendText(alice, bobId, 'acked');
      dropPuback = true;
      const lost = await call<{ sentStatus: number; messageUId: string; content: { content: string } }>(alice, 'sendMessage', PRIVATE, bobId, { content: 'no puback' });
      dropPuback = false;
      expect(dropped).toBeGreaterThan(0);
      await waitTexts(bob, ['no puback']); // the server did store and deliver it
      await alice.reload({ timeout: 15_000 });
      await connectPage(alice, aliceId, aliceToken);
      await sendText(bob, aliceId, 'after reload');
      const got = await waitTexts(alice, ['after reload']);
      await sleep(1_000);
      outcome[kind] = {
        ok: lost.ok,
        code: lost.code,
        sentStatus: lost.value?.sentStatus,
        messageUId: lost.value?.messageUId,
        afterReload: (await lxOf(alice)).messages.map((m) => `${m.content.content}/${m.messageDirection}`),
      };
      void got;
    }
    expect(outcome['ours']).toEqual(outcome['official']);
  }, 150_000);
});
