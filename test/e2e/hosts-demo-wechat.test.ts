/**
 * demo-wechat/ end to end: its App/Page logic runs in Node on the `wx` simulator through a minimal
 * App/Page host (test/support/host-simulators/mini-program-runtime.ts), with `require('lianxin')`
 * resolved to the built mini-program bundle as WeChat's "Build npm" would, against the real server.
 * A peer on the Node SDK talks to the demo user: log in, receive, unread counts change and clear,
 * send text and an image (wx.chooseMedia → wx.uploadFile), group and chatroom pages.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import path from 'node:path';
import { ConversationType, TextMessage } from '../../src/index';
import { ensureBuilt, REPO_ROOT } from '../support/dist';
import { createWxSimulator } from '../support/host-simulators';
import { createMiniProgramRuntime, type MiniProgramRuntime, type PageInstance } from '../support/host-simulators/mini-program-runtime';
import { serverApi } from '../support/server-api-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, newUserId, ok, sdkUser, tokenFor, type SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxdemowechat', secret: 'lxdemowechatsecret', options: { maxSendRate: 1000 } };
const BUNDLE = 'dist/miniprogram/index.js';
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

/** Launches the demo on a fresh phone and logs in as a new user; returns the conversation list page. */
async function launchDemo(): Promise<{ rt: MiniProgramRuntime; userId: string; list: PageInstance; files: Map<string, Uint8Array> }> {
  const { raw, device } = createWxSimulator();
  const rt = createMiniProgramRuntime({ root: path.join(REPO_ROOT, 'demo-wechat', 'miniprogram'), packages: { lianxin: path.join(REPO_ROOT, BUNDLE) }, wx: raw });
  runtimes.push({
    rt,
    // The demo's own logout, so its SDK instance stops before the phone goes away.
    shutdown: async () => {
      await (rt.require('./utils/im') as { logout(): Promise<void> }).logout();
      device.shutdown();
      expect(device.misuse).toEqual([]);
    },
  });
  const userId = newUserId('demo');
  const login = rt.launch();
  expect(login.route).toBe('pages/login/login');
  typeInto(login, 'appKey', APP.key);
  typeInto(login, 'navi', server.url);
  typeInto(login, 'token', await tokenFor(server, APP, userId));
  await method(login, 'login')();
  expect(login.data['error']).toBe('');
  const list = rt.current();
  expect(list.route).toBe('pages/conversations/conversations');
  expect(device.socketsOpened).toBe(1);
  return { rt, userId, list, files: device.files };
}

async function peer(name: string): Promise<SdkUser> {
  const user = await sdkUser(server, APP, name);
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
  await ok(call((cb) => bob.im.joinChatRoom(chatroomId, 10, cb)), 'bob joins');
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
