/**
 * demo-uniapp/ built for mp-weixin (`uni build -p mp-weixin`), its COMPILED output (app.js,
 * common/vendor.js with uni-app's runtime, Vue and the SDK's uni-app entry, pages/*.js) run in
 * Node on the `wx` simulator through a minimal App/Page/Component host
 * (test/support/host-simulators/component-runtime.ts, wxml-bindings.ts), against the real server. The test acts as
 * the user: it types into inputs and taps buttons through the handlers the compiled WXML binds,
 * and reads what uni-app's runtime rendered with setData. A peer on the Node SDK talks to the demo
 * user: log in, receive with unread counts, open the chat (unread clears), send text and an image,
 * group and chatroom pages.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import path from 'node:path';
import { ConversationType, ImageMessage, TextMessage } from '../../src/index';
import { createWxSimulator, spyUrls, type SimulatedDevice } from '../support/host-simulators';
import { createComponentRuntime, type ComponentPage, type ComponentRuntime } from '../support/host-simulators/component-runtime';
import { bindingOf, dispatch } from '../support/host-simulators/wxml-bindings';
import { serverApi } from '../support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../support/server-launcher';
import { buildDemo } from './demo-uniapp-support';
import { call, newUserId, ok, sdkUser, tokenFor, type SdkUser } from './sdk-api-support';

jest.setTimeout(90_000);

const APP: TestApp = { key: 'lxdemouniapp', secret: 'lxdemouniappsecret', options: { maxSendRate: 1000 } };
// ImageMessage.content: a 1×1 JPEG thumbnail.
const THUMB = '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=';
let out = '';
let server: RunningServer | undefined;
const peers: SdkUser[] = [];
const phones: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const [built, started] = await Promise.all([buildDemo('mp-weixin'), startServer({ apps: [APP] })]);
  out = built;
  server = started;
}, 240_000);
afterAll(async () => {
  for (const peer of peers) await peer.im.disconnect();
  await server?.stop();
});
afterEach(async () => {
  for (const shutdown of phones.splice(0)) await shutdown();
});

function running(): RunningServer {
  if (server === undefined) throw new Error('set-up failed');
  return server;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

const wxmlCache = new Map<string, string>();
function wxmlOf(page: ComponentPage): string {
  let wxml = wxmlCache.get(page.route);
  if (wxml === undefined) {
    wxml = readFileSync(path.join(out, `${page.route}.wxml`), 'utf8');
    wxmlCache.set(page.route, wxml);
  }
  return wxml;
}

/** The user types `value` into the input with class `field` (its `bindinput`). */
function type(page: ComponentPage, field: string, value: string): void {
  dispatch(page, bindingOf(wxmlOf(page), field, 'input'), { type: 'input', detail: { value, cursor: value.length } });
}

/** The user taps the element with class `className` (the `index`-th one if it is repeated). */
function tap(page: ComponentPage, className: string, index = 0): void {
  dispatch(page, bindingOf(wxmlOf(page), className, 'tap'), { type: 'tap', detail: { x: 1, y: 1 } }, index);
}

/** The page's Vue instance state (what its template renders from). */
function vm(page: ComponentPage): Record<string, unknown> {
  const state = page['$vm'];
  if (state === null || typeof state !== 'object') throw new Error(`${page.route} has no Vue instance`);
  return state as Record<string, unknown>;
}

/** The rendered text of the element with class `className` whose content is one `{{key}}`. */
function rendered(page: ComponentPage, className: string): unknown {
  const key = new RegExp(`class="${className}"[^>]*>\\{\\{(\\w+)\\}\\}<`).exec(wxmlOf(page))?.[1];
  if (key === undefined) throw new Error(`no {{…}} in .${className}`);
  return page.data[key];
}

