/**
 * More of the web demo (`/`) and the admin console (`/console`) in REAL headless Chromium against the
 * real server as `npm start` runs it (issue #14): file and image upload with progress (the receiver's
 * download link gives the identical bytes), pin to top and do-not-disturb (kept by the server across a
 * reload), unread badges (from the server after a reload, cleared for good by reading; a message for
 * another conversation raises its badge, not the open chat's), paging back through history with "Load
 * older messages", sensitive words (a blocked word
 * fails the send with the documented 21501 text, a replaced word arrives replaced), the blacklist
 * view (the blocked sender's send fails with 405 REJECTED_BY_BLACKLIST), and app creation in the
 * console (secret shown once, usable at once, rotate, disable). Screenshots go to test-artifacts/.
 * Needs `npm run build`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { consoleAction, openConversation, send, shot, useDemoSuite } from './web-demo-support';

jest.setTimeout(120_000);

/** 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const { run: RUN, ready, user, admin, wait } = useDemoSuite();

const texts = (page: Page): Promise<string[]> => page.locator('#messages .msg .bubble').allTextContents();

/** Reloads the page and connects again as the same user (the server is the source of truth). */
async function reconnect(page: Page, userId: string): Promise<void> {
  await page.reload();
  await page.getByLabel('User ID', { exact: true }).fill(userId);
  await page.getByRole('button', { name: 'Connect' }).click();
  await wait(page, 'reconnected', page.locator('#status', { hasText: `connected as ${userId}` }).waitFor());
}

