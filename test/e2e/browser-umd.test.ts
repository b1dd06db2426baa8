/**
 * Lianxin's browser builds in REAL headless Chromium against the REAL server process: pages served
 * from a static origin (http://127.0.0.1:<static port>, cross-origin to the IM server, like a real
 * app) run an unchanged RongIMLib 2.x sample app (test/support/browser-pages/im-sample.js) on
 *   - dist/lianxin.umd.js loaded with a plain <script> tag (global `RongIMLib`),
 *   - dist/browser.mjs loaded with <script type="module">,
 *   - the official @rongcloud/imlib-v2 2.9.2 UMD build (on @rongcloud/engine 4.4.2's UMD build),
 * and users on two pages (two browser profiles) exchange private text messages both ways through
 * the server (one page over comet, the built comet transport); the emoji plugin script (dist/lianxin-emoji.umd.js) joins the `RongIMLib` global in
 * either load order. Needs `npm run build` first (npm test does it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bounded, launchChromium, startStaticServer, type ChromiumSession, type StaticServer } from '../support/chromium';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP, REPO_ROOT, startServer, type RunningServer } from '../support/server-launcher';

jest.setTimeout(90_000);

type SampleKind = 'umd' | 'esm' | 'official';

/** What im-sample.js records from the SDK callbacks (window.app). */
interface ReceivedRecord {
  conversationType: number;
  targetId: string;
  senderUserId: string;
  messageType: string;
  objectName: string;
  content: { content: string | undefined; extra: string | undefined };
  messageDirection: number;
  messageUId: string;
  sentTime: number;
}
interface SentRecord {
  messageUId: string;
  sentTime: number;
  senderUserId: string;
  targetId: string;
}
interface SampleApp {
  statuses: number[];
  received: ReceivedRecord[];
  userId: string | null;
  connectFailure: string | null;
  sendText(targetId: string, text: string): Promise<SentRecord>;
}

interface SamplePage {
  readonly kind: SampleKind;
  readonly page: Page;
  readonly userId: string;
  /** URLs of the WebSockets the page opened (playwright sees the page's real sockets). */
  readonly sockets: string[];
}

const RUN = Date.now().toString(36);
let counter = 0;
let server: RunningServer | undefined;
let statics: StaticServer | undefined;
let session: ChromiumSession | undefined;
const opened: Page[] = [];

beforeAll(async () => {
  for (const file of ['lianxin.umd.js', 'browser.mjs', 'lianxin-emoji.umd.js']) {
    if (!existsSync(join(REPO_ROOT, 'dist', file))) throw new Error(`dist/${file} is missing: run \`npm run build\` first`);
  }
  // allSettled: whatever did start is assigned before a failure surfaces, so afterAll stops it.
  const results = await Promise.allSettled([
    startServer().then((s) => (server = s)),
    startStaticServer().then((s) => (statics = s)),
    launchChromium().then((s) => (session = s)),
  ]);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}, 60_000);

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await session?.close();
  await statics?.close();
  await server?.stop();
});

function ready(): { server: RunningServer; statics: StaticServer; session: ChromiumSession } {
  if (server === undefined || statics === undefined || session === undefined) throw new Error('browser e2e set-up failed');
  return { server, statics, session };
}

async function tokenFor(userId: string): Promise<string> {
  const { server: s } = ready();
  const response = await serverApi(s.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret).post<{ code: number; token: string }>('/user/getToken.json', {
    userId,
    name: userId,
    portraitUri: 'https://example.com/p.png',
  });
  if (response.body.code !== 200) throw new Error(`getToken failed: ${response.text}`);
  return response.body.token;
}

/** Opens the sample app on `kind` as a fresh user in a fresh browser profile and waits for connect. */
async function openSample(kind: SampleKind, name: string, extra: Readonly<Record<string, string>> = {}): Promise<SamplePage> {
  const { server: s, statics: st, session: chromium } = ready();
  counter += 1;
  const userId = `${name}-${RUN}-${counter}`;
  const token = await tokenFor(userId);
  const page = await chromium.newPage();
  opened.push(page);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const query = new URLSearchParams({ appKey: DEFAULT_TEST_APP.key, token, navi: s.url, ...extra });
  await bounded(chromium, page, `load sample-${kind}.html`, page.goto(st.url(`/pages/sample-${kind}.html?${query.toString()}`)));
  await bounded(
    chromium,
    page,
    `${kind} sample connects as ${userId}`,
    page.waitForFunction(() => {
      const app = (globalThis as unknown as { app?: SampleApp }).app;
      return app !== undefined && (app.userId !== null || app.connectFailure !== null);
    }, undefined, { timeout: 20_000, polling: 50 }),
    25_000,
  );
  const state = await page.evaluate(() => {
    const app = (globalThis as unknown as { app: SampleApp }).app;
    return { userId: app.userId, failure: app.connectFailure, statuses: app.statuses };
  });
  if (state.failure !== null) throw new Error(`${kind} sample failed to connect: ${state.failure}\n${chromium.logOf(page)}`);
  expect(state.userId).toBe(userId);
  expect(state.statuses).toContain(0); // ConnectionStatus.CONNECTED
  return { kind, page, userId, sockets };
}

