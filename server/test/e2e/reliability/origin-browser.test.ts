/**
 * Per-app allowed web origins in REAL headless Chromium (issue #13): the RongIMLib 2.x sample app
 * (test/support/browser-pages/im-sample.js) served from a static origin connects to a server whose
 * app does not list that origin. The browser sends its real `Origin` header; the server answers
 * CONNACK 12. Our SDK (dist/lianxin.umd.js) reports 35009 (HOSTNAME_ERROR); the official 2.9.2 client
 * reports what it reports for any refused CONNACK (30002, docs/COMPATIBILITY.md). With the origin
 * listed, both connect. Needs `npm run build` first (npm test does it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bounded, launchChromium, startStaticServer, type ChromiumSession, type StaticServer } from '../../../../test/support/chromium';
import { serverApi } from '../../../../test/support/server-api-client';
import { REPO_ROOT, startServer, type RunningServer } from '../../../../test/support/server-launcher';

jest.setTimeout(90_000);

const CLOSED = { key: 'lxorigclosed', secret: 'lxorigclosedsecret' };
const OPEN = { key: 'lxorigopen', secret: 'lxorigopensecret' };
let server: RunningServer | undefined;
let statics: StaticServer | undefined;
let session: ChromiumSession | undefined;
const pages: Page[] = [];

interface SampleState {
  userId: string | null;
  connectFailure: string | null;
  statuses: number[];
}

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'lianxin.umd.js'))) throw new Error('dist/lianxin.umd.js is missing: run `npm run build` first');
  statics = await startStaticServer();
  const staticHost = new URL(statics.origin).host;
  [server, session] = await Promise.all([
    startServer({
      apps: [
        { ...CLOSED, options: { allowedOrigins: 'app.example.com|*.example.org' } },
        { ...OPEN, options: { allowedOrigins: `app.example.com|${encodeURIComponent(staticHost)}` } },
      ],
    }),
    launchChromium(),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(pages.map((page) => page.context().close()));
  await session?.close();
  await statics?.close();
  await server?.stop();
});

async function openSample(kind: 'umd' | 'official', app: { key: string; secret: string }): Promise<SampleState> {
  if (server === undefined || statics === undefined || session === undefined) throw new Error('set-up failed');
  const userId = `orig-${kind}-${app.key}-${Date.now().toString(36)}`;
  const response = await serverApi(server.url, app.key, app.secret).post<{ token: string }>('user/getToken', { userId, name: userId, portraitUri: '' });
  const page = await session.newPage();
  pages.push(page);
  const query = new URLSearchParams({ appKey: app.key, token: response.body.token, navi: server.url });
  await bounded(session, page, `load sample-${kind}.html`, page.goto(statics.url(`/pages/sample-${kind}.html?${query.toString()}`)));
  await bounded(
    session,
    page,
    `${kind} sample connect outcome`,
    page.waitForFunction(() => {
      const app = (globalThis as unknown as { app?: SampleState }).app;
      return app !== undefined && (app.userId !== null || app.connectFailure !== null);
    }, undefined, { timeout: 30_000, polling: 50 }),
    35_000,
  );
  return page.evaluate(() => {
    const app = (globalThis as unknown as { app: SampleState }).app;
    return { userId: app.userId, connectFailure: app.connectFailure, statuses: app.statuses };
  });
}

it('a page origin outside the list is refused: our SDK reports 35009, the official client a connect error', async () => {
  const ours = await openSample('umd', CLOSED);
  expect(ours.userId).toBeNull();
  expect(ours.connectFailure).toBe('error 35009');
  const official = await openSample('official', CLOSED);
  expect(official.userId).toBeNull();
  expect(official.connectFailure).toBe('error 30002');
  // Refusals are logged without secrets.
  expect(server?.stderr() ?? '').not.toContain(CLOSED.secret);
});

it('a listed page origin connects with both clients', async () => {
  for (const kind of ['umd', 'official'] as const) {
    const state = await openSample(kind, OPEN);
    expect(state.connectFailure).toBeNull();
    expect(state.statuses).toContain(0);
  }
});