interface Item {
  readonly targetId: string;
  readonly unread: number;
  readonly latest: string;
}
interface Bubble {
  readonly text: string;
  readonly mine: boolean;
  readonly image: string;
}
const items = (list: ComponentPage): Item[] => vm(list)['items'] as Item[];
const bubbles = (page: ComponentPage): Bubble[] => vm(page)['messages'] as Bubble[];

async function nextPage(rt: ComponentRuntime, route: string): Promise<ComponentPage> {
  await waitFor(`page ${route}`, () => rt.stack.at(-1)?.route === route);
  return rt.current();
}


interface Demo {
  readonly rt: ComponentRuntime;
  readonly device: SimulatedDevice;
  readonly urls: string[];
  readonly login: ComponentPage;
  readonly userId: string;
}

/** Launches the compiled demo on a fresh phone (`backgroundCutMs`: how long in the background before its socket is cut). */
function startDemo(backgroundCutMs = 5_000): Demo {
  const { raw, device } = createWxSimulator({ backgroundCutMs });
  const { wx, urls } = spyUrls(raw);
  const rt = createComponentRuntime({ root: out, wx });
  phones.push(async () => {
    // The app's SDK instance (in uni-app's vendor chunk) stops before the phone goes away.
    const { RongIMClient } = rt.require('./common/vendor.js') as { RongIMClient: { getInstance(): { disconnect(): Promise<void> } | undefined } };
    await RongIMClient.getInstance()?.disconnect();
    device.shutdown();
    expect(device.misuse).toEqual([]);
    expect(rt.errors).toEqual([]);
    // Everything the compiled app read from `wx` exists on this host, but for uni-app's own slot
    // ($onErrorHandlers) and a feature test (preloadAssets: it would prefetch an image from DCloud's CDN).
    expect([...rt.missingWx].sort()).toEqual(['$onErrorHandlers', 'preloadAssets']);
  });
  const login = rt.launch();
  expect(login.route).toBe('pages/login/login');
  return { rt, device, urls, login, userId: newUserId('uni') };
}

/** Logs in through the login page: types the fields (the user's token, or `token`) and taps Log in. */
async function logIn(demo: Demo, token?: string): Promise<void> {
  const s = running();
  type(demo.login, 'field-appkey', APP.key);
  type(demo.login, 'field-navi', s.url);
  const t = token ?? (await tokenFor(s, APP, demo.userId));
  type(demo.login, 'field-token', t);
  await waitFor('the typed token', () => vm(demo.login)['token'] === t);
  tap(demo.login, 'btn-login');
}

/** Launches the compiled demo on a fresh phone and logs in as a new user through the login page. */
async function launchDemo(backgroundCutMs?: number): Promise<Demo & { list: ComponentPage }> {
  const demo = startDemo(backgroundCutMs);
  await logIn(demo);
  const list = await nextPage(demo.rt, 'pages/conversations/conversations');
  expect(vm(demo.login)['error']).toBe('');
  expect(demo.device.socketsOpened).toBe(1);
  return { ...demo, list };
}

async function peer(name: string, userId?: string): Promise<SdkUser> {
  const user = await sdkUser(running(), APP, name, userId === undefined ? {} : { userId });
  peers.push(user);
  await user.connect();
  return user;
}

function sendText(from: SdkUser, conversationType: ConversationType, to: string, text: string): Promise<unknown> {
  return ok(call((cb) => from.im.sendMessage(conversationType, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

function download(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      })
      .on('error', reject);
  });
}

