/**
 * demo-wechat/ end to end: its App/Page logic runs in Node on the `wx` simulator through a minimal
 * App/Page host (test/support/host-simulators/mini-program-runtime.ts), with `require('lianxin')`
 * resolved to the built mini-program bundle as WeChat's "Build npm" would, against the real server.
 * A peer on the Node SDK talks to the demo user: log in, receive, unread counts change and clear,
 * send text and an image (wx.chooseMedia → wx.uploadFile), group and chatroom pages.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import * as http from 'node:http';
import path from 'node:path';
import { ConversationType, ImageMessage, TextMessage } from '../../src/index';
import { ensureBuilt, REPO_ROOT } from '../support/dist';
import { createWxSimulator, spyUrls, type SimulatedDevice } from '../support/host-simulators';
import { createMiniProgramRuntime, type MiniProgramRuntime, type PageInstance } from '../support/host-simulators/mini-program-runtime';
import { serverApi } from '../support/server-api-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, newUserId, ok, sdkUser, tokenFor, type SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxdemowechat', secret: 'lxdemowechatsecret', options: { maxSendRate: 1000 } };
const BUNDLE = 'dist/miniprogram/index.js';
const WECHAT_ROOT = path.join(REPO_ROOT, 'demo-wechat', 'miniprogram');
// ImageMessage.content: a 1×1 JPEG thumbnail.
const THUMB = '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=';
let server: RunningServer;
const peers: SdkUser[] = [];
const runtimes: Array<{ rt: MiniProgramRuntime; shutdown: () => Promise<void> }> = [];

beforeAll(async () => {
  ensureBuilt([BUNDLE]);
  server = await startServer({ apps: [APP] });
}, 300_000);
afterAll(async () => {
  for (const peer of peers) await peer.im.disconnect();
  await server?.stop();
});
afterEach(async () => {
  for (const { shutdown } of runtimes.splice(0)) await shutdown();
});

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

function method(page: PageInstance, name: string): (...args: unknown[]) => Promise<unknown> {
  const fn = page[name];
  if (typeof fn !== 'function') throw new Error(`${page.route} has no ${name}()`);
  return (...args) => Promise.resolve((fn as (...a: unknown[]) => unknown).apply(page, args));
}

function typeInto(page: PageInstance, field: string, value: string): void {
  void method(page, 'onInput')({ currentTarget: { dataset: { field } }, detail: { value } });
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


interface Demo {
  readonly rt: MiniProgramRuntime;
  readonly device: SimulatedDevice;
  readonly urls: string[];
  readonly login: PageInstance;
  readonly userId: string;
}

/** Launches the demo on a fresh phone (`backgroundCutMs`: how long in the background before its socket is cut). */
function startDemo(backgroundCutMs = 5_000): Demo {
  const { raw, device } = createWxSimulator({ backgroundCutMs });
  const { wx, urls } = spyUrls(raw);
  const rt = createMiniProgramRuntime({ root: WECHAT_ROOT, packages: { lianxin: path.join(REPO_ROOT, BUNDLE) }, wx });
  runtimes.push({
    rt,
    // The demo's own logout, so its SDK instance stops before the phone goes away.
    shutdown: async () => {
      await (rt.require('./utils/im') as { logout(): Promise<void> }).logout();
      device.shutdown();
      expect(device.misuse).toEqual([]);
    },
  });
  const login = rt.launch();
  expect(login.route).toBe('pages/login/login');
  return { rt, device, urls, login, userId: newUserId('demo') };
}

/** Logs in through the login page (with the user's token, or `token`); resolves with the page shown then. */
async function logIn(demo: Demo, token?: string): Promise<PageInstance> {
  typeInto(demo.login, 'appKey', APP.key);
  typeInto(demo.login, 'navi', server.url);
  typeInto(demo.login, 'token', token ?? (await tokenFor(server, APP, demo.userId)));
  await method(demo.login, 'login')();
  return demo.rt.current();
}

