/**
 * Our SDK's public RongIMLib v2 API end to end against the real server process: connect, send and
 * receive (exactly once), offline sync with setPullOfflineFinished, multi-device echoes, history in
 * both directions, conversation list / lookup / removal, recall, remote deletion, unread counts,
 * drafts, status messages and custom types. Every user is an independent SDK instance on the Node
 * adapter, as in two browser tabs.
 */
import { createMemoryStorage } from '../../platforms/node/node-storage';
import {
  ConnectionStatus,
  ConversationType,
  ErrorCode,
  MessageDirection,
  MessageTag,
  RCConnectionStatus,
  ReadReceiptMessage,
  SentStatus,
  SyncReadStatusMessage,
  TextMessage,
} from '../../src/index';
import type { IConversation, Message } from '../../src/index';
import { serverApi } from '../support/server-api-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, ok, sdkUser, tokenFor } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxsdkapi', secret: 'lxsdkapisecret', options: { multiDevice: true, maxSendRate: 1000 } };
/** An app whose tokens expire 1 s after issue (server app option tokenTtlMs). */
const TTL_APP: TestApp = { key: 'lxsdkapittl', secret: 'lxsdkapittlsecret', options: { tokenTtlMs: 1000 } };
const PRIVATE = ConversationType.PRIVATE;
let server: RunningServer;
const users: SdkUser[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP, TTL_APP] });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
});

async function online(name: string, options: Parameters<typeof sdkUser>[3] = {}): Promise<SdkUser> {
  const user = await sdkUser(server, APP, name, options);
  users.push(user);
  expect(await user.connect()).toBe(user.userId);
  return user;
}

