/**
 * Several devices of one user with our SDK (issue #7, app option `multiDevice`): every device sees the user's
 * own sent messages, recalls, remote deletes and read/clear state (read state: sdk-unread-sync.test.ts, tags
 * and top/DND: sdk-tags.test.ts); without the option a new login kicks the previous one
 * (KICKED_OFFLINE_BY_OTHER_CLIENT).
 */
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { ConnectionStatus, ConversationType, MessageDirection, TextMessage } from '../../src/index';
import type { Message } from '../../src/index';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, ok, sdkUser } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

const MULTI: TestApp = { key: 'lxmdapp', secret: 'lxmdsecret', options: { multiDevice: true, maxSendRate: 1000 } };
const SINGLE: TestApp = { key: 'lxsdapp', secret: 'lxsdsecret', options: { multiDevice: false, maxSendRate: 1000 } };
const PRIVATE = ConversationType.PRIVATE;
let server: RunningServer;
const users: SdkUser[] = [];

jest.setTimeout(60_000);

beforeAll(async () => {
  server = await startServer({ apps: [MULTI, SINGLE] });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
});

async function online(name: string, app: TestApp = MULTI, options: Parameters<typeof sdkUser>[3] = {}): Promise<SdkUser> {
  const user = await sdkUser(server, app, name, options);
  users.push(user);
  expect(await user.connect()).toBe(user.userId);
  return user;
}

function send(from: SdkUser, to: string, text: string): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(PRIVATE, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

async function history(user: SdkUser, targetId: string): Promise<unknown[]> {
  const list = await ok(call<Message[]>((cb) => user.im.getHistoryMessages(PRIVATE, targetId, 0, 20, cb)), 'history');
  return list.map((m) => m.content['content']);
}

test('several sessions of one user: own messages, recalls and remote deletes reach every device', async () => {
  const web = await online('alice');
  const pc = await online('alice', MULTI, { userId: web.userId, token: web.token, storage: createMemoryStorage() });
  const bob = await online('bob');
  const m1 = await send(web, bob.userId, 'from the web');
  const m2 = await send(web, bob.userId, 'second');
  const atPc = await pc.next((m) => m.messageUId === m1.messageUId);
  expect(atPc).toMatchObject({ messageDirection: MessageDirection.SEND, senderUserId: web.userId, targetId: bob.userId, content: { content: 'from the web' } });
  await pc.next((m) => m.messageUId === m2.messageUId);

  // A device that was offline gets them from its sendbox on connect, once.
  const phone = await online('alice', MULTI, { userId: web.userId, token: web.token, storage: createMemoryStorage() });
  await phone.next((m) => m.messageUId === m2.messageUId);
  expect(phone.received.filter((r) => r.message.messageUId === m1.messageUId)).toHaveLength(1);

  // A recall on one device reaches the others (and the peer).
  await ok(call((cb) => pc.im.sendRecallMessage(m1, cb)), 'recall from pc');
  for (const d of [web, phone, bob]) await d.next((m) => m.objectName === 'RC:RcCmd' && m.content['messageUId'] === m1.messageUId);

  // A remote delete on one device is what every device of that user reads from history; the peer keeps it.
  await ok(call((cb) => phone.im.deleteRemoteMessages(PRIVATE, bob.userId, [{ messageUId: m2.messageUId, sentTime: m2.sentTime, messageDirection: 1 }], cb)), 'delete');
  for (const d of [web, pc, phone]) expect(await history(d, bob.userId)).toEqual([]);
  expect(await history(bob, web.userId)).toEqual(['second']);
  for (const d of [web, pc, phone]) expect(d.statuses).not.toContain(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT);
});

test('without the option a second login kicks the first: KICKED_OFFLINE_BY_OTHER_CLIENT, no automatic reconnect', async () => {
  const first = await online('alice', SINGLE);
  const second = await online('alice', SINGLE, { userId: first.userId, token: first.token, storage: createMemoryStorage() });
  for (let i = 0; i < 50 && !first.statuses.includes(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT); i += 1) await delay(100);
  expect(first.statuses).toContain(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT);
  await delay(500);
  expect(first.im.getCurrentConnectionStatus()).toBe(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT);
  expect(second.im.getCurrentConnectionStatus()).toBe(ConnectionStatus.CONNECTED);
  const bob = await online('bob', SINGLE);
  const m = await send(bob, first.userId, 'to the remaining device');
  await second.next((x) => x.messageUId === m.messageUId);
});