/** Launches the demo on a fresh phone and logs in as a new user; returns the conversation list page. */
async function launchDemo(backgroundCutMs?: number): Promise<Demo & { list: PageInstance; files: Map<string, Uint8Array> }> {
  const demo = startDemo(backgroundCutMs);
  const list = await logIn(demo);
  expect(demo.login.data['error']).toBe('');
  expect(list.route).toBe('pages/conversations/conversations');
  expect(demo.device.socketsOpened).toBe(1);
  return { ...demo, list, files: demo.device.files };
}

async function peer(name: string, userId?: string): Promise<SdkUser> {
  const user = await sdkUser(server, APP, name, userId === undefined ? {} : { userId });
  peers.push(user);
  await user.connect();
  return user;
}

function sendText(from: SdkUser, type: ConversationType, to: string, text: string): Promise<unknown> {
  return ok(call((cb) => from.im.sendMessage(type, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

function download(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}

const items = (list: PageInstance): Item[] => list.data['items'] as Item[];
const bubbles = (page: PageInstance): Bubble[] => page.data['messages'] as Bubble[];

test('log in, receive with unread counts, open the chat (unread clears), send text and an image', async () => {
  const { rt, userId, list, files } = await launchDemo();
  const bob = await peer('bob');
  await sendText(bob, ConversationType.PRIVATE, userId, 'hi from bob');
  await sendText(bob, ConversationType.PRIVATE, userId, 'are you there?');
  await waitFor('two unread from bob', () => items(list).some((i) => i.targetId === bob.userId && i.unread === 2) && list.data['total'] === 2);
  expect(items(list).find((i) => i.targetId === bob.userId)?.latest).toBe('are you there?');

  await method(list, 'open')({ currentTarget: { dataset: { type: ConversationType.PRIVATE, targetId: bob.userId } } });
  const chat = rt.current();
  expect(chat.route).toBe('pages/chat/chat');
  await chat.loaded;
  expect(bubbles(chat).map((b) => b.text)).toEqual(['hi from bob', 'are you there?']);

  void method(chat, 'onDraft')({ detail: { value: 'hello bob' } });
  await method(chat, 'send')();
  await bob.next((m) => m.content['content'] === 'hello bob');
  expect(bubbles(chat).at(-1)).toMatchObject({ text: 'hello bob', mine: true });

  // A picked photo: wx.chooseMedia → wx.uploadFile (progress) → ImageMessage with the file's URL.
  const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(120_000)]);
  files.set('wxfile://tmp/photo.jpg', photo);
  rt.picks.push('wxfile://tmp/photo.jpg');
  await method(chat, 'chooseImage')();
  expect(chat.data['progress']).toBe(100);
  const image = await bob.next((m) => m.objectName === 'RC:ImgMsg');
  const got = await download(String(image.content['imageUri']));
  expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(photo).digest('hex'));

  // While the chat is open, new messages show up there and never count as unread.
  await sendText(bob, ConversationType.PRIVATE, userId, 'nice photo');
  await waitFor('the reply in the chat', () => bubbles(chat).some((b) => b.text === 'nice photo' && !b.mine));
  await delay(200);

  // Back to the list (its onShow refreshes): everything read.
  rt.back();
  expect(rt.current()).toBe(list);
  await waitFor('all read', () => list.data['total'] === 0 && items(list).some((i) => i.targetId === bob.userId && i.unread === 0 && i.latest === 'nice photo'));
});

test('group page: history and live group messages, sending to the group; chatroom page joins, talks, leaves', async () => {
  const { rt, userId, list } = await launchDemo();
  const bob = await peer('bob');
  const groupId = `g${randomBytes(5).toString('hex')}`;
  const created = await serverApi(server.url, APP.key, APP.secret).post<{ code: number }>('group/create', { userId: [userId, bob.userId], groupId, groupName: 'Demo' });
  expect(created.body.code).toBe(200);
  await sendText(bob, ConversationType.GROUP, groupId, 'welcome to the group');
  await waitFor('the group in the list', () => items(list).some((i) => i.targetId === groupId && i.unread === 1));

  typeInto(list, 'groupId', groupId);
  await method(list, 'openGroup')();
  const group = rt.current();
  expect(group.route).toBe('pages/group/group');
  await group.loaded;
  expect(bubbles(group).map((b) => b.text)).toEqual(['welcome to the group']);
  void method(group, 'onDraft')({ detail: { value: 'hello group' } });
  await method(group, 'send')();
  await bob.next((m) => m.conversationType === ConversationType.GROUP && m.content['content'] === 'hello group');
  await sendText(bob, ConversationType.GROUP, groupId, 'second');
  await waitFor('live group message', () => bubbles(group).some((b) => b.text === 'second'));

  const chatroomId = `room${randomBytes(4).toString('hex')}`;
  typeInto(list, 'chatroomId', chatroomId);
  await method(list, 'openChatroom')();
  const room = rt.current();
  expect(room.route).toBe('pages/chatroom/chatroom');
  await room.loaded;
  expect(room.data['members']).toBe(1); // shown on join (getChatRoomInfo)
  await ok(call((cb) => bob.im.joinChatRoom(chatroomId, 10, cb)), 'bob joins');
  await method(room, 'refreshMembers')();
  expect(room.data['members']).toBe(2);
  await sendText(bob, ConversationType.CHATROOM, chatroomId, 'hello room');
  await waitFor('the room message', () => bubbles(room).some((b) => b.text === 'hello room'));
  void method(room, 'onDraft')({ detail: { value: 'hi all' } });
  await method(room, 'send')();
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

test('a bad token: the login page says so and stays; then a good token logs in', async () => {
  const demo = startDemo();
  const page = await logIn(demo, 'not-a-real-token');
  expect(page.route).toBe('pages/login/login');
  expect(String(demo.login.data['error'])).toMatch(/token/i);
  expect(demo.login.data['busy']).toBe(false);
  const list = await logIn(demo);
  expect(demo.login.data['error']).toBe('');
  expect(list.route).toBe('pages/conversations/conversations');
  await list.loaded;
  const bob = await peer('bob');
  await sendText(bob, ConversationType.PRIVATE, demo.userId, 'after retry');
  await waitFor('unread after retry', () => items(list).some((i) => i.targetId === bob.userId && i.unread === 1));
});

test('receiving an image shows it in the chat page; the list preview says [image]', async () => {
  const { rt, userId, list } = await launchDemo();
  await list.loaded;
  const bob = await peer('bob');
  const url = `${server.url}/some/picture.jpg`;
  await ok(call((cb) => bob.im.sendMessage(ConversationType.PRIVATE, userId, new ImageMessage({ content: THUMB, imageUri: url }), cb)), 'send image');
  await waitFor('image in list', () => items(list).some((i) => i.targetId === bob.userId && i.latest === '[image]' && i.unread === 1));
  await method(list, 'open')({ currentTarget: { dataset: { type: ConversationType.PRIVATE, targetId: bob.userId } } });
  const chat = rt.current();
  await chat.loaded;
  expect(bubbles(chat)).toEqual([expect.objectContaining({ image: url, mine: false })]);
  await ok(call((cb) => bob.im.sendMessage(ConversationType.PRIVATE, userId, new ImageMessage({ content: THUMB, imageUri: `${url}?2` }), cb)), 'send image 2');
  await waitFor('live image', () => bubbles(chat).some((b) => b.image === `${url}?2` && !b.mine));
});

test('background → socket cut → foreground, then network loss: reconnects, the list updates live again; only the configured server is reached', async () => {
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
  await waitFor('offline message after network back', () => items(list).some((i) => i.targetId === bob.userId && i.unread === 2 && i.latest === 'while offline'), 15_000);
  await sendText(bob, ConversationType.PRIVATE, userId, 'live again');
  await waitFor('live', () => items(list).some((i) => i.unread === 3 && i.latest === 'live again'));
  expect(device.liveSockets).toBe(1);
  const origin = new URL(server.url);
  expect(urls.length).toBeGreaterThan(0);
  expect(urls.filter((u) => new URL(u).host !== origin.host)).toEqual([]);
});

test('kicked (the same user logs in elsewhere: statuses 2 then 6): back on the login page, which says why; the other device keeps its session', async () => {
  const { rt, device, userId, list } = await launchDemo();
  const statuses: unknown[] = [];
  (rt.require('./utils/im') as { on(e: string, fn: (s: unknown) => void): void }).on('status', (s) => statuses.push(s));
  // The kick while a chat is open: every page closes.
  await method(list, 'open')({ currentTarget: { dataset: { type: ConversationType.PRIVATE, targetId: 'someone' } } });
  await rt.current().loaded;
  const other = await peer('same', userId);
  await waitFor('the kick', () => statuses.includes(6));
  expect(statuses.slice(-2)).toEqual([2, 6]);
  await waitFor('the login page', () => rt.current().route === 'pages/login/login');
  expect(rt.stack.map((p) => p.route)).toEqual(['pages/login/login']);
  expect(String(rt.current().data['error'])).toMatch(/signed in elsewhere/i);
  await delay(2000);
  // The demo does not reconnect (and kick the other device back).
  expect(other.statuses.filter((s) => s === 6)).toEqual([]);
  expect(device.socketsOpened).toBe(1);
  // Logging in again works, and the notice is gone.
  const again = rt.current();
  typeInto(again, 'token', await tokenFor(server, APP, newUserId('again')));
  await method(again, 'login')();
  expect(rt.current().route).toBe('pages/conversations/conversations');
  expect(again.data['error']).toBe('');
});

test('log out from the list: back on the login page, the socket closed; no notice', async () => {
  const { rt, device, list } = await launchDemo();
  await method(list, 'logout')();
  await waitFor('the login page', () => rt.current().route === 'pages/login/login');
  expect(rt.stack).toHaveLength(1);
  await waitFor('the socket closed', () => device.liveSockets === 0);
  expect(rt.current().data['error']).toBe('');
});

test('a list refresh that fails (the connection dropped) shows the error instead of rejecting', async () => {
  const { rt, list } = await launchDemo();
  await list.loaded;
  await (rt.require('./utils/im') as { logout(): Promise<void> }).logout();
  await expect(method(list, 'refresh')()).resolves.toBeUndefined();
  expect(String(list.data['error'])).not.toBe('');
});

test('WXML ↔ Page: every bound handler exists and every data field the logic sets is rendered (upload progress on the chat, group and chatroom pages)', () => {
  const problems: string[] = [];
  const pagesDir = path.join(WECHAT_ROOT, 'pages');
  const shared = readFileSync(path.join(WECHAT_ROOT, 'utils', 'chat-page.js'), 'utf8');
  for (const name of readdirSync(pagesDir)) {
    const route = `pages/${name}/${name}`;
    const wxml = readFileSync(path.join(pagesDir, name, `${name}.wxml`), 'utf8');
    const own = readFileSync(path.join(pagesDir, name, `${name}.js`), 'utf8');
    // A page built with chatPage() has the shared logic plus its own additions.
    const src = /chatPage\(/.test(own) ? `${shared}\n${own}` : own;
    for (const m of wxml.matchAll(/\s(?:bind|catch):?[a-z]+="(\w+)"/g)) {
      if (!new RegExp(`\\n\\s+${m[1]}\\(`).test(src)) problems.push(`${route}: handler ${m[1]} is not a page method`);
    }
    const rendered = new Set([...wxml.matchAll(/\{\{([^}]*)\}\}/g)].flatMap((m) => (m[1] ?? '').match(/[A-Za-z_]\w*/g) ?? []));
    const keys = new Set<string>();
    for (const m of src.matchAll(/data:\s*(?:Object\.assign\(\{\}, page\.data, )?\{([^}]*)\}/g)) for (const k of (m[1] ?? '').matchAll(/(\w+):/g)) keys.add(k[1] as string);
    // kept for the page's own logic or shown in the navigation bar title / typed into inputs
    for (const k of ['type', 'targetId', 'groupId', 'chatroomId']) keys.delete(k);
    for (const k of keys) if (!rendered.has(k)) problems.push(`${route}: data.${k} is set by the page logic but no WXML binding renders it`);
  }
  expect(problems).toEqual([]);
});