function send(from: SdkUser, to: string, text: string, type = PRIVATE): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(type, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

function texts(list: readonly Message[]): unknown[] {
  return list.map((m) => m.content['content']);
}

function history(user: SdkUser, targetId: string, timestamp: number, count: number, order: 0 | 1): Promise<{ list: Message[]; hasMore: boolean }> {
  return call<Message[]>((cb) => user.im.getHistoryMessages(PRIVATE, targetId, timestamp, count, cb, undefined, order)).then((r) => {
    if (!r.ok) throw new Error(`history failed ${r.code}`);
    return { list: r.value, hasMore: r.args[1] as boolean };
  });
}

function unread(user: SdkUser, targetId: string): Promise<number> {
  return ok(call<number>((cb) => user.im.getUnreadCount(PRIVATE, targetId, cb)), 'getUnreadCount');
}

/** Content JSON.stringify cannot render: a cycle (an app object holding a back-reference). */
function circularContent(): Record<string, unknown> {
  const content: Record<string, unknown> = { content: 'hi' };
  content['self'] = content;
  return content;
}

/** What a callback-style call reported: its onError code, 'onSuccess', or 'threw …' for an exception out of the call. */
async function outcomeOf(invoke: (cb: { onSuccess: (...a: unknown[]) => void; onError: (code: number, data?: unknown) => void }) => void): Promise<unknown> {
  try {
    const result = await call(invoke, 5000);
    return result.ok ? 'onSuccess' : result.code;
  } catch (error) {
    return `threw ${String(error)}`;
  }
}

describe('connection', () => {
  test('connect reports the user; connecting again while connected succeeds with the same user; status 0', async () => {
    const alice = await online('alice');
    expect(alice.im.getCurrentUserId()).toBe(alice.userId);
    expect(alice.im.getCurrentConnectionStatus()).toBe(ConnectionStatus.CONNECTED);
    expect(alice.statuses).toEqual([ConnectionStatus.CONNECTING, ConnectionStatus.CONNECTED]);
    expect(await alice.connect()).toBe(alice.userId);
  });

  test('reconnect without a previous disconnect is refused with 35007; after disconnect it works', async () => {
    const alice = await online('alice');
    const refused = await new Promise<number>((resolve) => {
      void alice.client.reconnect({ onSuccess: () => resolve(0), onTokenIncorrect: () => resolve(-99), onError: resolve });
    });
    expect(refused).toBe(ErrorCode.CAN_NOT_RECONNECT);
    await alice.im.disconnect();
    expect(alice.im.getCurrentConnectionStatus()).toBe(ConnectionStatus.DISCONNECTED);
    const again = await new Promise<string>((resolve, reject) => {
      void alice.client.reconnect({ onSuccess: resolve, onTokenIncorrect: () => reject(new Error('token')), onError: (c) => reject(new Error(String(c))) });
    });
    expect(again).toBe(alice.userId);
  });

  test('onConnectionStatusChange reports CONNECTING, CONNECTED, then DISCONNECTED with a code', async () => {
    const alice = await sdkUser(server, APP, 'alice');
    users.push(alice);
    const changes: unknown[][] = [];
    alice.client.onConnectionStatusChange({ onChange: (...args: unknown[]) => changes.push(args) });
    await alice.connect();
    await alice.im.disconnect();
    expect(changes).toEqual([[RCConnectionStatus.CONNECTING], [RCConnectionStatus.CONNECTED], [RCConnectionStatus.DISCONNECTED, ErrorCode.SUCCESS]]);
    expect(alice.statuses).toEqual([ConnectionStatus.CONNECTING, ConnectionStatus.CONNECTED, ConnectionStatus.DISCONNECTED]);
  });

  test('API calls made inside the CONNECTED status callbacks work (rule 92, 2.9.0: no 30001), before connect onSuccess', async () => {
    const bob = await online('bob');
    const alice = await sdkUser(server, APP, 'alice');
    users.push(alice);
    const order: string[] = [];
    const inside: Promise<unknown>[] = [];
    const whenConnected = (label: string): void => {
      order.push(label);
      expect(alice.im.getCurrentConnectionStatus()).toBe(ConnectionStatus.CONNECTED);
      expect(alice.im.saveTextMessageDraft(PRIVATE, bob.userId, `draft from ${label}`)).toBe(true);
      inside.push(call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, new TextMessage({ content: `sent from ${label}` }), cb)));
      inside.push(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null)));
      inside.push(call<number>((cb) => alice.im.getTotalUnreadCount(cb)));
    };
    alice.client.setConnectionStatusListener({ onChanged: (status: number) => status === ConnectionStatus.CONNECTED && whenConnected('onChanged') });
    alice.client.onConnectionStatusChange({ onChange: (status: number) => status === RCConnectionStatus.CONNECTED && whenConnected('onChange') });
    await alice.connect();
    order.push('onSuccess');
    expect(order).toEqual(['onChanged', 'onChange', 'onSuccess']);
    const results = await Promise.all(inside);
    expect(results.map((r) => (r as { ok: boolean; code?: number }).ok ? 'ok' : (r as { code: number }).code)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(alice.im.getTextMessageDraft(PRIVATE, bob.userId)).toBe('draft from onChange');
    await bob.next((m) => m.content['content'] === 'sent from onChanged');
    await bob.next((m) => m.content['content'] === 'sent from onChange');
  });

  test('disconnect() inside the CONNECTED callback ends connect with onError 30011 and status DISCONNECTED', async () => {
    const alice = await sdkUser(server, APP, 'alice');
    users.push(alice);
    alice.client.onConnectionStatusChange({ onChange: (status: number) => status === RCConnectionStatus.CONNECTED && void alice.im.disconnect() });
    const outcome = await new Promise<string | number>((resolve) => {
      void alice.client.connect(alice.token, { onSuccess: () => resolve('success'), onTokenIncorrect: () => resolve('incorrect'), onError: resolve });
    });
    expect(outcome).toBe(ErrorCode.RC_SOCKET_DISCONNECTED);
    expect(alice.im.getCurrentConnectionStatus()).toBe(ConnectionStatus.DISCONNECTED);
  });

  test('switching users on one instance: logout, connect as someone else, nothing of the first user shows', async () => {
    const carol = await online('carol');
    const alice = await online('alice');
    const m = await send(carol, alice.userId, 'for alice only');
    await alice.next((x) => x.messageUId === m.messageUId);
    expect(alice.im.saveTextMessageDraft(PRIVATE, carol.userId, 'draft of alice')).toBe(true);
    alice.im.clearCache();
    expect(alice.im.getTextMessageDraft(PRIVATE, carol.userId)).toBeUndefined();
    alice.im.saveTextMessageDraft(PRIVATE, carol.userId, 'draft again');
    await alice.im.logout();

    const daveId = `${alice.userId}-dave`;
    const daveToken = await tokenFor(server, APP, daveId);
    const connected = await new Promise<string>((resolve, reject) => {
      void alice.client.connect(daveToken, { onSuccess: resolve, onTokenIncorrect: () => reject(new Error('token')), onError: (c) => reject(new Error(String(c))) });
    });
    expect(connected).toBe(daveId);
    expect(alice.im.getCurrentUserId()).toBe(daveId);
    expect(alice.im.getTextMessageDraft(PRIVATE, carol.userId)).toBeUndefined();
    expect(await unread(alice, carol.userId)).toBe(0);
    expect(await ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null)), 'list')).toEqual([]);
  });

  test('sendMessage before connecting: onError(30001) with the failed message, as 2.9.2 reports a failed send', async () => {
    const alice = await sdkUser(server, APP, 'alice');
    users.push(alice);
    const result = await call<Message>((cb) => alice.im.sendMessage(PRIVATE, 'bob', new TextMessage({ content: 'too early' }), cb));
    expect(result).toMatchObject({ ok: false, code: ErrorCode.RC_NET_CHANNEL_INVALID });
    expect(!result.ok && result.data).toMatchObject({
      conversationType: PRIVATE,
      targetId: 'bob',
      objectName: 'RC:TxtMsg',
      messageType: 'TextMessage',
      content: { content: 'too early' },
      messageUId: '',
      messageDirection: MessageDirection.SEND,
      sentStatus: SentStatus.FAILED,
    });
  });

  test('sendMessage before connecting with content JSON cannot render: onError(30001) with the failed message, no exception', async () => {
    const alice = await sdkUser(server, APP, 'alice');
    users.push(alice);
    const result = await call<Message>((cb) => alice.im.sendMessage(PRIVATE, 'bob', { objectName: 'RC:TxtMsg', messageType: 'TextMessage', content: circularContent() } as never, cb));
    expect(result).toMatchObject({ ok: false, code: ErrorCode.RC_NET_CHANNEL_INVALID, data: { targetId: 'bob', messageUId: '', sentStatus: SentStatus.FAILED } });
  });

  test('a bad token type calls onTokenIncorrect, never throws', async () => {
    const alice = await sdkUser(server, APP, 'alice');
    users.push(alice);
    const outcome = await new Promise<string>((resolve) => {
      void alice.client.connect(42 as unknown as string, { onSuccess: () => resolve('success'), onTokenIncorrect: () => resolve('incorrect'), onError: () => resolve('error') });
    });
    expect(outcome).toBe('incorrect');
  });

  /** How connect/reconnect ended: 'incorrect' for onTokenIncorrect, the userId on success, the onError code. */
  function connectOutcome(start: (callbacks: { onSuccess(userId: string): void; onTokenIncorrect(): void; onError(code: number): void }) => unknown): Promise<string | number> {
    return new Promise((resolve) => {
      start({ onSuccess: resolve, onTokenIncorrect: () => resolve('incorrect'), onError: resolve });
    });
  }

  // Seed L254 / L1181 (connect): "onTokenIncorrect：token 无效回调，建议排查控制台是否设置了 Token 有效期，或重新获取 Token";
  // L4397 (reconnect): the token-invalid callback fires because a token expiry time was set. An expired token
  // (CONNACK 10) lands there, so an app following the docs fetches a new one (the official 2.9.2 gives 30002, see
  // docs/COMPATIBILITY.md).
  test('a token past the app tokenTtlMs calls onTokenIncorrect, not onError(31020)', async () => {
    const alice = await sdkUser(server, TTL_APP, 'alice');
    users.push(alice);
    await delay(1_500);
    expect(await connectOutcome((cb) => alice.client.connect(alice.token, cb))).toBe('incorrect');
  });

  test('a token expired by user/token/expire calls onTokenIncorrect on connect and on reconnect after disconnect', async () => {
    const alice = await online('alice');
    await alice.im.disconnect();
    const api = serverApi(server.url, APP.key, APP.secret);
    expect((await api.post('/user/token/expire.json', { userId: alice.userId, time: Date.now() + 1_000 })).body).toMatchObject({ code: 200 });
    expect(await connectOutcome((cb) => alice.client.reconnect(cb))).toBe('incorrect');
    expect(await connectOutcome((cb) => alice.client.connect(alice.token, cb))).toBe('incorrect');
    // An app that gave no onTokenIncorrect still hears of it.
    expect(await new Promise((resolve) => void alice.client.connect(alice.token, { onSuccess: resolve, onError: resolve }))).toBe(ErrorCode.RC_CONN_TOKEN_EXPIRED);
  });
});

