/**
 * The admin console (`/console`) in REAL headless Chromium against the real server as `npm start` runs
 * it (`--dev-app`), for what the other web-demo suites do not cover: an app name with markup is shown
 * as text; a refused app creation is explained and an over-long name is cut; the statistics count the
 * demo's users under the web platform; a user blocked in the console is told so in the demo. And when
 * the server cannot be reached (stopped, or its answers lost): an action says "server unreachable"
 * under its form, the login says so under the password, and the Statistics tab shows one notice while
 * it cannot refresh and clears it when the numbers come back — never an uncaught error.
 * Needs `npm run build`.
 */
import type { Page } from 'playwright-core';
import { startServer, type RunningServer } from '../support/server-launcher';
import { closeQuietly, consoleAction, openConversation, send, useDemoSuite } from './web-demo-support';

jest.setTimeout(120_000);

const { run: RUN, ready, user, admin, wait, pageErrors } = useDemoSuite();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('console pages show what the server says', () => {
  it('an app name with markup is shown as text in the app table, the picker and the secret box', async () => {
    const page = await admin();
    const name = `<img src=x onerror="window.__xss=1">${RUN}`;
    await page.getByRole('tab', { name: 'Apps' }).click();
    await page.getByLabel('App name').fill(name);
    await page.getByRole('button', { name: 'Create app' }).click();
    await wait(page, 'created', page.locator('#once-app-secret').waitFor());
    const key = (await page.locator('#once-app-key').textContent()) ?? '';
    expect(await page.locator(`tr[data-app="${key}"] td`).nth(1).textContent()).toBe(name);
    expect(await page.locator('#app-key option', { hasText: name }).count()).toBe(1);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
  });

  it('a refused app creation (bad app key) is explained on the page; an over-long name is cut', async () => {
    const page = await admin();
    await page.getByRole('tab', { name: 'Apps' }).click();
    await page.getByLabel('App key (empty = generated)').fill('bad key with spaces/ü');
    await page.getByLabel('App key (empty = generated)').press('Enter');
    await wait(page, 'refusal shown', page.locator('#status', { hasText: 'app not created' }).waitFor());
    expect(await page.locator('#once-app-secret').count()).toBe(0);
    // An over-long name (beyond the input's maxlength, sent by a script) is cut, not refused with a crash.
    const long = await page.evaluate(`fetch('/console/api/apps', { method: 'POST', headers: { 'content-type': 'application/json', 'x-lianxin-console': '1' }, body: JSON.stringify({ name: 'n'.repeat(5000) }) }).then((r) => r.json().then((b) => [r.status, (b.name || '').length]))`);
    expect((long as number[])[0]).toBe(200);
    expect((long as number[])[1]).toBeLessThanOrEqual(64);
  });

  it('statistics count the demo users online under the web platform and their text messages', async () => {
    const alice = await user('sa');
    await openConversation(alice.page, 'Private', `peer-sa-${RUN}`);
    await send(alice.page, 'counted');
    const page = await admin();
    await page.getByRole('tab', { name: 'Statistics' }).click();
    await send(alice.page, 'counted too');
    await wait(alice.page, 'sent', alice.page.locator('.msg.mine .bubble', { hasText: 'counted too' }).waitFor());
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByRole('tab', { name: 'Statistics' }).click();
    await wait(page, 'raw', page.locator('#stats-raw', { hasText: 'RC:TxtMsg' }).waitFor({ state: 'attached' }));
    const raw = JSON.parse((await page.locator('#stats-raw').textContent()) ?? '{}') as { online: { total: number; byPlatform: Record<string, number> }; messagesTotal: Record<string, number> };
    expect(raw.online.total).toBeGreaterThanOrEqual(1);
    expect(Object.keys(raw.online.byPlatform)).toContain('web');
    expect(raw.messagesTotal['RC:TxtMsg']).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#chart-online h3').textContent()).toContain(`(${raw.online.total})`);
  });

  it('a user blocked in the console is told so in the demo (words, Reconnect offered, composer off); unblocked, Reconnect works', async () => {
    const bob = await user('bb');
    await openConversation(bob.page, 'Private', `peer-bb-${RUN}`);
    const page = await admin();
    expect(await consoleAction(page, 'Users', 'user/block', { userId: bob.id, minute: '10' })).toContain('"code": 200');
    await wait(bob.page, 'blocked shown', bob.page.locator('#status', { hasText: 'this user is blocked' }).waitFor());
    expect(await bob.page.getByRole('textbox', { name: 'Message', exact: true }).isDisabled()).toBe(true);
    expect(await bob.page.getByRole('button', { name: 'Reconnect' }).isVisible()).toBe(true);
    await bob.page.getByRole('button', { name: 'Reconnect' }).click();
    await wait(bob.page, 'still blocked explained', bob.page.locator('#status').filter({ hasNotText: 'connecting' }).waitFor());
    expect(await bob.page.locator('#status').textContent()).not.toContain('connected as');
    expect(await consoleAction(page, 'Users', 'user/unblock', { userId: bob.id })).toContain('"code": 200');
    await bob.page.getByRole('button', { name: 'Reconnect' }).click();
    await wait(bob.page, 'back', bob.page.locator('#status', { hasText: `connected as ${bob.id}` }).waitFor());
    await send(bob.page, 'free again');
    await wait(bob.page, 'sent', bob.page.locator('.msg.mine .bubble', { hasText: 'free again' }).waitFor());
  });
});

