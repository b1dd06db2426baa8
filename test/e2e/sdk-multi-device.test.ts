/**
 * Several devices of one user with our SDK (issue #7, app option `multiDevice`): every device sees the user's
 * own sent messages, recalls, remote deletes and read/clear state (read state: sdk-unread-sync.test.ts, tags
 * and top/DND: sdk-tags.test.ts); without the option a new login kicks the previous one
 * (KICKED_OFFLINE_BY_OTHER_CLIENT).
 */
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { ConnectionStatus, ConversationType, MessageDirection, TextMessage } from '../../src/index';
import type { IConversation, Message } from '../../src/index';
import { serverApi } from '../support/server-api-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, ok, sdkUser } from './sdk-api-support';
import type { CallResult, SdkUser } from './sdk-api-support';

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

/** The text of an unregistered App:Note, which the SDK hands over as an UnknownMessage. */
function noteText(m: Message): unknown {
  return (m.content as { message?: { content?: { content?: unknown } } }).message?.content?.content;
}

test('Server API sends with isIncludeSender=1 reach every device of the sender, also when nothing is stored', async () => {
  const web = await online('alice');
  const pc = await online('alice', MULTI, { userId: web.userId, token: web.token, storage: createMemoryStorage() });
  const bob = await online('bob');
  const api = serverApi(server.url, MULTI.key, MULTI.secret);
  const post = async (path: string, form: Record<string, string | number | readonly string[]>): Promise<void> => {
    expect((await api.post(path, form)).body).toMatchObject({ code: 200 });
  };
  const groupId = `g-${web.userId}`;
  await post('/group/create.json', { userId: [web.userId, bob.userId], groupId, groupName: 'G' });
  const cases: Array<[string, Record<string, string | number>, number, string]> = [
    ['/message/private/publish.json', { toUserId: bob.userId, isPersisted: 0 }, PRIVATE, bob.userId],
    ['/message/group/publish.json', { toGroupId: groupId, isPersisted: 0 }, ConversationType.GROUP, groupId],
    ['/statusmessage/private/publish.json', { toUserId: bob.userId }, PRIVATE, bob.userId],
    ['/statusmessage/group/publish.json', { toGroupId: groupId }, ConversationType.GROUP, groupId],
    ['/message/private/publish.json', { toUserId: bob.userId }, PRIVATE, bob.userId],
  ];
  for (const [path, form, conversationType, targetId] of cases) {
    const text = `${path} ${JSON.stringify(form)}`;
    // A custom type: built-in ones keep their own storage policy whatever isPersisted says.
    await post(path, { fromUserId: web.userId, objectName: 'App:Note', content: JSON.stringify({ content: text }), isIncludeSender: 1, ...form });
    const matches = (m: Message): boolean => noteText(m) === text;
    await bob.next(matches);
    for (const device of [web, pc]) {
      expect(await device.next(matches)).toMatchObject({ conversationType, targetId, objectName: 'App:Note', messageDirection: MessageDirection.SEND, senderUserId: web.userId });
    }
  }
  // Without the flag the sender's devices get nothing of a message that is not stored.
  await post('/message/private/publish.json', { fromUserId: web.userId, toUserId: bob.userId, objectName: 'App:Note', content: JSON.stringify({ content: 'not for me' }), isPersisted: 0 });
  await bob.next((m) => noteText(m) === 'not for me');
  await delay(300);
  for (const device of [web, pc]) expect(device.received.filter((r) => noteText(r.message) === 'not for me')).toEqual([]);
});

test('a conversation removed on another device leaves this device too: list and getConversation (null); a shorter list keeps what it did not cover; a new message brings it back', async () => {
  const phone = await online('alice');
  const web = await online('alice', MULTI, { userId: phone.userId, token: phone.token, storage: createMemoryStorage() });
  const bob = await online('bob');
  const carol = await online('carol');
  const list = async (count?: number): Promise<string[]> =>
    (await ok(call<IConversation[]>((cb) => web.im.getConversationList(cb, null, count)), 'list')).map((c) => c.targetId);
  const get = (targetId: string): Promise<CallResult<IConversation | null>> => call<IConversation | null>((cb) => web.im.getConversation(PRIVATE, targetId, cb));
  const hi = await send(bob, phone.userId, 'hi');
  await web.next((m) => m.messageUId === hi.messageUId);
  await delay(5);
  const hello = await send(carol, phone.userId, 'hello');
  await web.next((m) => m.messageUId === hello.messageUId);
  expect(await list()).toEqual([carol.userId, bob.userId]);

  // A list of one covers the newest conversation only: bob's stays cached.
  expect(await list(1)).toEqual([carol.userId]);
  expect(await get(bob.userId)).toMatchObject({ ok: true, value: { targetId: bob.userId, latestMessage: { messageUId: hi.messageUId } } });
  // After disconnect() the cache answers nothing (30001; 2.9.2 cannot answer either: 34009), only local unread counts and drafts do.
  await web.im.disconnect();
  expect(await get(bob.userId)).toMatchObject({ ok: false, code: 30001 });
  expect(await web.connect()).toBe(web.userId);

  await ok(call((cb) => phone.im.removeConversation(PRIVATE, bob.userId, cb)), 'remove on the phone');
  expect(await list()).toEqual([carol.userId]);
  expect(await ok(get(bob.userId), 'get removed')).toBeNull();
  expect(await ok(get(carol.userId), 'get kept')).toMatchObject({ targetId: carol.userId });

  const again = await send(bob, phone.userId, 'again');
  await web.next((m) => m.messageUId === again.messageUId);
  expect(await ok(get(bob.userId), 'get after a new message')).toMatchObject({ targetId: bob.userId, latestMessage: { messageUId: again.messageUId } });
  expect(await list()).toEqual([bob.userId, carol.userId]);
});