/** `from` sends a text to `to` with sendMessage; `to`'s onReceived must see it, intact. */
async function sendAndReceive(from: SamplePage, to: SamplePage): Promise<void> {
  const { session: chromium } = ready();
  counter += 1;
  const text = `hi ${to.userId}, from ${from.kind} ${from.userId} #${counter} · 中文 😀`;
  const sent = await bounded(
    chromium,
    from.page,
    `${from.kind} sendMessage to ${to.userId}`,
    from.page.evaluate(([target, content]) => (globalThis as unknown as { app: SampleApp }).app.sendText(target, content), [to.userId, text] as const),
  );
  expect(sent.messageUId).toMatch(/\S/);
  expect(sent.sentTime).toBeGreaterThan(0);

  const handle = await bounded(
    chromium,
    to.page,
    `${to.kind} onReceived of "${text}"`,
    to.page.waitForFunction(
      (content) => (globalThis as unknown as { app: SampleApp }).app.received.find((m) => m.content.content === content) ?? false,
      text,
      { timeout: 15_000, polling: 50 },
    ),
    20_000,
  );
  const received = (await handle.jsonValue()) as ReceivedRecord;
  expect(received).toMatchObject({
    conversationType: 1, // ConversationType.PRIVATE
    targetId: from.userId,
    senderUserId: from.userId,
    messageType: 'TextMessage',
    objectName: 'RC:TxtMsg',
    content: { content: text, extra: '附加信息' },
    messageDirection: 2, // MessageDirection.RECEIVE
    messageUId: sent.messageUId,
  });
}

function expectHealthy(...pages: SamplePage[]): void {
  const { server: s, session: chromium } = ready();
  for (const p of pages) {
    const log = chromium.logOf(p.page);
    expect({ kind: p.kind, pageErrors: log.split('\n').filter((line) => line.includes('pageerror:')) }).toEqual({ kind: p.kind, pageErrors: [] });
    // The page talked to the IM server over its own WebSocket, cross-origin from the page.
    expect(p.sockets.some((url) => url.startsWith(`ws://127.0.0.1:${s.port}/`))).toBe(true);
    expect(new URL(p.page.url()).port).not.toBe(String(s.port));
  }
}

async function exchangeBothWays(a: SamplePage, b: SamplePage): Promise<void> {
  await sendAndReceive(a, b);
  await sendAndReceive(b, a);
  await sendAndReceive(a, b);
  expectHealthy(a, b);
}

