/**
 * Interop (issue #7): the OFFICIAL web client (@rongcloud/imlib-v2 2.9.2 on engine 4.4.2) and our SDK as devices
 * of one user on our server — conversation tags both ways (`addSeTag`/`pullUS`, `addTag`/`pullSeAtts`), the
 * server's tag limit, top/DND both ways, message expansion kept on the server (history returns the merged
 * expansion to the official client) and sensitive words refusing/replacing the official client's messages.
 *
 * Not covered because the official runtime cannot do it: its `setConversationTagListener` never fires (engine
 * 4.4.2 has no caller for it), and its `getConversationListByTag` passes `count` and `startTime` swapped to the
 * server (so it only lists when `startTime` is a large count) — ours is checked in test/e2e/sdk-tags.test.ts.
 */
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { call, ok, sdkUser, type SdkUser } from '../e2e/sdk-api-support';
import { ConversationType } from '../support/official-client/official-message';
import type { OfficialMessage } from '../support/official-client/official-message';
import { delay, expectOk, MULTI_DEVICE_APP, privateHistory, sendTextOk, useInteropServer } from '../support/official-client/interop-fixture';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP } from '../support/server-launcher';

const PRIVATE = ConversationType.PRIVATE;
const fx = useInteropServer();
const ours: SdkUser[] = [];

afterEach(async () => {
  for (const user of ours.splice(0)) await user.im.disconnect();
});

/** Our SDK as another device of `userId` (own storage). */
async function ourDevice(userId: string, token: string, app = MULTI_DEVICE_APP): Promise<SdkUser> {
  const user = await sdkUser(fx.server, app, 'ours', { userId, token, storage: createMemoryStorage() });
  ours.push(user);
  return user;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await delay(150);
    value = await read();
  }
  if (!done(value)) throw new Error(`${what}: still ${JSON.stringify(value)}`);
  return value;
}

interface Tag {
  tagId: string;
  tagName: string;
  isTop?: boolean;
}