test('mp-weixin: log in, receive with unread counts, open the chat (unread clears), send text and an image', async () => {
  const { rt, userId, list, device } = await launchDemo();
  const bob = await peer('bob');
  await sendText(bob, ConversationType.PRIVATE, userId, 'hi from bob');
  await sendText(bob, ConversationType.PRIVATE, userId, 'are you there?');
  await waitFor('two unread from bob', () => items(list).some((i) => i.targetId === bob.userId && i.unread === 2) && vm(list)['total'] === 2);
  expect(items(list).find((i) => i.targetId === bob.userId)?.latest).toBe('are you there?');
  // uni-app's runtime rendered it into the page's data (what WXML shows).
  await waitFor('the rendered total', () => rendered(list, 'total-count') === '2');

  tap(list, 'conversation', items(list).findIndex((i) => i.targetId === bob.userId));
  const chat = await nextPage(rt, 'pages/chat/chat');
  await waitFor('the history', () => bubbles(chat).length === 2);
  expect(bubbles(chat).map((b) => b.text)).toEqual(['hi from bob', 'are you there?']);

  type(chat, 'field-draft', 'hello bob');
  await waitFor('the draft', () => vm(chat)['draft'] === 'hello bob');
  tap(chat, 'btn-send');
  await bob.next((m) => m.content['content'] === 'hello bob');
  await waitFor('my bubble', () => bubbles(chat).at(-1)?.text === 'hello bob' && bubbles(chat).at(-1)?.mine === true);

  // A picked photo: uni.chooseImage (wx.chooseImage) → uni.uploadFile (progress) → ImageMessage.
  const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(120_000)]);
  device.files.set('wxfile://tmp/photo.jpg', photo);
  rt.picks.push('wxfile://tmp/photo.jpg');
  tap(chat, 'btn-image');
  const image = await bob.next((m) => m.objectName === 'RC:ImgMsg');
  expect(vm(chat)['progress']).toBe(100);
  const got = await download(String(image.content['imageUri']));
  expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(photo).digest('hex'));

  // While the chat is open, new messages show up there and never count as unread.
  await sendText(bob, ConversationType.PRIVATE, userId, 'nice photo');
  await waitFor('the reply in the chat', () => bubbles(chat).some((b) => b.text === 'nice photo' && !b.mine));
  await delay(200);

  // Back to the list (its onShow refreshes): everything read.
  rt.back();
  expect(rt.current()).toBe(list);
  await waitFor('all read', () => vm(list)['total'] === 0 && items(list).some((i) => i.targetId === bob.userId && i.unread === 0 && i.latest === 'nice photo'));
  await waitFor('the rendered total', () => rendered(list, 'total-count') === '0');

  // Log out: back on the login page, the socket closed.
  tap(list, 'btn-logout');
  await nextPage(rt, 'pages/login/login');
  await waitFor('the socket closed', () => device.liveSockets === 0);
});

