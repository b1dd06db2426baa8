/**
 * Real headless Chromium for the browser tests: Debian's `/usr/bin/chromium` driven by
 * playwright-core (never a downloaded browser), plus a tiny static file server on 127.0.0.1 that
 * serves dist/, the test pages (test/support/browser-pages/) and the official client's browser
 * builds, so a page's origin is `http://127.0.0.1:<port>` — cross-origin to the IM server, as in a
 * real app.
 *
 * Every page gets its own browser context (own localStorage, cookies, network emulation): one page
 * is one user's browser profile. Console output, page errors and failed requests are collected per
 * page so a failing assertion can print what the page saw (`logOf`, `bounded`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './server-launcher';

/** `LIANXIN_CHROMIUM` overrides the binary (e.g. a distro that installs `chromium-browser`). */
export const CHROMIUM_PATH = process.env.LIANXIN_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface ChromiumSession {
  readonly browser: Browser;
  /** A page in a fresh context of its own (own storage: one user's browser profile). */
  newPage(): Promise<Page>;
  /** What the page printed or failed on so far (console, page errors, failed requests). */
  logOf(page: Page): string;
  /** Closes every context and the browser; safe to call twice. */
  close(): Promise<void>;
}

const MAX_LOG_LINES = 400;

export async function launchChromium(): Promise<ChromiumSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's "chromium" package (CI does, see .ci/run) or set LIANXIN_CHROMIUM`);
  }
  // playwright-core gives every launch a fresh temporary user-data dir and removes it on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: 30_000 });
  const contexts = new Set<BrowserContext>();
  const logs = new WeakMap<Page, string[]>();
  let closing: Promise<void> | undefined;

  const record = (page: Page): void => {
    const lines: string[] = [];
    logs.set(page, lines);
    const push = (line: string): void => {
      if (lines.length < MAX_LOG_LINES) lines.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    };
    page.on('console', (message) => push(`console.${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => push(`pageerror: ${error.stack ?? error.message}`));
    page.on('requestfailed', (request) => push(`requestfailed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('crash', () => push('page crashed'));
  };

  return {
    browser,
    async newPage() {
      const context = await browser.newContext();
      contexts.add(context);
      context.once('close', () => contexts.delete(context));
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      record(page);
      return page;
    },
    logOf(page) {
      return (logs.get(page) ?? []).join('\n');
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...contexts].map((c) => c.close()));
        await browser.close();
      })();
      return closing;
    },
  };
}

/**
 * Awaits `work`, failing after `timeoutMs` with `what` and the page's log (every browser wait in
 * the tests goes through a bound like this, so a stuck page fails fast with evidence).
 */
export async function bounded<T>(session: ChromiumSession, page: Page, what: string, work: Promise<T>, timeoutMs = 15_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // If the bound wins, a later rejection of `work` (page closed meanwhile) must not go unhandled.
  work.catch(() => undefined);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${what}: ${message}\n--- page ${page.url()} log ---\n${session.logOf(page)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a URL's host is this machine (127.0.0.0/8, localhost, ::1): the only hosts the tests may reach. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Aborts every request and WebSocket of `context` to a host off this machine, recording each in `blocked`
 * (`METHOD url`, `WS url`), so a test can assert that nothing left the loopback.
 */
export async function blockOffLoopback(context: BrowserContext, blocked: string[]): Promise<void> {
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLoopbackUrl(url)) return route.continue();
    blocked.push(`${route.request().method()} ${url}`);
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(
    (url) => !isLoopbackUrl(url.href),
    (ws) => {
      blocked.push(`WS ${ws.url()}`);
      void ws.close();
    },
  );
}

// ------------------------------------------------------------------------------ static server

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  url(path: string): string;
  /** Serves generated content (an esbuild bundle, a page) at an absolute path such as `/gen/x.js`. */
  put(path: string, body: string | Uint8Array, contentType?: string): void;
  close(): Promise<void>;
}

/** URL prefix → directory. Only files under these directories are served. */
export const DEFAULT_MOUNTS: Readonly<Record<string, string>> = {
  '/dist/': join(REPO_ROOT, 'dist'),
  '/pages/': join(REPO_ROOT, 'test', 'support', 'browser-pages'),
  '/vendor/imlib-v2/': join(REPO_ROOT, 'node_modules', '@rongcloud', 'imlib-v2', 'dist'),
  '/vendor/engine/': join(REPO_ROOT, 'node_modules', '@rongcloud', 'engine', 'dist'),
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
}

/** Maps a URL path to a file inside one mount, refusing anything that climbs out of it. */
function resolveMounted(mounts: Readonly<Record<string, string>>, pathname: string): string | undefined {
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!pathname.startsWith(prefix)) continue;
    const root = normalize(dir);
    const file = normalize(join(root, decodeURIComponent(pathname.slice(prefix.length))));
    if (file !== root && !file.startsWith(root + sep)) return undefined;
    return file;
  }
  return undefined;
}

/**
 * `host`: the loopback address to serve on — another one than the IM server's 127.0.0.1 (e.g. 127.0.0.2)
 * makes the pages cross-SITE to it, not only cross-origin (cookies are per host, not per port).
 */
export async function startStaticServer(mounts: Readonly<Record<string, string>> = DEFAULT_MOUNTS, host = '127.0.0.1'): Promise<StaticServer> {
  const generated = new Map<string, { body: string | Uint8Array; type: string }>();
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = { 'cache-control': 'no-store' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    const made = generated.get(pathname);
    if (made !== undefined) {
      res.writeHead(200, { ...headers, 'content-type': made.type }).end(made.body);
      return;
    }
    const file = resolveMounted(mounts, pathname);
    if (file === undefined || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': contentTypeOf(file) }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    url: (path) => origin + (path.startsWith('/') ? path : `/${path}`),
    put(path, body, contentType) {
      generated.set(path, { body, type: contentType ?? contentTypeOf(path) });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