describe('web demo features in headless Chromium', () => {
  it('file and image upload with progress; the receiver gets a working download link and the image', async () => {
    const alice = await user('fa');
    const bob = await user('fb');
    await openConversation(alice.page, 'Private', bob.id);
    await openConversation(bob.page, 'Private', alice.id);

    const bytes = randomBytes(2 * 1024 * 1024 + 77);
    await alice.page.setInputFiles('#file-input', { name: 'notes.bin', mimeType: 'application/octet-stream', buffer: bytes });
    const link = bob.page.locator('.msg.theirs a', { hasText: 'notes.bin' });
    await wait(bob.page, 'file message received', link.waitFor(), 30_000);
    expect(await link.textContent()).toContain(`(${bytes.length} bytes)`);
    // The progress callbacks the demo drew its <progress> from: monotonic, ending at the total.
    const progress = await alice.page.evaluate<Array<[number, number]>>('window.demoState.uploadProgress');
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i++) expect((progress[i] as [number, number])[0]).toBeGreaterThanOrEqual((progress[i - 1] as [number, number])[0]);
    const [lastLoaded, lastTotal] = progress[progress.length - 1] as [number, number];
    expect(lastLoaded).toBe(lastTotal);
    expect(lastTotal).toBeGreaterThanOrEqual(bytes.length);
    expect(await alice.page.locator('#upload-progress').isHidden()).toBe(true);

    // Bob's link downloads the identical bytes, fetched by his page.
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const digest = await bob.page.evaluate<string, string>(
      async (url) => {
        const response = await fetch(url);
        const hash = await crypto.subtle.digest('SHA-256', await response.arrayBuffer());
        return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('');
      },
      href,
    );
    expect(digest).toBe(createHash('sha256').update(bytes).digest('hex'));

    await alice.page.setInputFiles('#image-input', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    const img = bob.page.locator('.msg.theirs img');
    await wait(bob.page, 'image received', img.waitFor(), 30_000);
    await wait(bob.page, 'image decoded', bob.page.waitForFunction('(() => { const i = document.querySelector(".msg.theirs img"); return i !== null && i.complete && i.naturalWidth > 0; })()'));
    await shot(bob.page, 'demo-file-and-image');
  });

  it('pin to top and do-not-disturb show in the list and survive a reload (kept by the server)', async () => {
    const alice = await user('pa');
    const { devApi } = ready();
    const bob = `pb-${RUN}`;
    const carol = `pc-${RUN}`;
    for (const from of [bob, carol]) {
      const sent = await devApi.post('message/private/publish', { fromUserId: from, toUserId: alice.id, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `hi from ${from}` }) });
      expect(sent.body).toMatchObject({ code: 200 });
    }
    await reconnect(alice.page, alice.id);
    const first = alice.page.locator('#conversations li').first().locator('button');
    // Carol wrote last: she is on top until Bob is pinned.
    await wait(alice.page, 'carol first', first.and(alice.page.locator(`[data-key="1:${carol}"]`)).waitFor());
    await alice.page.locator(`button[data-key="1:${bob}"]`).click();
    await alice.page.locator('#chat-title', { hasText: bob }).waitFor();
    await alice.page.getByRole('button', { name: 'Pin to top' }).click();
    await wait(alice.page, 'pinned', alice.page.locator(`button[data-key="1:${bob}"] .top-marker`).waitFor());
    expect(await alice.page.getByRole('button', { name: 'Pin to top' }).getAttribute('aria-pressed')).toBe('true');
    expect(await first.getAttribute('data-key')).toBe(`1:${bob}`);

    await alice.page.locator(`button[data-key="1:${carol}"]`).click();
    await alice.page.locator('#chat-title', { hasText: carol }).waitFor();
    await alice.page.getByRole('button', { name: 'Do not disturb' }).click();
    await wait(alice.page, 'dnd marker', alice.page.locator(`button[data-key="1:${carol}"] .dnd-marker`).waitFor());
    await shot(alice.page, 'demo-pin-dnd');

    await reconnect(alice.page, alice.id);
    await wait(alice.page, 'pin kept', alice.page.locator(`button[data-key="1:${bob}"] .top-marker`).waitFor());
    await wait(alice.page, 'dnd kept', alice.page.locator(`button[data-key="1:${carol}"] .dnd-marker`).waitFor());
    expect(await alice.page.locator('#conversations li').first().locator('button').getAttribute('data-key')).toBe(`1:${bob}`);
    expect(await alice.page.locator(`button[data-key="1:${bob}"] .dnd-marker`).count()).toBe(0);
    // Un-pinning works too.
    await alice.page.locator(`button[data-key="1:${bob}"]`).click();
    await alice.page.locator('#chat-title', { hasText: bob }).waitFor();
    await wait(alice.page, 'pressed state loaded', alice.page.locator('#toggle-top[aria-pressed="true"]').waitFor());
    await alice.page.getByRole('button', { name: 'Pin to top' }).click();
    await wait(alice.page, 'unpinned', alice.page.locator(`button[data-key="1:${bob}"] .top-marker`).waitFor({ state: 'detached' }));
  });

  it('unread badges come from the server after a reload, and reading a conversation clears them for good', async () => {
    const bob = await user('ub');
    const from = `ua-${RUN}`;
    for (let i = 1; i <= 3; i++) {
      const sent = await ready().devApi.post('message/private/publish', { fromUserId: from, toUserId: bob.id, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `unread ${i}` }) });
      expect(sent.body).toMatchObject({ code: 200 });
    }
    const button = bob.page.locator(`#conversations button[data-key="1:${from}"]`);
    const badge = button.locator('.badge');
    await wait(bob.page, 'badge 3', button.locator('.badge', { hasText: '3' }).waitFor());
    expect(await button.getAttribute('aria-label')).toBe(`Private ${from}, 3 unread`);
    const relogin = async (): Promise<void> => {
      await reconnect(bob.page, bob.id);
      await wait(bob.page, 'listed', button.waitFor());
    };
    await relogin();
    expect(await badge.textContent()).toBe('3');
    await button.click();
    await wait(bob.page, 'history', bob.page.locator('.msg .bubble', { hasText: 'unread 3' }).waitFor());
    await wait(bob.page, 'badge cleared', badge.waitFor({ state: 'detached' }));
    await bob.page.waitForTimeout(500);
    await relogin();
    expect(await badge.count()).toBe(0);
  });

  it('a message arriving for another conversation raises its badge while the open chat keeps its own at zero', async () => {
    const alice = await user('ma');
    const bob = await user('mb');
    const carolId = `mc-${RUN}`;
    await openConversation(bob.page, 'Private', alice.id);
    await openConversation(alice.page, 'Private', bob.id);
    await send(alice.page, 'to the open chat');
    await wait(bob.page, 'received', bob.page.locator('.msg.theirs .bubble', { hasText: 'to the open chat' }).waitFor());
    const sent = await ready().devApi.post('message/private/publish', { fromUserId: carolId, toUserId: bob.id, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'elsewhere' }) });
    expect(sent.body).toMatchObject({ code: 200 });
    await wait(bob.page, 'other badge', bob.page.locator(`#conversations button[data-key="1:${carolId}"] .badge`, { hasText: '1' }).waitFor());
    expect(await bob.page.locator(`#conversations button[data-key="1:${alice.id}"] .badge`).count()).toBe(0);
    expect(await bob.page.locator('#messages .bubble', { hasText: 'elsewhere' }).count()).toBe(0);
  });

  it('"Load older messages" pages back through more than two pages of history', async () => {
    const alice = await user('ha');
    const { devApi } = ready();
    const dave = `hd-${RUN}`;
    const total = 45;
    for (let i = 1; i <= total; i++) {
      const sent = await devApi.post('message/private/publish', { fromUserId: dave, toUserId: alice.id, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `m${String(i).padStart(2, '0')}` }) });
      expect(sent.body).toMatchObject({ code: 200 });
    }
    await openConversation(alice.page, 'Private', dave);
    const older = alice.page.getByRole('button', { name: 'Load older messages' });
    await wait(alice.page, 'first page', alice.page.locator('.msg .bubble', { hasText: 'm45' }).waitFor());
    expect(await texts(alice.page)).toEqual(Array.from({ length: 20 }, (_, i) => `m${String(26 + i).padStart(2, '0')}`));
    expect(await older.isEnabled()).toBe(true);
    await older.click();
    await wait(alice.page, 'second page', alice.page.locator('.msg .bubble', { hasText: 'm06' }).waitFor());
    expect((await texts(alice.page)).length).toBe(40);
    await older.click();
    await wait(alice.page, 'last page', alice.page.locator('.msg .bubble', { hasText: 'm01' }).waitFor());
    expect(await texts(alice.page)).toEqual(Array.from({ length: total }, (_, i) => `m${String(i + 1).padStart(2, '0')}`));
    await wait(alice.page, 'no more history', alice.page.locator('#load-older:disabled').waitFor());
    await shot(alice.page, 'demo-history-paging');
  });

  it('sensitive words set in the console: a blocked word fails the send (21501), a replaced word arrives replaced', async () => {
    const console = await admin();
    const blocked = `blk${RUN}`;
    const replaced = `rpl${RUN}`;
    expect(await consoleAction(console, 'Sensitive words', 'sensitiveword/add', { word: blocked, replaceWord: '' })).toContain('"code": 200');
    expect(await consoleAction(console, 'Sensitive words', 'sensitiveword/add', { word: replaced, replaceWord: '***' })).toContain('"code": 200');
    const alice = await user('sa');
    const bob = await user('sb');
    await openConversation(alice.page, 'Private', bob.id);
    await openConversation(bob.page, 'Private', alice.id);

    await send(alice.page, `you ${blocked} there`);
    await wait(alice.page, 'blocked send', alice.page.locator('#send-error', { hasText: '21501' }).waitFor());
    expect(await alice.page.locator('#send-error').textContent()).toContain('21501 SENSITIVE_SHIELD: 消息包含敏感词');

    await send(alice.page, `oh ${replaced} it`);
    await wait(bob.page, 'replaced text arrives', bob.page.locator('.msg.theirs .bubble', { hasText: 'oh *** it' }).waitFor());
    expect(await bob.page.locator('.msg.theirs .bubble').allTextContents()).toEqual(['oh *** it']);
    await shot(alice.page, 'demo-sensitive-words');
  });

  it('blacklist view: a blacklisted sender gets 405 REJECTED_BY_BLACKLIST until removed', async () => {
    const alice = await user('ba');
    const bob = await user('bb');
    await openConversation(alice.page, 'Private', bob.id);
    await openConversation(bob.page, 'Private', alice.id);

    await bob.page.getByLabel('User ID to block').fill(alice.id);
    await bob.page.getByRole('button', { name: 'Add to blacklist' }).click();
    const entry = bob.page.locator(`#blacklist li[data-user="${alice.id}"]`);
    await wait(bob.page, 'listed', entry.waitFor());
    await send(alice.page, 'can you see this');
    await wait(alice.page, 'blacklisted send fails', alice.page.locator('#send-error', { hasText: '405' }).waitFor());
    expect(await alice.page.locator('#send-error').textContent()).toContain('405 REJECTED_BY_BLACKLIST');
    await shot(bob.page, 'demo-blacklist');

    await bob.page.getByRole('button', { name: `Remove ${alice.id} from the blacklist` }).click();
    await wait(bob.page, 'unlisted', entry.waitFor({ state: 'detached' }));
    await send(alice.page, 'and now?');
    await wait(bob.page, 'delivered after removal', bob.page.locator('.msg.theirs .bubble', { hasText: 'and now?' }).waitFor());
    expect(await bob.page.locator('.msg.theirs .bubble', { hasText: 'can you see this' }).count()).toBe(0);
  });

  it("blacklist view: the login's list answering late does not replace the list after a later add", async () => {
    const alice = await user('la');
    const bob = await user('lb');
    // Bob's next login: its blacklist query runs at once (before the add) but its answer comes 1.5 s late.
    let fetched!: () => void;
    let delivered!: () => void;
    const lateFetched = new Promise<void>((resolve) => (fetched = resolve));
    const lateDelivered = new Promise<void>((resolve) => (delivered = resolve));
    let delayNext = true;
    await bob.page.route('**/demo/api/blacklist', async (route) => {
      if (!delayNext || !(route.request().postData() ?? '').includes('"action":"list"')) return route.continue();
      delayNext = false;
      const response = await route.fetch();
      fetched();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.fulfill({ response });
      delivered();
    });
    await reconnect(bob.page, bob.id);
    await wait(bob.page, "the login's list query ran", lateFetched);
    await bob.page.getByLabel('User ID to block').fill(alice.id);
    await bob.page.getByRole('button', { name: 'Add to blacklist' }).click();
    const entry = bob.page.locator(`#blacklist li[data-user="${alice.id}"]`);
    await wait(bob.page, 'listed', entry.waitFor());
    await wait(bob.page, 'the late answer arrived', lateDelivered);
    await bob.page.waitForTimeout(300);
    expect(await entry.count()).toBe(1);
  });
});