describe('send and receive', () => {
  test('a SYSTEM-conversation message (2.9.8: clients may send them) reaches the peer in its SYSTEM conversation and conversation list', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const sent = await ok(call<Message>((cb) => alice.im.sendMessage(ConversationType.SYSTEM, bob.userId, new TextMessage({ content: 'system hello' }), cb)), 'system send');
    expect(sent).toMatchObject({ conversationType: ConversationType.SYSTEM, targetId: bob.userId, messageDirection: MessageDirection.SEND, sentStatus: SentStatus.SENT });
    expect(sent.messageUId).not.toBe('');
    const got = await bob.next((m) => m.messageUId === sent.messageUId);
    expect(got).toMatchObject({ conversationType: ConversationType.SYSTEM, targetId: alice.userId, senderUserId: alice.userId, messageDirection: MessageDirection.RECEIVE, content: { content: 'system hello' } });
    const list = await ok(call<IConversation[]>((cb) => bob.im.getConversationList(cb, [ConversationType.SYSTEM])), 'system conversations');
    expect(list.map((c) => [c.conversationType, c.targetId])).toEqual([[ConversationType.SYSTEM, alice.userId]]);
  });

  test('a private message reaches the peer exactly once with the v2 shape; the sender gets no copy', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const sent = await send(alice, bob.userId, 'hello');
    expect(sent).toMatchObject({
      conversationType: PRIVATE,
      targetId: bob.userId,
      senderUserId: alice.userId,
      objectName: 'RC:TxtMsg',
      messageType: 'TextMessage',
      messageDirection: MessageDirection.SEND,
      sentStatus: SentStatus.SENT,
      content: { content: 'hello' },
    });
    expect(sent.messageUId).not.toBe('');
    expect(sent.sentTime).toBeGreaterThan(0);

    const got = await bob.next((m) => m.messageUId === sent.messageUId);
    expect(got).toMatchObject({
      conversationType: PRIVATE,
      targetId: alice.userId,
      senderUserId: alice.userId,
      messageType: 'TextMessage',
      messageDirection: MessageDirection.RECEIVE,
      offLineMessage: false,
      sentTime: sent.sentTime,
      content: { content: 'hello' },
    });
    await delay(500);
    expect(bob.received.filter((r) => r.message.messageUId === sent.messageUId)).toHaveLength(1);
    expect(alice.received.filter((r) => r.message.messageUId === sent.messageUId)).toHaveLength(0);
  });

  test('offline messages arrive in order, once, flagged offline, then setPullOfflineFinished fires once', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    await bob.im.disconnect();
    const sent: Message[] = [];
    for (const text of ['off 1', 'off 2', 'off 3']) sent.push(await send(alice, bob.userId, text));
    const finishedBefore = bob.offlineFinished;
    const receivedBefore = bob.received.length;
    expect(await bob.connect()).toBe(bob.userId);
    await bob.next((m) => m.messageUId === sent[2]?.messageUId);
    await delay(500);
    const batch = bob.received.slice(receivedBefore);
    expect(batch.map((r) => r.message.messageUId)).toEqual(sent.map((m) => m.messageUId));
    expect(batch.every((r) => r.message.offLineMessage)).toBe(true);
    expect(batch.map((r) => r.leftCount)).toEqual([2, 1, 0]);
    expect(batch[2]?.hasMore).toBe(false);
    expect(bob.offlineFinished).toBe(finishedBefore + 1);
  });

  test('nothing is delivered twice after reconnecting, nor after a reload that keeps storage', async () => {
    const storage = createMemoryStorage();
    const alice = await online('alice');
    const bob = await online('bob', { storage });
    const first = await send(alice, bob.userId, 'once');
    await bob.next((m) => m.messageUId === first.messageUId);
    await bob.im.disconnect();
    await bob.connect();
    await delay(600);
    expect(bob.received.filter((r) => r.message.messageUId === first.messageUId)).toHaveLength(1);

    // A "page reload": a new SDK instance for the same user on the same storage.
    await bob.im.disconnect();
    const reloaded = await online('bob', { storage, userId: bob.userId, token: bob.token });
    const second = await send(alice, bob.userId, 'after reload');
    await reloaded.next((m) => m.messageUId === second.messageUId);
    await delay(400);
    expect(reloaded.received.map((r) => r.message.messageUId)).toEqual([second.messageUId]);
  });

  test('my other device gets my message once as SEND; status messages are not stored', async () => {
    const deviceA = await online('alice');
    const deviceB = await online('alice', { userId: deviceA.userId, token: deviceA.token });
    const bob = await online('bob');
    const sent = await send(deviceA, bob.userId, 'from A');
    const echoed = await deviceB.next((m) => m.messageUId === sent.messageUId);
    expect(echoed).toMatchObject({ messageDirection: MessageDirection.SEND, senderUserId: deviceA.userId, targetId: bob.userId, sentTime: sent.sentTime });
    await delay(600);
    expect(deviceB.received.filter((r) => r.message.messageUId === sent.messageUId)).toHaveLength(1);
    expect(deviceA.received.filter((r) => r.message.messageUId === sent.messageUId)).toHaveLength(0);

    // Typing status: delivered online to the typing listener, never stored.
    const typing: unknown[] = [];
    bob.client.setTypingStatusListener({ onChanged: (list: unknown[]) => typing.push(...list) });
    await ok(call((cb) => deviceA.im.sendTypingStatusMessage(PRIVATE, bob.userId, 'RC:TxtMsg', cb)), 'typing');
    const status = await call<Message>((cb) => deviceA.im.sendMessage(PRIVATE, bob.userId, new TextMessage({ content: 'status only' }), cb, false, '', '', null, { isStatusMessage: true }));
    expect(status.ok).toBe(true);
    const live = await bob.next((m) => m.content['content'] === 'status only');
    expect(live.messageUId === '' || typeof live.messageUId === 'string').toBe(true);
    await delay(300);
    expect(typing).toEqual([expect.objectContaining({ conversationType: PRIVATE, targetId: deviceA.userId, list: [expect.objectContaining({ userId: deviceA.userId, messageType: 'RC:TxtMsg' })] })]);
    expect(bob.received.some((r) => r.message.objectName === 'RC:TypSts')).toBe(false);
    const { list } = await history(bob, deviceA.userId, 0, 20, 0);
    expect(texts(list)).toEqual(['from A']);
    expect(await unread(bob, deviceA.userId)).toBe(1);
  });

  test('content over 128 KiB fails locally with 30016 and the failed message; bad arguments give 33003, never a throw', async () => {
    const alice = await online('alice');
    const big = await call<Message>((cb) => alice.im.sendMessage(PRIVATE, 'nobody', new TextMessage({ content: 'x'.repeat(131_072) }), cb));
    expect(big.ok).toBe(false);
    if (!big.ok) {
      expect(big.code).toBe(ErrorCode.RC_MSG_CONTENT_EXCEED_LIMIT);
      expect(big.data).toMatchObject({ sentStatus: SentStatus.FAILED, messageUId: '', objectName: 'RC:TxtMsg' });
    }
    const bad = await call((cb) => alice.im.sendMessage(PRIVATE, 123 as unknown as string, new TextMessage({ content: 'x' }), cb));
    expect(bad).toEqual({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER, data: undefined });
    const badHistory = await call((cb) => alice.im.getHistoryMessages(PRIVATE, 'x', 0, 21, cb));
    expect(badHistory).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
  });

  // API_CHECKLIST "Decisions": wrong argument types → onError(33003) and a logged warning, never an exception out of the SDK.
  test('content JSON cannot render (a cycle, a BigInt) fails with 33003 and the failed message, no unhandled rejection', async () => {
    const alice = await online('alice');
    const contents: Record<string, unknown> = {
      circular: { objectName: 'RC:TxtMsg', messageType: 'TextMessage', content: circularContent() },
      bigint: new TextMessage({ content: 'hi', extra: BigInt(1) } as never),
    };
    for (const [name, msg] of Object.entries(contents)) {
      const result = await call<Message>((cb) => alice.im.sendMessage(PRIVATE, 'nobody', msg as never, cb), 5000);
      expect({ name, result }).toMatchObject({ name, result: { ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER, data: { objectName: 'RC:TxtMsg', messageUId: '', sentStatus: SentStatus.FAILED } } });
    }
    expect(alice.logs.filter((line) => line.includes('sendMessage: the message is invalid'))).toHaveLength(2);
  });

  // R292 asserts options.isVoipPush / disableNotification / canIncludeExpansion (boolean), expansion / pushConfig (object);
  // the push config's text fields (API_CHECKLIST §3.6 MessagePushConfig) are strings — not an encoder failure read as 30014.
  test('config fields and push-config text of the wrong type fail with 33003 and nothing is sent', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const configs: Record<string, unknown> = {
      'disableNotification: "true"': { disableNotification: 'true' },
      'isVoipPush: 1': { isVoipPush: 1 },
      'canIncludeExpansion: "true"': { canIncludeExpansion: 'true', expansion: { k: 'v' } },
      'expansion: "k=v"': { canIncludeExpansion: true, expansion: 'k=v' },
      'pushConfig: "title"': { pushConfig: 'title' },
      'pushConfig.pushTitle: 123': { pushConfig: { pushTitle: 123 } },
      'pushConfig.pushContent: 123': { pushConfig: { pushContent: 123 } },
      'pushConfig.pushData: 5': { pushConfig: { pushData: 5 } },
      'pushConfig.templateId: 7': { pushConfig: { templateId: 7 } },
      'pushConfig.iOSConfig.threadId: 1': { pushConfig: { iOSConfig: { threadId: 1 } } },
      'pushConfig.androidConfig.notificationId: 5': { pushConfig: { androidConfig: { notificationId: 5 } } },
      'pushConfig.androidConfig.googleConfig.priority: 1': { pushConfig: { androidConfig: { googleConfig: { priority: 1 } } } },
    };
    const results: Record<string, unknown> = {};
    for (const [name, config] of Object.entries(configs)) {
      results[name] = await outcomeOf((cb) => alice.im.sendMessage(PRIVATE, bob.userId, new TextMessage({ content: name }), cb, false, null, null, null, config));
    }
    expect(results).toEqual(Object.fromEntries(Object.keys(configs).map((k) => [k, ErrorCode.BIZ_ERROR_INVALID_PARAMETER])));
    // Absent (undefined / null) fields and well-typed ones still send; the peer gets only that message.
    const fine = { disableNotification: undefined, isVoipPush: null, pushConfig: { pushTitle: 'T', androidConfig: { notificationId: 'n' }, iOSConfig: { threadId: null } } };
    const sent = await ok(call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, new TextMessage({ content: 'fine' }), cb, false, null, null, null, fine)), 'well typed');
    await bob.next((m) => m.messageUId === sent.messageUId);
    expect(texts(bob.received.map((r) => r.message))).toEqual(['fine']);
  });

  // API_CHECKLIST §3.6: every failed send's message has messageUId '' (the uid the server gave a refused message names nothing stored).
  test('a send refused by the server (sender on the recipient\'s blacklist, 405) fails with the failed message, messageUId ""', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const api = serverApi(server.url, APP.key, APP.secret);
    expect((await api.post('user/blacklist/add', { userId: bob.userId, blackUserId: alice.userId })).status).toBe(200);
    const refused = await call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, new TextMessage({ content: 'blocked' }), cb));
    expect(refused).toMatchObject({ ok: false, code: ErrorCode.REJECTED_BY_BLACKLIST, data: { sentStatus: SentStatus.FAILED, messageUId: '' } });
  });

  test('custom registered types and read receipts travel with their names', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    for (const user of [alice, bob]) user.client.registerMessageType('PersonMessage', 'App:Person', new MessageTag(true, true), ['name']);
    const Person = alice.client.RegisterMessage['PersonMessage'];
    if (!Person) throw new Error('not registered');
    const sent = await ok(call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, new Person({ name: 'Ann' }), cb)), 'custom');
    const got = await bob.next((m) => m.messageUId === sent.messageUId);
    expect(got).toMatchObject({ messageType: 'PersonMessage', objectName: 'App:Person', content: { name: 'Ann' } });
    expect(await unread(bob, alice.userId)).toBe(1);

    const receipt = new ReadReceiptMessage({ messageUid: sent.messageUId, lastMessageSendTime: sent.sentTime, type: 1 } as never);
    await ok(call((cb) => bob.im.sendMessage(PRIVATE, alice.userId, receipt, cb)), 'receipt');
    const atAlice = await alice.next((m) => m.objectName === 'RC:ReadNtf');
    expect(atAlice).toMatchObject({ messageType: 'ReadReceiptMessage', content: { messageUId: sent.messageUId, lastMessageSendTime: sent.sentTime } });
  });
});

