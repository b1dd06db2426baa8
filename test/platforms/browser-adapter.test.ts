/**
 * The browser adapter (platforms/browser/browser-adapter.ts) in REAL headless Chromium: the shared
 * PlatformAdapter contract (platforms/adapter.contract.ts) runs unchanged against adapters that
 * live in a page and use its own WebSocket, fetch / XMLHttpRequest, localStorage, timers and
 * window/document events (test/support/page-adapter-proxy.ts forwards each call into the page).
 * The servers are the contract's real loopback servers (test/platforms/contract-servers.ts).
 *
 * The page is a real document of the contract HTTP server (GET /status/200), so the adapter's HTTP
 * requests are same-origin: the contract servers send no CORS headers. Cross-origin use (page on
 * one origin, IM server on another) is covered by test/e2e/browser-umd.test.ts.
 */
import type { Page } from 'playwright-core';
import { describeAdapterContract } from '../../platforms/adapter.contract';
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { launchChromium, type ChromiumSession } from '../support/chromium';
import { attachPageAdapters, buildAdapterHarness, type PageAdapters } from '../support/page-adapter-proxy';
import { startContractServers, type ContractServers } from './contract-servers';

jest.setTimeout(60_000);

let servers: ContractServers | undefined;
let session: ChromiumSession | undefined;
let harness: PageAdapters | undefined;

const env = (): ContractServers => {
  if (servers === undefined) throw new Error('contract servers not started');
  return servers;
};
const inPage = (): PageAdapters => {
  if (harness === undefined) throw new Error('Chromium page not ready');
  return harness;
};

beforeAll(async () => {
  // allSettled: whatever did start is assigned before a failure surfaces, so afterAll stops it.
  let source = '';
  const results = await Promise.allSettled([
    startContractServers().then((s) => (servers = s)),
    launchChromium().then((s) => (session = s)),
    buildAdapterHarness().then((text) => (source = text)),
  ]);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  if (servers === undefined || session === undefined) throw new Error('browser adapter set-up failed');
  const page = await session.newPage();
  await page.goto(`${servers.httpUrl}/status/200`);
  harness = await attachPageAdapters(page, source);
}, 60_000);

afterAll(async () => {
  await session?.close();
  await servers?.close();
});

describeAdapterContract('browser in Chromium (fetch)', () => inPage().create(), env, { sharedStorage: true });
describeAdapterContract('browser in Chromium (XMLHttpRequest, no fetch)', () => inPage().create({ variant: 'xhr-only' }), env, {
  sharedStorage: true,
});

// ------------------------------------------------------------------------------ host specifics

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** The page's raw localStorage (what the adapter left there), read by the page itself. */
function rawLocalStorage(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const storage = (globalThis as unknown as { localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null } })
      .localStorage;
    const out: Record<string, string> = {};
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key !== null) out[key] = storage.getItem(key) ?? '';
    }
    return out;
  });
}

/** Sets `document.visibilityState` and fires a real `visibilitychange` on the page's document. */
function setVisibility(page: Page, state: 'visible' | 'hidden'): Promise<void> {
  // Headless Chromium keeps every page "visible" (background tabs and minimised windows included),
  // so the state is overridden on the document; the event itself is a real DOM event.
  return page.evaluate((value) => {
    const doc = (globalThis as unknown as { document: object & { dispatchEvent(e: unknown): boolean } }).document;
    Object.defineProperty(doc, 'visibilityState', { configurable: true, get: () => value });
    const EventCtor = (globalThis as unknown as { Event: new (type: string) => unknown }).Event;
    doc.dispatchEvent(new EventCtor('visibilitychange'));
  }, state);
}

