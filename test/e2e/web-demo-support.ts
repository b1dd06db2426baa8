/**
 * Shared set-up of the web demo / console browser tests (web-demo*.test.ts): the real server as
 * `npm start` runs it (`--dev-app`), one headless Chromium, the generated console password and the
 * dev app's credentials (for Server API set-up calls), plus page helpers that drive the demo the
 * way a user does (labels, roles, keyboard).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bounded, launchChromium, type ChromiumSession } from '../support/chromium';
import { serverApi, type ServerApiClient } from '../support/server-api-client';
import { REPO_ROOT, startServer, type RunningServer } from '../support/server-launcher';

export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

export interface DemoEnv {
  readonly server: RunningServer;
  readonly session: ChromiumSession;
  readonly adminPassword: string;
  /** Signed Server API client of the dev app (the one the demo chat uses). */
  readonly devApi: ServerApiClient;
  readonly devAppKey: string;
}

/** Starts the server and Chromium; on failure stops whatever started and throws. */
export async function startDemoEnv(): Promise<{ env: DemoEnv; stop(): Promise<void> }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  let server: RunningServer | undefined;
  let session: ChromiumSession | undefined;
  const stop = async (): Promise<void> => {
    await session?.close();
    await server?.stop();
  };
  const results = await Promise.allSettled([
    startServer({ devApp: true }).then((s) => (server = s)),
    launchChromium().then((s) => (session = s)),
  ]);
  for (const result of results) {
    if (result.status === 'rejected') {
      await stop();
      throw result.reason;
    }
  }
  if (server === undefined || session === undefined) throw new Error('set-up failed');
  const match = await server.stderrMatch(/console admin password: (\S+)/);
  const dev = /dev app: appKey=(\S+) appSecret=(\S+)/.exec(server.stdout());
  if (match[1] === undefined || dev?.[1] === undefined || dev[2] === undefined) throw new Error(`no console password or dev app printed:\n${server.stdout()}\n${server.stderr()}`);
  return { env: { server, session, adminPassword: match[1], devApi: serverApi(server.url, dev[1], dev[2]), devAppKey: dev[1] }, stop };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A fresh browser profile on the demo, connected as `userId` through the dev token endpoint. */
export async function openDemo(env: DemoEnv, userId: string): Promise<Page> {
  const page = await env.session.newPage();
  await bounded(env.session, page, 'load the demo', page.goto(`${env.server.url}/`));
  await page.getByLabel('User ID', { exact: true }).fill(userId);
  await page.getByRole('button', { name: 'Connect' }).click();
  await bounded(env.session, page, `${userId} connects`, page.locator('#status', { hasText: `connected as ${userId}` }).waitFor());
  return page;
}

export async function openConversation(page: Page, type: 'Private' | 'Group' | 'Chatroom', targetId: string): Promise<void> {
  await page.getByLabel('Type').selectOption({ label: type });
  await page.getByLabel('Target ID').fill(targetId);
  await page.getByRole('button', { name: 'Open' }).click();
  try {
    await page.locator('#chat-title', { hasText: targetId }).waitFor();
  } catch (error) {
    // Seen once in a full CI run (a chatroom re-opened after a private conversation): say what the page showed.
    const shown = async (selector: string): Promise<string> => (await page.locator(selector).textContent({ timeout: 1000 }).catch(() => null)) ?? '?';
    throw new Error(`${type} ${targetId} did not open: title ${JSON.stringify(await shown('#chat-title'))}, error ${JSON.stringify(await shown('#send-error'))}, status ${JSON.stringify(await shown('#status'))}\n${String(error)}`);
  }
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
}

export async function openConsole(env: DemoEnv): Promise<Page> {
  const page = await env.session.newPage();
  await bounded(env.session, page, 'load the console', page.goto(`${env.server.url}/console`));
  await page.getByLabel('Admin password').fill(env.adminPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await bounded(env.session, page, 'console logged in', page.getByRole('tab', { name: 'Groups' }).waitFor());
  return page;
}

/** Fills one action form of the console (by its Server API path) and submits it; returns the answer text. */
export async function consoleAction(page: Page, tab: string, path: string, values: Record<string, string>): Promise<string> {
  await page.getByRole('tab', { name: tab }).click();
  const form = page.locator(`form[data-path="${path}"]`);
  for (const [name, value] of Object.entries(values)) await form.locator(`[name="${name}"]`).fill(value);
  await page.evaluate('document.getElementById("result").textContent = ""');
  await form.getByRole('button').click();
  const result = page.locator('#result', { hasText: `POST /${path}.json` });
  await result.waitFor();
  return (await result.textContent()) ?? '';
}

/** A suite's demo environment and the pages it opened (closed after each test, which must have logged no page error). */
export interface DemoSuite {
  /** Suffix that keeps this run's user and room ids apart from earlier runs on the same data. */
  readonly run: string;
  ready(): DemoEnv;
  /** Closes `page` after the current test, as the pages below are. */
  track(page: Page): Page;
  /** The demo page of a fresh user `<name>-<run>`. */
  user(name: string): Promise<{ page: Page; id: string }>;
  /** The console, logged in. */
  admin(): Promise<Page>;
  wait(page: Page, what: string, work: Promise<unknown>, timeoutMs?: number): Promise<unknown>;
  /** The page errors (uncaught exceptions, unhandled rejections) `page` logged so far. */
  pageErrors(page: Page): string[];
}

/** Closes an untracked page (one whose page errors a test checks itself), whatever state it is in. */
export async function closeQuietly(page: Page): Promise<void> {
  await page.context().close().catch(() => undefined);
}

/** Registers the hooks of a web-demo suite (server + Chromium once, pages closed after each test). */
export function useDemoSuite(): DemoSuite {
  const run = Date.now().toString(36);
  let env: DemoEnv | undefined;
  let stopEnv: (() => Promise<void>) | undefined;
  const pages: Page[] = [];

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist', 'browser.mjs'))) throw new Error('dist/browser.mjs is missing: run `npm run build` first');
    const started = await startDemoEnv();
    env = started.env;
    stopEnv = started.stop;
  }, 60_000);

  afterEach(async () => {
    for (const page of pages.splice(0)) {
      expect(env?.session.logOf(page) ?? '').not.toContain('pageerror');
      await page.context().close();
    }
  });

  afterAll(async () => {
    await stopEnv?.();
  });

  const ready = (): DemoEnv => {
    if (env === undefined) throw new Error('set-up failed');
    return env;
  };
  const track = (page: Page): Page => {
    pages.push(page);
    return page;
  };
  return {
    run,
    ready,
    track,
    user: async (name) => {
      const id = `${name}-${run}`;
      return { page: track(await openDemo(ready(), id)), id };
    },
    admin: async () => track(await openConsole(ready())),
    wait: (page, what, work, timeoutMs) => bounded(ready().session, page, what, work, timeoutMs),
    pageErrors: (page) => ready().session.logOf(page).split('\n').filter((line) => line.includes('pageerror')),
  };
}