describe('message expansion', () => {
  test('sent with an expansion, updated and trimmed: the peer hears it on the expansion listener only', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const events: Array<[string, unknown]> = [];
    bob.client.setMessageExpansionListener({ onUpdated: (d: unknown) => events.push(['updated', d]), onDelete: (d: unknown) => events.push(['deleted', d]) });
    const sent = await ok(
      call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, new TextMessage({ content: 'kv' }), cb, false, '', '', null, { canIncludeExpansion: true, expansion: { k1: 'v1' } })),
      'send',
    );
    const got = await bob.next((m) => m.messageUId === sent.messageUId);
    expect(got).toMatchObject({ canIncludeExpansion: true, expansion: { k1: 'v1' } });
    await ok(call((cb) => alice.im.updateMessageExpansion({ k2: 'v2' }, sent, cb)), 'update');
    await ok(call((cb) => alice.im.removeMessageExpansionForKey(['k1'], sent, cb)), 'remove');
    for (let i = 0; i < 50 && events.length < 2; i += 1) await delay(100);
    expect(events).toEqual([
      ['updated', { messageUId: sent.messageUId, expansion: { k2: 'v2' } }],
      ['deleted', { messageUId: sent.messageUId, deletedKeys: ['k1'] }],
    ]);
    expect(bob.received.some((r) => r.message.objectName === 'RC:MsgExMsg')).toBe(false);
    const plain = await send(alice, bob.userId, 'no kv');
    expect(await call((cb) => alice.im.updateMessageExpansion({ k: 'v' }, plain, cb))).toMatchObject({ ok: false, code: ErrorCode.MESSAGE_KV_NOT_SUPPORT });
  });
});