describe('browser adapter in Chromium: host specifics', () => {
  it('requests go through the page fetch by default and through XMLHttpRequest when fetch is missing', async () => {
    const h = inPage();
    const types: string[] = [];
    const onRequest = (request: { url(): string; resourceType(): string }): void => {
      if (request.url().includes('/text?via=')) types.push(`${new URL(request.url()).searchParams.get('via')}:${request.resourceType()}`);
    };
    h.page.on('request', onRequest);
    try {
      for (const variant of ['window', 'xhr-only'] as const) {
        const res = await h.create({ variant }).request({ method: 'GET', url: `${env().httpUrl}/text?via=${variant}`, responseType: 'text', timeoutMs: 5_000 })
          .response;
        expect(res.body).toBe('héllo wörld');
      }
    } finally {
      h.page.off('request', onRequest);
    }
    expect(types).toEqual(['window:fetch', 'xhr-only:xhr']);
  });

  it('keeps values in the page localStorage under the namespace prefix, across a page reload', async () => {
    const h = inPage();
    const key = `persist-${Date.now()}`;
    await h.create().storage.set(key, 'v 中文');
    await h.create({ storagePrefix: 'app1/' }).storage.set(key, 'w');
    const raw = await rawLocalStorage(h.page);
    expect(raw[`lianxin:${key}`]).toBe('v 中文');
    expect(raw[`app1/${key}`]).toBe('w');
    expect(Object.keys(raw).filter((k) => k.includes('__probe__'))).toEqual([]);

    await h.page.reload();
    await h.reinject();
    expect(await h.create().storage.get(key)).toBe('v 中文');
    expect(await h.create({ storagePrefix: 'app1/' }).storage.get(key)).toBe('w');
    await h.create().storage.remove(key);
    expect((await rawLocalStorage(h.page))[`lianxin:${key}`]).toBeUndefined();
  });

  it('falls back to per-adapter memory when reading localStorage throws', async () => {
    const h = inPage();
    const hostile = h.create({ variant: 'hostile-storage' });
    await hostile.storage.set('sandboxed', '1');
    expect(await hostile.storage.get('sandboxed')).toBe('1');
    expect(await h.create({ variant: 'hostile-storage' }).storage.get('sandboxed')).toBeUndefined();
    expect((await rawLocalStorage(h.page))['lianxin:sandboxed']).toBeUndefined();
  });

  it('maps the browser going offline and online (network emulation) to onNetworkChange, until unsubscribed', async () => {
    const h = inPage();
    const adapter: PlatformAdapter = h.create();
    const seen: boolean[] = [];
    const off = adapter.lifecycle.onNetworkChange((online) => seen.push(online));
    await h.settled();
    const context = h.page.context();
    try {
      await context.setOffline(true);
      await waitFor('offline event', () => seen.length === 1);
      await context.setOffline(false);
      await waitFor('online event', () => seen.length === 2);
      expect(seen).toEqual([false, true]);
      off();
      await h.settled();
      await context.setOffline(true);
      await context.setOffline(false);
      await delay(200);
      expect(seen).toEqual([false, true]);
    } finally {
      await context.setOffline(false);
    }
  });

  it('maps visibilitychange to onBackground / onForeground, until unsubscribed', async () => {
    const h = inPage();
    const adapter = h.create();
    const seen: string[] = [];
    const offBg = adapter.lifecycle.onBackground(() => seen.push('background'));
    const offFg = adapter.lifecycle.onForeground(() => seen.push('foreground'));
    await h.settled();
    try {
      await setVisibility(h.page, 'hidden');
      await setVisibility(h.page, 'visible');
      await waitFor('two visibility events', () => seen.length === 2);
      expect(seen).toEqual(['background', 'foreground']);
      offBg();
      offFg();
      await h.settled();
      await setVisibility(h.page, 'hidden');
      await setVisibility(h.page, 'visible');
      await delay(100);
      expect(seen).toEqual(['background', 'foreground']);
    } finally {
      await setVisibility(h.page, 'visible');
    }
  });

  it('a host without WebSocket fails the socket asynchronously with onError then one onClose', async () => {
    const adapter = inPage().create({ variant: 'no-websocket' });
    const events: string[] = [];
    adapter.openSocket(`${env().wsUrl}/echo`, {
      onOpen: () => events.push('open'),
      onMessage: () => events.push('message'),
      onError: () => events.push('error'),
      onClose: (code) => events.push(`close:${code}`),
    });
    await waitFor('close', () => events.some((e) => e.startsWith('close')));
    await delay(50);
    expect(events).toEqual(['error', 'close:1006']);
  });
});