describe('console app management in headless Chromium', () => {
  it('creates an app (secret shown once, usable at once), rotates its secret, disables it; configured apps are read-only', async () => {
    const page = await admin();
    await page.getByRole('tab', { name: 'Apps' }).click();
    const devRow = page.locator(`tr[data-app="${ready().devAppKey}"]`);
    expect(await devRow.textContent()).toContain('read-only');
    expect(await devRow.getByRole('button').count()).toBe(0);

    await page.getByLabel('App name').fill('Browser shop');
    await page.getByLabel('Options (name=value, comma separated)').fill('multiDevice=1,maxGroupMembers=500');
    await page.getByRole('button', { name: 'Create app' }).click();
    const secret = page.locator('#once-app-secret');
    await wait(page, 'secret shown', secret.waitFor());
    const appKey = (await page.locator('#once-app-key').textContent()) ?? '';
    const appSecret = (await secret.textContent()) ?? '';
    expect(appSecret).toMatch(/^[A-Za-z0-9]{24}$/);
    const row = page.locator(`tr[data-app="${appKey}"]`);
    expect(await row.textContent()).toContain('Browser shop');
    expect(await row.textContent()).not.toContain(appSecret);
    expect(await row.textContent()).toContain('"maxGroupMembers":500');
    await shot(page, 'console-app-created');

    // Usable at once: the picker selects it and a Server API call signed with its secret succeeds.
    expect(await page.getByLabel('App', { exact: true }).inputValue()).toBe(appKey);
    expect(await consoleAction(page, 'Users', 'user/getToken', { userId: `cu-${RUN}`, name: 'cu' })).toContain('"code": 200');

    // Reloading the console shows the secret nowhere.
    await page.reload();
    await page.getByRole('tab', { name: 'Apps' }).click();
    await page.locator(`tr[data-app="${appKey}"]`).waitFor();
    expect(await page.content()).not.toContain(appSecret);

    // Per-app options: replaced as a whole, validated by the --app parser, shown in the table.
    await page.getByLabel('Console app').selectOption(appKey);
    expect(await page.getByLabel('Options (replace all; name=value, comma separated)').inputValue()).toBe('maxGroupMembers=500,multiDevice=1');
    await page.getByLabel('Options (replace all; name=value, comma separated)').fill('recallWindowMs=60000');
    await page.getByRole('button', { name: 'Save options' }).click();
    await wait(page, 'options saved', page.locator(`tr[data-app="${appKey}"]`, { hasText: '"recallWindowMs":60000' }).waitFor());
    expect(await page.locator(`tr[data-app="${appKey}"]`).textContent()).toContain('"multiDevice":false');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Rotate the secret of app ${appKey}` }).click();
    await wait(page, 'new secret shown', page.locator('#secret-once', { hasText: 'secret rotated' }).waitFor());
    const rotated = (await page.locator('#once-app-secret').textContent()) ?? '';
    expect(rotated).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(rotated).not.toBe(appSecret);

    await page.getByRole('button', { name: `Disable app ${appKey}` }).click();
    await wait(page, 'disabled', page.locator(`tr[data-app="${appKey}"] .app-state`, { hasText: 'disabled' }).waitFor());
    expect(await page.locator(`#app-key option[value="${appKey}"]`).count()).toBe(0);
    await page.getByRole('button', { name: `Enable app ${appKey}` }).click();
    await wait(page, 'enabled again', page.locator(`tr[data-app="${appKey}"] .app-state`, { hasText: 'enabled' }).waitFor());
    await shot(page, 'console-apps');
  });
});