describe('history', () => {
  test('pages backwards (order 0) and forwards (order 1), oldest first within a page; count 1 at now = newest', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const sent: Message[] = [];
    for (let i = 1; i <= 5; i += 1) sent.push(await send(alice, bob.userId, `h${i}`));
    const [m1, m2, m3, m4] = sent as [Message, Message, Message, Message, Message];
    const page1 = await history(alice, bob.userId, 0, 2, 0);
    expect(texts(page1.list)).toEqual(['h4', 'h5']);
    expect(page1.hasMore).toBe(true);
    expect(page1.list[0]).toMatchObject({ messageDirection: MessageDirection.SEND, senderUserId: alice.userId, targetId: bob.userId, messageUId: m4.messageUId });
    expect(texts((await history(alice, bob.userId, m4.sentTime, 2, 0)).list)).toEqual(['h2', 'h3']);
    const last = await history(alice, bob.userId, m2.sentTime, 2, 0);
    expect(texts(last.list)).toEqual(['h1']);
    expect(last.hasMore).toBe(false);
    const forward = await history(alice, bob.userId, m1.sentTime, 2, 1);
    expect(texts(forward.list)).toEqual(['h2', 'h3']);
    expect(texts((await history(alice, bob.userId, m3.sentTime, 5, 1)).list)).toEqual(['h4', 'h5']);
    expect(texts((await history(alice, bob.userId, 0, 1, 0)).list)).toEqual(['h5']);
    const atBob = await history(bob, alice.userId, 0, 20, 0);
    expect(atBob.list.every((m) => m.messageDirection === MessageDirection.RECEIVE && m.targetId === alice.userId)).toBe(true);
  });

  test('deleteRemoteMessages removes the given messages (any uid spelling, at most 100); clearRemoteHistoryMessages removes older ones', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const sent: Message[] = [];
    for (const text of ['d1', 'd2', 'd3', 'd4']) {
      sent.push(await send(alice, bob.userId, text));
      await delay(5); // distinct sentTimes, so the clear cut below falls between d3 and d4
    }
    const [d1, d2, d3, d4] = sent as [Message, Message, Message, Message];
    expect(d4.sentTime).toBeGreaterThan(d3.sentTime + 1);
    await ok(call((cb) => alice.im.deleteRemoteMessages(PRIVATE, bob.userId, [{ messageUid: d2.messageUId, sentTime: d2.sentTime, messageDirection: 1 }], cb)), 'delete');
    expect(texts((await history(alice, bob.userId, 0, 20, 0)).list)).toEqual(['d1', 'd3', 'd4']);
    const tooMany = Array.from({ length: 101 }, () => ({ messageUId: d1.messageUId, sentTime: d1.sentTime, messageDirection: 1 }));
    expect(await call((cb) => alice.im.deleteRemoteMessages(PRIVATE, bob.userId, tooMany, cb))).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    await ok(call((cb) => alice.im.clearRemoteHistoryMessages({ conversationType: PRIVATE, targetId: bob.userId, timestamp: d3.sentTime + 1 }, cb)), 'clear');
    expect(texts((await history(alice, bob.userId, 0, 20, 0)).list)).toEqual(['d4']);
    // The peer's history is untouched.
    expect(texts((await history(bob, alice.userId, 0, 20, 0)).list)).toEqual(['d1', 'd2', 'd3', 'd4']);
  });
});