describe('RongIMLib 2.x sample in headless Chromium against the real server', () => {
  it('dist/lianxin.umd.js via a plain <script> tag: two users on two pages exchange messages both ways', async () => {
    const alice = await openSample('umd', 'alice');
    const bob = await openSample('umd', 'bob');
    expect(await alice.page.evaluate(() => typeof (globalThis as unknown as { RongIMLib?: unknown }).RongIMLib)).toBe('object');
    // The official script's bare global too (its quick-start calls `RongIMClient.connect(…)`).
    expect(await alice.page.evaluate(() => {
      const g = globalThis as unknown as { RongIMLib: { RongIMClient: unknown }; RongIMClient?: unknown };
      return g.RongIMClient === g.RongIMLib.RongIMClient;
    })).toBe(true);
    await exchangeBothWays(alice, bob);
  });

  it('dist/browser.mjs via <script type="module"> talks to a UMD page', async () => {
    const carol = await openSample('esm', 'carol');
    const dave = await openSample('umd', 'dave');
    await exchangeBothWays(carol, dave);
  });

  it('a browser that goes offline reports NETWORK_UNAVAILABLE, reconnects when back online and gets what it missed', async () => {
    const { session: chromium } = ready();
    const grace = await openSample('umd', 'grace');
    const heidi = await openSample('umd', 'heidi');
    const statusesOf = (p: SamplePage): Promise<number[]> => p.page.evaluate(() => [...(globalThis as unknown as { app: SampleApp }).app.statuses]);
    const waitStatus = (p: SamplePage, what: string, test: (statuses: number[]) => boolean): Promise<void> =>
      bounded(
        chromium,
        p.page,
        what,
        (async () => {
          const until = Date.now() + 20_000;
          for (let statuses = await statusesOf(p); !test(statuses); statuses = await statusesOf(p)) {
            if (Date.now() > until) throw new Error(`statuses so far: ${statuses.join(',')}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        })(),
        25_000,
      );
    const before = (await statusesOf(heidi)).length;
    const context = heidi.page.context();
    try {
      await context.setOffline(true);
      await waitStatus(heidi, 'NETWORK_UNAVAILABLE (3) after going offline', (s) => s.slice(before).includes(3));

      counter += 1;
      const missed = `sent while heidi was offline #${counter}`;
      const sent = await bounded(
        chromium,
        grace.page,
        'send to the offline user',
        grace.page.evaluate(([target, content]) => (globalThis as unknown as { app: SampleApp }).app.sendText(target, content), [heidi.userId, missed] as const),
      );
      expect(sent.messageUId).toMatch(/\S/);

      await context.setOffline(false);
      await waitStatus(heidi, 'CONNECTED (0) after coming back online', (s) => {
        const after = s.slice(before);
        return after.lastIndexOf(0) > after.indexOf(3) && after.includes(3);
      });
      const handle = await bounded(
        chromium,
        heidi.page,
        'the missed message after reconnecting',
        heidi.page.waitForFunction(
          (content) => (globalThis as unknown as { app: SampleApp }).app.received.find((m) => m.content.content === content) ?? false,
          missed,
          { timeout: 15_000, polling: 50 },
        ),
        20_000,
      );
      expect(await handle.jsonValue()).toMatchObject({ senderUserId: grace.userId, messageUId: sent.messageUId, content: { content: missed } });
    } finally {
      await context.setOffline(false);
    }
    await exchangeBothWays(heidi, grace);
  });

  it('dist/lianxin.umd.js over comet (connectionType: comet, no WebSocket) talks to a WebSocket page', async () => {
    const ivan = await openSample('umd', 'ivan', { connectionType: 'comet' });
    const judy = await openSample('umd', 'judy');
    await sendAndReceive(ivan, judy);
    await sendAndReceive(judy, ivan);
    expect(ivan.sockets).toEqual([]);
    expectHealthy(judy);
  });

  it('the official @rongcloud/imlib-v2 UMD build in Chromium and Lianxin in Chromium exchange messages both ways', async () => {
    const official = await openSample('official', 'erin');
    const ours = await openSample('umd', 'frank');
    await exchangeBothWays(official, ours);
  });

  it.each([
    ['after', ['/dist/lianxin.umd.js', '/dist/lianxin-emoji.umd.js']],
    ['before', ['/dist/lianxin-emoji.umd.js', '/dist/lianxin.umd.js']],
  ] as const)('the emoji plugin script loaded %s the IMLib script adds RongIMLib.RongIMEmoji next to RongIMClient', async (order, scripts) => {
    const { statics: st, session: chromium } = ready();
    const path = `/pages/emoji-${order}.html`;
    st.put(path, `<!doctype html><html><head><meta charset="utf-8" />${scripts.map((src) => `<script src="${src}"></script>`).join('')}</head><body></body></html>`);
    const page = await chromium.newPage();
    opened.push(page);
    await bounded(chromium, page, `load ${path}`, page.goto(st.url(path)));
    const seen = await page.evaluate(() => {
      interface Emoji { emojiToSymbol(t: string): string; symbolToEmoji(t: string): string; list: readonly unknown[] }
      const lib = (globalThis as unknown as { RongIMLib: { RongIMEmoji?: Emoji; RongIMClient?: { init?: unknown }; ConversationType?: { PRIVATE?: number } } }).RongIMLib;
      const emoji = lib.RongIMEmoji;
      return {
        client: typeof lib.RongIMClient?.init,
        private: lib.ConversationType?.PRIVATE,
        count: emoji?.list.length,
        symbol: emoji?.emojiToSymbol('hi 😀👍'),
        glyph: emoji?.symbolToEmoji('[赞]'),
      };
    });
    expect(seen).toEqual({ client: 'function', private: 1, count: 128, symbol: 'hi [笑嘻嘻][赞]', glyph: '👍' });
    expect(chromium.logOf(page).split('\n').filter((line) => line.includes('pageerror:'))).toEqual([]);
  });

  it('the IMLib bundles no longer carry RongIMEmoji (it is the plugin entry lianxin/emoji)', async () => {
    const { statics: st, session: chromium } = ready();
    st.put('/pages/no-emoji.html', '<!doctype html><html><head><script src="/dist/lianxin.umd.js"></script></head><body></body></html>');
    const page = await chromium.newPage();
    opened.push(page);
    await bounded(chromium, page, 'load no-emoji.html', page.goto(st.url('/pages/no-emoji.html')));
    expect(await page.evaluate(() => {
      const lib = (globalThis as unknown as { RongIMLib: Record<string, unknown> }).RongIMLib;
      return [typeof lib['RongIMClient'], typeof lib['RongIMEmoji']];
    })).toEqual(['object', 'undefined']);
  });
});