describe('official web client 2.9.2 ↔ our SDK on one user: tags, status, expansion', () => {
  test('tags created and assigned on either device show up on the other; 20 tags at most (26004)', async () => {
    const phone = await fx.online('alice-phone', {}, MULTI_DEVICE_APP);
    const web = await ourDevice(phone.userId, phone.token);
    let tagEvents = 0;
    let conversationTagEvents = 0;
    web.client.setTagListener({ onChanged: () => (tagEvents += 1) });
    web.client.setConversationTagListener({ onChanged: () => (conversationTagEvents += 1) });
    await web.connect();
    const bob = await fx.online('bob', {}, MULTI_DEVICE_APP);
    await sendTextOk(bob.client, phone.userId, 'hi alice');
    const conversation = { type: PRIVATE, targetId: bob.userId };

    // Official → ours.
    expectOk(await phone.client.call('createTag', { tagId: 'work', tagName: 'Work' }), 'official createTag');
    await until(() => ok(call<Tag[]>((cb) => web.im.getTagList(cb)), 'getTagList'), (l) => l.some((t) => t.tagId === 'work' && t.tagName === 'Work'), 'our tag list');
    await until(async () => tagEvents, (n) => n > 0, 'our tag listener');
    expectOk(await phone.client.call('addTagForConversations', 'work', [conversation]), 'official addTagForConversations');
    await until(() => ok(call<Tag[]>((cb) => web.im.getTagsForConversation(conversation, cb)), 'tags of bob'), (l) => l.length === 1, 'our conversation tags');
    await until(async () => conversationTagEvents, (n) => n > 0, 'our conversation tag listener');
    expectOk(await phone.client.call('setConversationStatusInTag', 'work', conversation, { isTop: true }), 'official top in tag');
    await until(() => ok(call<Tag[]>((cb) => web.im.getTagsForConversation(conversation, cb)), 'tags of bob'), (l) => l[0]?.isTop === true, 'top in tag on ours');

    // Ours → official (s_us → pullUS, s_cmd 3 → pullSeAtts on the official engine).
    await ok(call((cb) => web.im.createTag({ tagId: 'home', tagName: 'Home' }, cb)), 'our createTag');
    await until(async () => expectOk(await phone.client.call<Tag[]>('getTagList'), 'official getTagList'), (l) => l.some((t) => t.tagId === 'home'), 'official tag list');
    await ok(call((cb) => web.im.addTagForConversations('home', [conversation], cb)), 'our addTagForConversations');
    const officialTags = await until(
      async () => expectOk(await phone.client.call<Tag[]>('getTagsForConversation', conversation), 'official getTagsForConversation'),
      (l) => l.length === 2,
      'official conversation tags',
    );
    expect(officialTags.map((t) => [t.tagId, t.tagName]).sort()).toEqual([['home', 'Home'], ['work', 'Work']]);
    expect(expectOk(await phone.client.call<number>('getUnreadCountByTag', 'home', true), 'official unread by tag')).toBe(1);

    await ok(call((cb) => web.im.removeTag('work', cb)), 'our removeTag');
    await until(async () => expectOk(await phone.client.call<Tag[]>('getTagList'), 'official getTagList'), (l) => !l.some((t) => t.tagId === 'work'), 'removed on official');
    await until(
      async () => expectOk(await phone.client.call<Tag[]>('getTagsForConversation', conversation), 'official getTagsForConversation'),
      (l) => l.length === 1,
      'official links of the removed tag',
    );

    // The server's limit, as the official client reports it.
    for (let i = 0; i < 19; i += 1) expectOk(await phone.client.call('createTag', { tagId: `t${i}`, tagName: `T${i}` }), `createTag t${i}`);
    const refused = await phone.client.call('createTag', { tagId: 't19', tagName: 'T19' });
    expect(refused).toMatchObject({ ok: false, code: 26004 });
  });

  test('top / DND set on the official client reach our device and back', async () => {
    const phone = await fx.online('alice-phone', {}, MULTI_DEVICE_APP);
    const web = await ourDevice(phone.userId, phone.token);
    const changes: Array<{ targetId: string; isTop?: boolean; notificationStatus?: number }> = [];
    web.client.setConversationStatusListener({ onChanged: (list: typeof changes) => changes.push(...list) });
    await web.connect();
    const bob = await fx.online('bob', {}, MULTI_DEVICE_APP);
    await sendTextOk(bob.client, phone.userId, 'hello');

    expectOk(await phone.client.call('setConversationStatus', PRIVATE, bob.userId, { isTop: true }), 'official top');
    await until(async () => changes, (l) => l.some((c) => c.targetId === bob.userId && c.isTop === true), 'our status listener');
    await ok(call((cb) => web.im.setConversationStatus(PRIVATE, bob.userId, { notificationStatus: 1 }, cb)), 'our DND');
    const heard = await phone.client.waitForConversationStatus((c) => c.targetId === bob.userId && c.notificationStatus === 1, 10_000);
    expect(heard).toMatchObject({ conversationType: PRIVATE, isTop: true });
  });

  test('expansion updates by the official clients are kept on the server: history returns the merged expansion', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const sent = expectOk(
      await alice.client.sendMessage(PRIVATE, bob.userId, { className: 'TextMessage', content: { content: 'order' } }, false, '', '', undefined, {
        canIncludeExpansion: true,
        expansion: { status: 'new', k1: 'v1' },
      }),
      'send with expansion',
    );
    const received = await bob.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    expectOk(await bob.client.call('updateMessageExpansion', { status: 'paid' }, received), 'official update');
    await alice.client.waitForExpansion((e) => e.kind === 'updated' && e.info.messageUId === sent.messageUId, 10_000);
    expectOk(await alice.client.call('removeMessageExpansionForKey', ['k1'], sent), 'official remove');
    await bob.client.waitForExpansion((e) => e.kind === 'deleted' && e.info.messageUId === sent.messageUId, 10_000);

    const find = (list: readonly OfficialMessage[]): OfficialMessage | undefined => list.find((m) => m.messageUId === sent.messageUId);
    expect(find((await privateHistory(alice.client, bob.userId, 0, 20, 0)).list)).toMatchObject({ canIncludeExpansion: true, expansion: { status: 'paid' } });
    expect(find((await privateHistory(bob.client, alice.userId, 0, 20, 0)).list)?.expansion).toEqual({ status: 'paid' });
    // Our SDK reads the same from history.
    const ourBob = await ourDevice(bob.userId, bob.token, DEFAULT_TEST_APP);
    await ourBob.connect();
    const history = await ok(call<Array<{ messageUId: string; expansion: unknown }>>((cb) => ourBob.im.getHistoryMessages(PRIVATE, alice.userId, 0, 20, cb)), 'our history');
    expect(history.find((m) => m.messageUId === sent.messageUId)?.expansion).toEqual({ status: 'paid' });
  });

  test('sensitive words: the official sender gets 21501 for a block word; receivers get replaced text', async () => {
    const api = serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
    expect((await api.post('/sensitiveword/add.json', { word: 'interopblock' })).body).toEqual({ code: 200 });
    expect((await api.post('/sensitiveword/add.json', { word: 'interopswap', replaceWord: '~~' })).body).toEqual({ code: 200 });
    try {
      const alice = await fx.online('alice');
      const bob = await fx.online('bob');
      const refused = await alice.client.sendText(PRIVATE, bob.userId, 'say interopblock');
      expect(refused).toMatchObject({ ok: false, code: 21501 });
      const replaced = await sendTextOk(alice.client, bob.userId, 'say interopswap now');
      const atBob = await bob.client.nextMessage((m) => m.messageUId === replaced.messageUId, 10_000);
      expect(atBob.content['content']).toBe('say ~~ now');
      await delay(300);
      expect(bob.client.messages.some((m) => String(m.content['content']).includes('interopblock'))).toBe(false);
    } finally {
      await api.post('/sensitiveword/batch/delete.json', { words: ['interopblock', 'interopswap'] });
    }
  });
});