describe('conversations', () => {
  test('list newest first with latest message and unread; type filter; getConversation any time; remove', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const carol = await online('carol');
    await send(bob, alice.userId, 'from bob');
    const lastFromCarol = await send(carol, alice.userId, 'from carol');
    await alice.next((m) => m.messageUId === lastFromCarol.messageUId);

    // Before any list call: asks the server.
    const single = await ok(call<IConversation | null>((cb) => alice.im.getConversation(PRIVATE, carol.userId, cb)), 'getConversation');
    expect(single).toMatchObject({ conversationType: PRIVATE, targetId: carol.userId, unreadMessageCount: 1, latestMessage: { messageUId: lastFromCarol.messageUId } });
    expect(await ok(call((cb) => alice.im.getConversation(PRIVATE, 'no-such-user', cb)), 'missing')).toBeNull();

    const list = await ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null, 10)), 'list');
    expect(list.map((c) => c.targetId)).toEqual([carol.userId, bob.userId]);
    expect(list[0]).toMatchObject({ channelId: '', isTop: false, notificationStatus: 2, objectName: 'TextMessage', sentTime: lastFromCarol.sentTime });
    expect(await ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, [ConversationType.GROUP])), 'groups')).toEqual([]);
    expect(await ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null, 1)), 'one')).toHaveLength(1);

    await ok(call((cb) => alice.im.removeConversation(PRIVATE, carol.userId, cb)), 'remove');
    const after = await ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null)), 'after');
    expect(after.map((c) => c.targetId)).toEqual([bob.userId]);
  });

  test('top / do-not-disturb: set on one device, listed there, synced to the other; DND leaves the default total', async () => {
    const deviceA = await online('alice');
    const deviceB = await online('alice', { userId: deviceA.userId, token: deviceA.token });
    const bob = await online('bob');
    const changes: unknown[] = [];
    deviceB.client.setConversationStatusListener({ onChangeed: (list: unknown[]) => changes.push(...list) });
    const m = await send(bob, deviceA.userId, 'dnd me');
    await deviceA.next((x) => x.messageUId === m.messageUId);
    await deviceB.next((x) => x.messageUId === m.messageUId);

    await ok(call((cb) => deviceA.im.setConversationStatus(PRIVATE, bob.userId, { isTop: true, notificationStatus: 1 }, cb)), 'setConversationStatus');
    const list = await ok(call<IConversation[]>((cb) => deviceA.im.getConversationList(cb, [PRIVATE])), 'list');
    expect(list.find((c) => c.targetId === bob.userId)).toMatchObject({ isTop: true, notificationStatus: 1, unreadMessageCount: 1 });
    for (let i = 0; i < 50 && changes.length === 0; i += 1) await delay(100);
    expect(changes).toEqual([expect.objectContaining({ conversationType: PRIVATE, targetId: bob.userId, isTop: true, notificationStatus: 1, channelId: '' })]);

    for (const device of [deviceA, deviceB]) {
      expect(await ok(call<number>((cb) => device.im.getTotalUnreadCount(cb)), 'total')).toBe(0);
      expect(await ok(call<number>((cb) => device.im.getTotalUnreadCount(cb, [], true)), 'total muted')).toBe(1);
    }
    expect(await call((cb) => deviceA.im.setConversationStatus(PRIVATE, bob.userId, {}, cb))).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
  });

  test('clearConversations removes the listed types; getConversationUnreadCount sums local counts', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const m = await send(bob, alice.userId, 'one');
    await alice.next((x) => x.messageUId === m.messageUId);
    expect(await ok(call<number>((cb) => alice.im.getConversationUnreadCount([PRIVATE], cb)), 'by type')).toBe(1);
    await ok(call((cb) => alice.im.clearConversations(cb, [ConversationType.GROUP])), 'clear groups');
    expect(await ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null)), 'list')).toHaveLength(1);
    expect(await ok(call((cb) => alice.im.clearConversations(cb, [PRIVATE])), 'clear private')).toBe(true);
    expect(await ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null)), 'list')).toEqual([]);
  });

  test('drafts live in memory per conversation', async () => {
    const alice = await online('alice');
    expect(alice.im.getTextMessageDraft(PRIVATE, 'x')).toBeUndefined();
    expect(alice.im.saveTextMessageDraft(PRIVATE, 'x', 'half a thought')).toBe(true);
    expect(alice.im.getTextMessageDraft(PRIVATE, 'x')).toBe('half a thought');
    expect(alice.im.saveTextMessageDraft(PRIVATE, 42 as unknown as string, 'bad')).toBe(false);
    expect(alice.im.clearTextMessageDraft(PRIVATE, 'x')).toBe(true);
    expect(alice.im.getTextMessageDraft(PRIVATE, 'x')).toBeUndefined();
  });
});