describe('console while the server cannot be reached', () => {
  let server: RunningServer | undefined;
  let password = '';

  afterEach(async () => {
    await server?.stop().catch(() => undefined);
    server = undefined;
  });

  /** A server of the test's own (the suite's one must stay up), and its console password. */
  async function ownServer(): Promise<RunningServer> {
    server = await startServer({ devApp: true });
    password = (await server.stderrMatch(/console admin password: (\S+)/))[1] ?? '';
    return server;
  }

  /** The console at `url`, logged in; not tracked: the test checks its page errors and closes it. */
  async function consoleAt(url: string): Promise<Page> {
    const page = await ready().session.newPage();
    await wait(page, 'load the console', page.goto(`${url}/console`));
    await page.getByLabel('Admin password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await wait(page, 'console logged in', page.getByRole('tab', { name: 'Groups' }).waitFor());
    return page;
  }

  it('an action while the server is down answers "server unreachable" under its form and in the status line, nothing uncaught', async () => {
    const own = await ownServer();
    const page = await consoleAt(own.url);
    try {
      await own.stop();
      await page.getByRole('tab', { name: 'Users' }).click();
      const form = page.locator('form[data-path="user/checkOnline"]');
      await form.locator('[name="userId"]').fill('someone');
      await form.getByRole('button').click();
      await wait(page, 'answer shown', form.locator('.action-answer.failed', { hasText: 'server unreachable' }).waitFor());
      expect(await page.locator('#status').textContent()).toBe('user/checkOnline: server unreachable');
      expect(await page.locator('#result').textContent()).toContain('server unreachable');
      // A change of an app says it the same way.
      await page.getByRole('tab', { name: 'Apps' }).click();
      await page.getByLabel('App name').fill('never');
      await page.getByRole('button', { name: 'Create app' }).click();
      await wait(page, 'refusal shown', page.locator('#status', { hasText: 'app not created: server unreachable' }).waitFor());
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await closeQuietly(page);
    }
  });

  it('the login while the server is down says "server unreachable" under the password, nothing uncaught', async () => {
    const own = await ownServer();
    const page = await ready().session.newPage();
    try {
      await wait(page, 'load the console', page.goto(`${own.url}/console`));
      await page.getByLabel('Admin password').waitFor();
      await own.stop();
      await page.getByLabel('Admin password').fill(password);
      await page.getByLabel('Admin password').press('Enter');
      await wait(page, 'error shown', page.locator('#login-error', { hasText: 'server unreachable' }).waitFor());
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await closeQuietly(page);
    }
  });

  it('the Statistics tab left open while the server is down shows one "server unreachable" notice, not an error per refresh', async () => {
    const own = await ownServer();
    const page = await consoleAt(own.url);
    try {
      await page.getByRole('tab', { name: 'Statistics' }).click();
      await wait(page, 'charts', page.locator('#chart-online').waitFor());
      await own.stop();
      const notice = page.locator('#stats-error', { hasText: 'server unreachable' });
      await wait(page, 'notice shown', notice.waitFor());
      await sleep(7000); // two more refresh ticks (every 3 s)
      expect(await page.locator('#panel-stats').getByText('server unreachable').count()).toBe(1);
      expect(await page.locator('#chart-online').count()).toBe(1); // the last charts stay
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await closeQuietly(page);
    }
  });

  it('the Statistics notice goes away and the charts refresh again once the server answers again', async () => {
    const page = await admin();
    await page.getByRole('tab', { name: 'Statistics' }).click();
    await wait(page, 'charts', page.locator('#chart-online').waitFor());
    // The server's answers are lost on the way (as when it is down), then arrive again.
    await page.route('**/console/api/stats', (route) => route.abort());
    await wait(page, 'notice shown', page.locator('#stats-error', { hasText: 'server unreachable' }).waitFor());
    await page.unroute('**/console/api/stats');
    await page.evaluate('document.getElementById("stats-raw").textContent = ""');
    await wait(page, 'refreshed', page.locator('#stats-raw', { hasText: 'online' }).waitFor({ state: 'attached' }));
    expect(await page.locator('#stats-error').textContent()).toBe('');
  });
});
