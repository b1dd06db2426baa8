/**
 * Message expansion kept on the server and sensitive words, with our SDK against the real server (issue #7):
 * expansion limits (local and server), the merged expansion in history, the 300-key cap under concurrent
 * updates, the sender's other device hearing updates; sensitive words set through the Server API blocking
 * (21501 + setMessageBlockedListener, nobody receives) or replacing (receivers and history get the new text).
 */
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { ConversationType, ErrorCode, TextMessage } from '../../src/index';
import type { Message } from '../../src/index';
import { serverApi } from '../support/server-api-client';
import type { ServerApiClient } from '../support/server-api-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, ok, sdkUser } from './sdk-api-support';
import type { CallResult, SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxexpapp', secret: 'lxexpsecret', options: { multiDevice: true, maxSendRate: 1000 } };
const WORDS_APP: TestApp = { key: 'lxwordsapp', secret: 'lxwordssecret', options: { multiDevice: true, maxSendRate: 1000 } };
const PRIVATE = ConversationType.PRIVATE;
let server: RunningServer;
const users: SdkUser[] = [];

jest.setTimeout(60_000);

beforeAll(async () => {
  server = await startServer({ apps: [APP, WORDS_APP] });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
});

async function online(name: string, app: TestApp = APP, options: Parameters<typeof sdkUser>[3] = {}): Promise<SdkUser> {
  const user = await sdkUser(server, app, name, options);
  users.push(user);
  expect(await user.connect()).toBe(user.userId);
  return user;
}

function sendText(from: SdkUser, to: string, text: string, config?: Record<string, unknown>, type = PRIVATE): Promise<CallResult<Message>> {
  return call<Message>((cb) => from.im.sendMessage(type, to, new TextMessage({ content: text }), cb, false, '', '', null, config));
}

async function sent(from: SdkUser, to: string, text: string, config?: Record<string, unknown>): Promise<Message> {
  return ok(sendText(from, to, text, config), `send ${text}`);
}

async function historyOf(user: SdkUser, targetId: string): Promise<Message[]> {
  return ok(call<Message[]>((cb) => user.im.getHistoryMessages(PRIVATE, targetId, 0, 20, cb)), 'history');
}

function keys(prefix: string, n: number, from = 0): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${from + i}`, `v${from + i}`]));
}

describe('message expansion', () => {
  test('updates are stored with the message: history returns the merged expansion; my other device hears them', async () => {
    const alice = await online('alice');
    const aliceWeb = await online('alice', APP, { userId: alice.userId, token: alice.token, storage: createMemoryStorage() });
    const bob = await online('bob');
    const webEvents: unknown[] = [];
    aliceWeb.client.setMessageExpansionListener({ onUpdated: (e: unknown) => webEvents.push(['updated', e]), onDeleted: (e: unknown) => webEvents.push(['deleted', e]) });
    const message = await sent(alice, bob.userId, 'order #1', { canIncludeExpansion: true, expansion: { status: 'new', k1: 'v1' } });
    const atBob = await bob.next((m) => m.messageUId === message.messageUId);
    await ok(call((cb) => bob.im.updateMessageExpansion({ status: 'confirmed' }, atBob, cb)), 'bob confirms');
    await ok(call((cb) => alice.im.removeMessageExpansionForKey(['k1'], message, cb)), 'alice removes k1');
    for (let i = 0; i < 50 && webEvents.length < 2; i += 1) await delay(100);
    expect(webEvents).toEqual([
      ['updated', { messageUId: message.messageUId, expansion: { status: 'confirmed' } }],
      ['deleted', { messageUId: message.messageUId, deletedKeys: ['k1'] }],
    ]);
    for (const user of [alice, bob]) {
      const stored = (await historyOf(user, user === alice ? bob.userId : alice.userId)).find((m) => m.messageUId === message.messageUId);
      expect(stored).toMatchObject({ canIncludeExpansion: true, expansion: { status: 'confirmed' } });
    }
  });

  test('limits: 20 keys per call, 32-character keys of [A-Za-z0-9+=-_], 4096-character values, private and group only', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    expect(await sendText(alice, bob.userId, 'too many', { canIncludeExpansion: true, expansion: keys('k', 21) })).toMatchObject({ ok: false, code: ErrorCode.EXPANSION_LIMIT_EXCEET });
    expect(await sendText(alice, bob.userId, 'bad key', { canIncludeExpansion: true, expansion: { '键': 'v' } })).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    const message = await sent(alice, bob.userId, 'ok', { canIncludeExpansion: true, expansion: keys('k', 20) });
    const update = (expansion: Record<string, string>, target: object = message): ReturnType<typeof call> => call((cb) => alice.im.updateMessageExpansion(expansion, target, cb));
    expect(await update(keys('n', 21))).toMatchObject({ ok: false, code: ErrorCode.EXPANSION_LIMIT_EXCEET });
    expect(await update({ ['k'.repeat(33)]: 'v' })).toMatchObject({ ok: false, code: ErrorCode.EXPANSION_LIMIT_EXCEET });
    expect(await update({ 'a b': 'v' })).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(await update({ long: 'x'.repeat(4097) })).toMatchObject({ ok: false, code: ErrorCode.EXPANSION_LIMIT_EXCEET });
    await ok(update({ ['Az09+=-_'.padEnd(32, 'z')]: 'x'.repeat(4096) }), 'max key and value');
    const plain = await sent(alice, bob.userId, 'plain');
    expect(await update({ k: 'v' }, plain)).toMatchObject({ ok: false, code: ErrorCode.MESSAGE_KV_NOT_SUPPORT });
    for (const conversationType of [ConversationType.CHATROOM, ConversationType.SYSTEM]) {
      expect(await update({ k: 'v' }, { ...message, conversationType })).toMatchObject({ ok: false, code: ErrorCode.MESSAGE_KV_NOT_SUPPORT });
    }
    // The server checks too: a message object claiming expansion support it was not sent with.
    expect(await update({ k: 'v' }, { ...plain, canIncludeExpansion: true })).toMatchObject({ ok: false, code: ErrorCode.MESSAGE_KV_NOT_SUPPORT });
    // …and that the expander takes part in the conversation.
    const carol = await online('carol');
    expect(await call((cb) => carol.im.updateMessageExpansion({ k: 'v' }, { ...message, targetId: alice.userId }, cb))).toMatchObject({ ok: false, code: ErrorCode.MESSAGE_KV_NOT_SUPPORT });
  });

  test('never more than 300 keys: the local check uses the known expansion, concurrent updates beyond it are dropped by the server', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const heard: Array<Record<string, string>> = [];
    alice.client.setMessageExpansionListener({ onUpdated: (e: { expansion: Record<string, string> }) => heard.push(e.expansion) });
    const message = await sent(alice, bob.userId, 'kv', { canIncludeExpansion: true, expansion: keys('k', 20) });
    let known: Record<string, string> = keys('k', 20);
    for (let from = 20; from < 290; from += 20) {
      const batch = keys('k', Math.min(20, 290 - from), from);
      await ok(call((cb) => alice.im.updateMessageExpansion(batch, { ...message, expansion: known }, cb)), `batch ${from}`);
      known = { ...known, ...batch };
    }
    expect(Object.keys(known)).toHaveLength(290);
    // Locally over the limit: refused before sending.
    expect(await call((cb) => alice.im.updateMessageExpansion(keys('x', 11), { ...message, expansion: known }, cb))).toMatchObject({ ok: false, code: ErrorCode.EXPANSION_LIMIT_EXCEET });
    // Two devices with the same stale view: the first takes 8 of the 10 free keys, the second gets 2 of its 5.
    await ok(call((cb) => alice.im.updateMessageExpansion(keys('a', 8), { ...message, expansion: known }, cb)), 'alice 8');
    // Bob sees the message in his conversation with alice.
    const atBob = { ...message, targetId: alice.userId, expansion: known };
    await ok(call((cb) => bob.im.updateMessageExpansion(keys('b', 5), atBob, cb)), 'bob 5 (3 dropped)');
    expect(await call((cb) => bob.im.updateMessageExpansion({ c0: 'v' }, atBob, cb))).toMatchObject({ ok: false, code: ErrorCode.EXPANSION_LIMIT_EXCEET });
    // Alice heard only the two keys that were kept.
    for (let i = 0; i < 50 && !heard.some((e) => 'b0' in e); i += 1) await delay(100);
    expect(heard.filter((e) => 'b0' in e)).toEqual([{ b0: 'v0', b1: 'v1' }]);
    // Existing keys stay updatable when full.
    await ok(call((cb) => bob.im.updateMessageExpansion({ k0: 'changed' }, atBob, cb)), 'update existing');
    const stored = (await historyOf(bob, alice.userId)).find((m) => m.messageUId === message.messageUId);
    const expansion = stored?.expansion ?? {};
    expect(Object.keys(expansion)).toHaveLength(300);
    expect(expansion).toMatchObject({ ...keys('a', 8), b0: 'v0', b1: 'v1', k0: 'changed' });
    expect(expansion['b2']).toBeUndefined();
  });
});

describe('sensitive words', () => {
  let api: ServerApiClient;
  beforeAll(() => {
    api = serverApi(server.url, WORDS_APP.key, WORDS_APP.secret);
  });

  test('a block word: the sender gets 21501 (failed message without uid) and the blocked-message listener (with it), nobody receives; a replace word is replaced for the receivers', async () => {
    expect((await api.post('/sensitiveword/add.json', { word: 'forbidden' })).body).toEqual({ code: 200 });
    expect((await api.post('/sensitiveword/add.json', { word: 'darn', replaceWord: '****' })).body).toEqual({ code: 200 });
    const alice = await online('alice', WORDS_APP);
    const aliceWeb = await online('alice', WORDS_APP, { userId: alice.userId, token: alice.token, storage: createMemoryStorage() });
    const bob = await online('bob', WORDS_APP);
    const blocked: unknown[] = [];
    alice.client.setMessageBlockedListener({ onReceived: (info: unknown) => blocked.push(info) });

    const refused = await sendText(alice, bob.userId, 'this is Forbidden stuff');
    // The failed message has no uid like every failed send (API_CHECKLIST §3.6); the listener gets the refused one's.
    expect(refused).toMatchObject({ ok: false, code: ErrorCode.SENSITIVE_SHIELD, data: { sentStatus: 20, messageUId: '' } });
    for (let i = 0; i < 20 && blocked.length === 0; i += 1) await delay(50);
    expect(blocked).toEqual([expect.objectContaining({ conversationType: PRIVATE, targetId: bob.userId, blockType: 2, blockedMessageUid: expect.stringMatching(/^[0-9A-V]{4}(-[0-9A-V]{4}){3}$/) })]);
    expect(blocked[0]).toMatchObject({ blockedMessageUId: (blocked[0] as { blockedMessageUid: string }).blockedMessageUid });

    const replaced = await sent(alice, bob.userId, 'oh DARN, darnit');
    expect(replaced.content['content']).toBe('oh DARN, darnit');
    const atBob = await bob.next((m) => m.messageUId === replaced.messageUId);
    expect(atBob.content['content']).toBe('oh ****, ****it');
    const atWeb = await aliceWeb.next((m) => m.messageUId === replaced.messageUId);
    expect(atWeb.content['content']).toBe('oh ****, ****it');
    expect((await historyOf(bob, alice.userId)).map((m) => m.content['content'])).toEqual(['oh ****, ****it']);
    expect(bob.received.some((r) => String(r.message.content['content']).includes('orbidden'))).toBe(false);
    expect(aliceWeb.received.some((r) => String(r.message.content['content']).includes('orbidden'))).toBe(false);

    // Other message types are not screened; a removed word no longer blocks.
    await ok(call((cb) => alice.im.sendMessage(PRIVATE, bob.userId, new TextMessage({ content: 'ok', extra: 'forbidden' }), cb)), 'extra is not screened');
    expect((await api.post('/sensitiveword/delete.json', { word: 'forbidden' })).body).toEqual({ code: 200 });
    await sent(alice, bob.userId, 'forbidden is fine now');
    expect((await api.post('/sensitiveword/batch/delete.json', { words: ['darn'] })).body).toEqual({ code: 200 });
    expect((await api.post('/sensitiveword/list.json', {})).body).toEqual({ code: 200, words: [] });
  });
});