describe('recall and unread counts', () => {
  test('unread counts received messages only; recall decrements; SyncReadStatus from my other device clears', async () => {
    const storage = createMemoryStorage();
    const alice = await online('alice');
    const bob = await online('bob', { storage });
    const bobPhone = await online('bob', { userId: bob.userId, token: bob.token });
    const m1 = await send(alice, bob.userId, 'u1');
    const m2 = await send(alice, bob.userId, 'u2');
    await send(bob, alice.userId, 'mine');
    await bob.next((m) => m.messageUId === m2.messageUId);
    expect(await unread(bob, alice.userId)).toBe(2);
    expect(await ok(call<number>((cb) => bob.im.getTotalUnreadCount(cb)), 'total')).toBe(2);

    // Recall: the peer gets RecallCommandMessage, its count drops, history forgets the message.
    const command = await ok(call<Message>((cb) => alice.im.sendRecallMessage(m1, cb)), 'recall');
    expect(command).toMatchObject({ objectName: 'RC:RcCmd', messageType: 'RecallCommandMessage', content: { messageUId: m1.messageUId } });
    const atBob = await bob.next((m) => m.objectName === 'RC:RcCmd');
    expect(atBob).toMatchObject({ messageType: 'RecallCommandMessage', targetId: alice.userId, senderUserId: alice.userId, content: { messageUId: m1.messageUId } });
    expect(await unread(bob, alice.userId)).toBe(1);
    await delay(400);
    expect(alice.received.some((r) => r.message.objectName === 'RC:RcCmd')).toBe(false);
    expect(texts((await history(bob, alice.userId, 0, 20, 0)).list)).not.toContain('u1');

    // Counts survive a reload (same storage).
    await bob.im.disconnect();
    const bobReloaded = await online('bob', { storage, userId: bob.userId, token: bob.token });
    expect(await unread(bobReloaded, alice.userId)).toBe(1);

    // Bob reads on his phone and syncs: the browser clears too.
    await ok(call((cb) => bobPhone.im.clearUnreadCount(PRIVATE, alice.userId, cb)), 'clear');
    await ok(call((cb) => bobPhone.im.sendMessage(PRIVATE, alice.userId, new SyncReadStatusMessage({ lastMessageSendTime: m2.sentTime }), cb)), 'srs');
    await bobReloaded.next((m) => m.objectName === 'RC:SRSMsg');
    expect(await unread(bobReloaded, alice.userId)).toBe(0);
    await delay(300);
    expect(alice.received.some((r) => r.message.objectName === 'RC:SRSMsg')).toBe(false);

    // clearUnreadCount / clearAllUnreadCount.
    await send(alice, bob.userId, 'u3');
    await bobReloaded.next((m) => m.content['content'] === 'u3');
    expect(await unread(bobReloaded, alice.userId)).toBe(1);
    await ok(call((cb) => bobReloaded.im.clearAllUnreadCount(cb)), 'clearAll');
    expect(await ok(call<number>((cb) => bobReloaded.im.getTotalUnreadCount(cb, [PRIVATE], true)), 'total')).toBe(0);
  });

  // R292 asserts sendRecallMessage's options.disableNotification (boolean) and options.pushConfig (object).
  test('sendRecallMessage: options of the wrong type fail with 33003 and the message is not recalled', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const m1 = await send(alice, bob.userId, 'r1');
    const results = {
      disableNotification: await outcomeOf((cb) => alice.im.sendRecallMessage(m1, cb, { disableNotification: 'true' })),
      pushConfig: await outcomeOf((cb) => alice.im.sendRecallMessage(m1, cb, { pushConfig: 'recalled' })),
      'pushConfig.pushContent': await outcomeOf((cb) => alice.im.sendRecallMessage(m1, cb, { pushConfig: { pushContent: 1 } })),
    };
    expect(results).toEqual({ disableNotification: ErrorCode.BIZ_ERROR_INVALID_PARAMETER, pushConfig: ErrorCode.BIZ_ERROR_INVALID_PARAMETER, 'pushConfig.pushContent': ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(texts((await history(bob, alice.userId, 0, 20, 0)).list)).toEqual(['r1']);
    await ok(call((cb) => alice.im.sendRecallMessage(m1, cb, { disableNotification: true, pushConfig: { pushContent: 'recalled' } })), 'well-typed recall');
  });
});