test('mp-weixin: group page (history, live, send); chatroom page joins, talks, leaves', async () => {
  const { rt, userId, list } = await launchDemo();
  const s = running();
  const bob = await peer('bob');
  const groupId = `g${randomBytes(5).toString('hex')}`;
  const created = await serverApi(s.url, APP.key, APP.secret).post<{ code: number }>('group/create', { userId: [userId, bob.userId], groupId, groupName: 'Demo' });
  expect(created.body.code).toBe(200);
  await sendText(bob, ConversationType.GROUP, groupId, 'welcome to the group');
  await waitFor('the group in the list', () => items(list).some((i) => i.targetId === groupId && i.unread === 1));

  type(list, 'field-group', groupId);
  await waitFor('the group id', () => vm(list)['groupId'] === groupId);
  tap(list, 'btn-group');
  const group = await nextPage(rt, 'pages/group/group');
  await waitFor('the group history', () => bubbles(group).length === 1);
  expect(bubbles(group)[0]?.text).toBe('welcome to the group');
  type(group, 'field-draft', 'hello group');
  await waitFor('the draft', () => vm(group)['draft'] === 'hello group');
  tap(group, 'btn-send');
  await bob.next((m) => m.conversationType === ConversationType.GROUP && m.content['content'] === 'hello group');
  await sendText(bob, ConversationType.GROUP, groupId, 'second');
  await waitFor('live group message', () => bubbles(group).some((b) => b.text === 'second'));
  rt.back();

  const chatroomId = `room${randomBytes(4).toString('hex')}`;
  type(list, 'field-chatroom', chatroomId);
  await waitFor('the chatroom id', () => vm(list)['chatroomId'] === chatroomId);
  tap(list, 'btn-chatroom');
  const room = await nextPage(rt, 'pages/chatroom/chatroom');
  // The page joins on load (its `opened` promise); then bob joins and talks.
  await (vm(room)['opened'] as Promise<unknown>);
  expect(vm(room)['error']).toBe('');
  // The member count (getChatRoomInfo), rendered, on join and on Refresh.
  await waitFor('the rendered member count', () => String(rendered(room, 'member-count')) === '1');
  await ok(call((cb) => bob.im.joinChatRoom(chatroomId, 10, cb)), 'bob joins');
  tap(room, 'btn-members');
  await waitFor('the refreshed member count', () => vm(room)['members'] === 2 && String(rendered(room, 'member-count')) === '2');
  await sendText(bob, ConversationType.CHATROOM, chatroomId, 'hello room');
  await waitFor('the room message', () => bubbles(room).some((b) => b.text === 'hello room'));
  type(room, 'field-draft', 'hi all');
  await waitFor('the draft', () => vm(room)['draft'] === 'hi all');
  tap(room, 'btn-send');
  await bob.next((m) => m.conversationType === ConversationType.CHATROOM && m.content['content'] === 'hi all');

  // Leaving the page quits the room: nothing said there afterwards reaches the demo user.
  const heard: unknown[] = [];
  (rt.require('./utils/im') as { on(event: string, fn: (m: unknown) => void): void }).on('message', (m) => heard.push(m));
  rt.back();
  await delay(300);
  await sendText(bob, ConversationType.CHATROOM, chatroomId, 'after you left');
  await delay(500);
  expect(heard).toEqual([]);
});

/** Every event binding of the compiled page WXML outside wx:for resolves to a method of the page. */
function unboundHandlers(page: ComponentPage): string[] {
  const wxml = wxmlOf(page).replace(/<[a-z-]+[^>]*wx:for=[\s\S]*?<\/[a-z-]+>/g, '');
  const bad: string[] = [];
  for (const m of wxml.matchAll(/\sbind([a-z]+)="\{\{(\w+)\}\}"/g)) {
    const name = page.data[m[2] as string];
    if (typeof name !== 'string' || typeof page[name] !== 'function') bad.push(`${page.route}: bind${m[1]}={{${m[2]}}} → ${String(name)}`);
  }
  return bad;
}

test('mp-weixin: a bad token renders a clear error on the login page; a retry with a good token logs in', async () => {
  const demo = startDemo();
  await logIn(demo, 'not-a-real-token');
  await waitFor('the error', () => vm(demo.login)['error'] !== '');
  expect(String(vm(demo.login)['error'])).toMatch(/token/i);
  await waitFor('the rendered error', () => /token/i.test(String(rendered(demo.login, 'error'))));
  expect(demo.rt.current().route).toBe('pages/login/login');
  await logIn(demo);
  const list = await nextPage(demo.rt, 'pages/conversations/conversations');
  const bob = await peer('bob');
  await sendText(bob, ConversationType.PRIVATE, demo.userId, 'after retry');
  await waitFor('unread after retry', () => items(list).some((i) => i.targetId === bob.userId && i.unread === 1));
});

