/**
 * demo-uniapp/ built for H5 (`uni build`), served from 127.0.0.1 and driven in REAL headless
 * Chromium against the real server: two browser profiles log in as two users through the login
 * page (one types the fields, one gets them in the URL), one opens a chat and sends text, the other sees the conversation with its unread badge and
 * total, opens it (unread clears) and answers. Every request that is not to 127.0.0.1 is blocked
 * and must not be needed. The build runs first (about 10–30 s, no network).
 */
import type { Page } from 'playwright-core';
import { bounded, launchChromium, startStaticServer, type ChromiumSession, type StaticServer } from '../support/chromium';
import { startServer, type RunningServer, type TestApp } from '../support/server-launcher';
import { buildDemo } from './demo-uniapp-support';
import { ConversationType, ImageMessage } from '../../src/index';
import { call, newUserId, ok, sdkUser, tokenFor, type SdkUser } from './sdk-api-support';

jest.setTimeout(90_000);

const APP: TestApp = { key: 'lxdemouniweb', secret: 'lxdemouniwebsecret', options: { maxSendRate: 1000 } };
let server: RunningServer | undefined;
let session: ChromiumSession | undefined;
let site: StaticServer | undefined;
/** Requests the pages tried to make off the machine (blocked). */
const blocked: string[] = [];
const peers: SdkUser[] = [];

beforeAll(async () => {
  const results = await Promise.allSettled([
    buildDemo('h5').then(async (out) => (site = await startStaticServer({ '/': out }))),
    startServer({ apps: [APP] }).then((s) => (server = s)),
    launchChromium().then((s) => (session = s)),
  ]);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}, 240_000);

afterAll(async () => {
  for (const peer of peers) await peer.im.disconnect();
  await session?.close();
  await site?.close();
  await server?.stop();
});

function ready(): { server: RunningServer; session: ChromiumSession; site: StaticServer } {
  if (server === undefined || session === undefined || site === undefined) throw new Error('set-up failed');
  return { server, session, site };
}

function isLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * A fresh browser profile on the demo, logged in as `userId` through its login page: the fields
 * typed in, or (`preset`) handed over in the page URL's query, as a link from an app server would.
 */
async function openDemo(userId: string, how: 'typed' | 'preset'): Promise<Page> {
  const { server: s, session: chromium, site: web } = ready();
  const page = await chromium.newPage();
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const token = await tokenFor(s, APP, userId);
  if (how === 'typed') {
    await bounded(chromium, page, 'load the demo', page.goto(web.url('/index.html#/pages/login/login')));
    await page.locator('.field-appkey input').fill(APP.key);
    await page.locator('.field-navi input').fill(s.url);
    await page.locator('.field-token input').fill(token);
  } else {
    const query = new URLSearchParams({ appKey: APP.key, navi: s.url, token }).toString();
    await bounded(chromium, page, 'load the demo', page.goto(web.url(`/index.html#/pages/login/login?${query}`)));
    const shown = `document.querySelector('.field-token input')?.value === ${JSON.stringify(token)}`;
    await bounded(chromium, page, 'the preset token', page.waitForFunction(shown));
  }
  await page.locator('.btn-login').click();
  await bounded(chromium, page, `${userId} logs in`, page.locator('.total-count').waitFor());
  return page;
}

async function send(page: Page, text: string): Promise<void> {
  await page.locator('.field-draft input').fill(text);
  await page.locator('.btn-send').click();
  await bounded(ready().session, page, `"${text}" shows as mine`, page.locator('.bubble.mine', { hasText: text }).waitFor());
}