test('mp-weixin: receiving an image shows it (the rendered <image src>) in the chat page; every bound handler exists', async () => {
  const { rt, userId, login, list } = await launchDemo();
  const bob = await peer('bob');
  const url = `${running().url}/some/picture.jpg`;
  await ok(call((cb) => bob.im.sendMessage(ConversationType.PRIVATE, userId, new ImageMessage({ content: THUMB, imageUri: url }), cb)), 'send image');
  await waitFor('image in list', () => items(list).some((i) => i.targetId === bob.userId && i.latest === '[image]' && i.unread === 1));
  tap(list, 'conversation', items(list).findIndex((i) => i.targetId === bob.userId));
  const chat = await nextPage(rt, 'pages/chat/chat');
  await waitFor('history image', () => bubbles(chat).some((b) => b.image === url && !b.mine));
  await ok(call((cb) => bob.im.sendMessage(ConversationType.PRIVATE, userId, new ImageMessage({ content: THUMB, imageUri: `${url}?2` }), cb)), 'send image 2');
  await waitFor('live image', () => bubbles(chat).some((b) => b.image === `${url}?2`));
  expect([...unboundHandlers(login), ...unboundHandlers(list), ...unboundHandlers(chat)]).toEqual([]);
  // the compiled WXML's <image src="{{m.d}}"> inside wx:for="{{a}}"
  await waitFor('rendered image src', () => ((chat.data['a'] as Array<Record<string, unknown>> | undefined) ?? []).some((m) => m['d'] === `${url}?2`));
});

test('mp-weixin: background → socket cut → foreground, then network loss: reconnects, the list is live again; only the configured server is reached', async () => {
  const { device, urls, userId, list } = await launchDemo(300);
  const bob = await peer('bob');
  device.hide();
  await delay(800);
  await sendText(bob, ConversationType.PRIVATE, userId, 'while hidden');
  device.show();
  await waitFor('offline message after foreground', () => items(list).some((i) => i.targetId === bob.userId && i.unread === 1 && i.latest === 'while hidden'), 15_000);
  device.goOffline();
  await delay(500);
  await sendText(bob, ConversationType.PRIVATE, userId, 'while offline');
  device.goOnline();
  await waitFor('after network back', () => items(list).some((i) => i.targetId === bob.userId && i.unread === 2 && i.latest === 'while offline'), 15_000);
  await waitFor('the rendered total', () => String(rendered(list, 'total-count')) === '2');
  expect(device.liveSockets).toBe(1);
  const origin = new URL(running().url);
  expect(urls.length).toBeGreaterThan(0);
  expect(urls.filter((u) => new URL(u).host !== origin.host)).toEqual([]);
});

test('mp-weixin: log out, log in as another user on the same phone: a clean list, live messages for the new user only', async () => {
  const { rt, device, userId, list } = await launchDemo();
  const bob = await peer('bob');
  await sendText(bob, ConversationType.PRIVATE, userId, 'for the first user');
  await waitFor('unread for A', () => items(list).some((i) => i.targetId === bob.userId && i.unread === 1));
  tap(list, 'btn-logout');
  const login = await nextPage(rt, 'pages/login/login');
  await waitFor('the socket closed', () => device.liveSockets === 0);
  expect(vm(login)['error']).toBe('');
  const second = newUserId('second');
  const token = await tokenFor(running(), APP, second);
  type(login, 'field-token', token);
  await waitFor('typed', () => vm(login)['token'] === token);
  tap(login, 'btn-login');
  const list2 = await nextPage(rt, 'pages/conversations/conversations');
  await delay(800);
  expect(items(list2)).toEqual([]);
  expect(vm(list2)['total']).toBe(0);
  await sendText(bob, ConversationType.PRIVATE, second, 'for the second user');
  await waitFor('unread for B', () => items(list2).some((i) => i.targetId === bob.userId && i.unread === 1 && i.latest === 'for the second user'));
  expect(device.liveSockets).toBe(1);
});

test('mp-weixin: kicked (the same user logs in elsewhere): back on the login page, which renders why; the other device keeps its session', async () => {
  const { rt, device, userId } = await launchDemo();
  const other = await peer('same', userId);
  await waitFor('the login page', () => rt.stack.length === 1 && rt.current().route === 'pages/login/login');
  const login = rt.current();
  await waitFor('the rendered notice', () => /signed in elsewhere/i.test(String(rendered(login, 'error'))));
  await delay(2000);
  expect(other.statuses.filter((s) => s === 6)).toEqual([]);
  expect(device.socketsOpened).toBe(1);
});