test('H5: two users log in, one sends text, the other receives it with unread counts that clear on open', async () => {
  const chromium = ready().session;
  const aliceId = newUserId('alice');
  const bobId = newUserId('bob');
  const [alice, bob] = await Promise.all([openDemo(aliceId, 'typed'), openDemo(bobId, 'preset')]);
  await bounded(chromium, bob, 'nothing unread yet', bob.locator('.total-count', { hasText: /^0$/ }).waitFor());

  // Alice opens a chat with Bob by his user id and writes twice.
  await alice.locator('.field-peer input').fill(bobId);
  await alice.locator('.btn-chat').click();
  await bounded(chromium, alice, 'the chat page', alice.locator('.field-draft').waitFor());
  await send(alice, 'hello bob');
  await send(alice, 'are you there?');

  // Bob's list: the conversation with Alice, 2 unread, the latest text; the total follows.
  const row = bob.locator('.conversation', { hasText: aliceId });
  await bounded(chromium, bob, 'two unread from alice', row.locator('.badge', { hasText: /^2$/ }).waitFor());
  await bounded(chromium, bob, 'the total', bob.locator('.total-count', { hasText: /^2$/ }).waitFor());
  await bounded(chromium, bob, 'the latest text', row.locator('.latest', { hasText: 'are you there?' }).waitFor());

  // Bob opens it: history shows, unread clears; his answer reaches Alice's open chat.
  await row.click();
  await bounded(chromium, bob, 'the history', bob.locator('.bubble.theirs', { hasText: 'are you there?' }).waitFor());
  expect(await bob.locator('.bubble.theirs .text').allTextContents()).toEqual(['hello bob', 'are you there?']);
  await send(bob, 'yes, hi alice');
  await bounded(chromium, alice, 'the answer', alice.locator('.bubble.theirs', { hasText: 'yes, hi alice' }).waitFor());

  await bob.goBack();
  await bounded(chromium, bob, 'all read', bob.locator('.total-count', { hasText: /^0$/ }).waitFor());
  await bounded(chromium, bob, 'no badge', row.locator('.latest', { hasText: 'yes, hi alice' }).waitFor());
  expect(await row.locator('.badge').count()).toBe(0);

  // What the pages tried to fetch off the machine was uni-app's own (a CSS shadow image on
  // cdn.dcloud.net.cn, the face-verification script the full H5 API bundle preloads), blocked and not
  // needed; the SDK never reached for RongCloud's hosts.
  expect(blocked.filter((url) => /ronghub|rongcloud|rongcfg|rong-edge/i.test(url))).toEqual([]);
});

test('H5: a bad token shows a clear error on the login page', async () => {
  const { server: s, session: chromium, site: web } = ready();
  const page = await chromium.newPage();
  const query = new URLSearchParams({ appKey: APP.key, navi: s.url, token: 'not-a-real-token' }).toString();
  await bounded(chromium, page, 'load the demo', page.goto(web.url(`/index.html#/pages/login/login?${query}`)));
  await bounded(chromium, page, 'the preset token', page.waitForFunction(`document.querySelector('.field-token input')?.value === 'not-a-real-token'`));
  await page.locator('.btn-login').click();
  await bounded(chromium, page, 'the error', page.locator('.error', { hasText: /token/i }).waitFor());
  expect(page.url()).toContain('pages/login/login');
  await page.close();
});

test('H5: receiving an image shows it in the chat page', async () => {
  const chromium = ready().session;
  const userId = newUserId('h5img');
  const page = await openDemo(userId, 'preset');
  const bob = await sdkUser(ready().server, APP, 'bob');
  peers.push(bob);
  await bob.connect();
  const url = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  const thumb = '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=';
  await ok(call((cb) => bob.im.sendMessage(ConversationType.PRIVATE, userId, new ImageMessage({ content: thumb, imageUri: url }), cb)), 'send image');
  const row = page.locator('.conversation', { hasText: bob.userId });
  await bounded(chromium, page, 'the badge', row.locator('.badge', { hasText: /^1$/ }).waitFor());
  await row.click();
  await bounded(chromium, page, 'the image bubble', page.locator('.bubble.theirs .image').waitFor());
  expect(await page.locator('.bubble.theirs .image').first().evaluate((el) => el.outerHTML)).toContain(url);
  await page.close();
});

test('H5: kicked (the same user logs in elsewhere): back on the login page, which says why', async () => {
  const chromium = ready().session;
  const userId = newUserId('h5kick');
  const page = await openDemo(userId, 'preset');
  const other = await sdkUser(ready().server, APP, 'same', { userId });
  peers.push(other);
  await other.connect();
  await bounded(chromium, page, 'the notice', page.locator('.error', { hasText: /signed in elsewhere/i }).waitFor());
  // The login page (uni.reLaunch to the first page: the hash is #/), the list gone.
  expect(await page.locator('.btn-login').count()).toBe(1);
  expect(await page.locator('.total-count').count()).toBe(0);
  await page.close();
});
