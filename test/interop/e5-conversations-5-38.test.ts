/**
 * What an app built on the official imlib-next 5.38 sees of its conversations against our server: top and its sync to a
 * second 5.38 page of the same user, notification levels (and what a 2.9.2 page and our SDK of the same user make of
 * them), the lists 5.38 builds from its cache and completes with `qryRLBatch` (top, blocked, tag pages), tags, remote
 * history paging, remote delete / clear, the conversation list's paging and offline sync.
 */
import { call, ok } from '../e2e/sdk-api-support';
import { MULTI_DEVICE_APP } from '../support/official-client/interop-fixture';
import { PRIVATE, eventually, sleep, textOf, useE5AppSession } from '../support/official-client-e5/e5-app-session';
import type { E5Conversation as Conv, E5HistoryPage as Page } from '../support/official-client-e5/e5-app-session';
import type { E5Client, E5Message } from '../support/official-client-e5/launch-e5-client';

const APP = MULTI_DEVICE_APP;

describe('official imlib-next 5.38: conversations', () => {
  const { fixture, publish, launch, ours, launchAliceTwiceAndBob } = useE5AppSession('5.38');
  let aliceId = '';
  let bobId = '';
  let alice1: E5Client;
  let alice2: E5Client;
  let bob: E5Client;

  beforeAll(async () => {
    ({ aliceId, bobId, alice1, alice2, bob } = await launchAliceTwiceAndBob());
  }, 90_000);

  it('top: set on one page reaches the second page; getTopConversationList and getBlockedConversationList come with the latest message (qryRLBatch)', async () => {
    const sent = await bob.sendText(PRIVATE, aliceId, 'make me top');
    await alice1.nextMessage((m) => m.messageUId === sent.messageUId);
    await alice2.nextMessage((m) => m.messageUId === sent.messageUId);
    const conv = { conversationType: PRIVATE, targetId: bobId };
    await alice1.ok('setConversationToTop', conv, true);
    expect((await alice1.ok<Conv>('getConversation', conv)).isTop).toBe(true);
    const onOther = await eventually(() => alice2.ok<Conv>('getConversation', conv), (c) => c?.isTop === true);
    expect(onOther.isTop).toBe(true);

    // 5.38 builds these lists from its cache and fills latestMessage with qryRLBatch; a refusal fails the call (39002).
    const tops = await alice1.call<Conv[]>('getTopConversationList');
    expect(tops.code).toBe(0);
    const top = (tops.data ?? []).find((c) => c.targetId === bobId);
    expect(top?.latestMessage?.messageUId).toBe(sent.messageUId);
    expect(top?.latestMessage?.content?.['content']).toBe('make me top');
    const otherTops = await eventually(() => alice2.ok<Conv[]>('getTopConversationList'), (l) => l.some((c) => c.targetId === bobId));
    expect(otherTops.find((c) => c.targetId === bobId)?.latestMessage?.messageUId).toBe(sent.messageUId);

    await alice1.ok('setConversationNotificationLevel', conv, 1);
    const blocked = await alice1.call<Conv[]>('getBlockedConversationList');
    expect(blocked.code).toBe(0);
    expect((blocked.data ?? []).find((c) => c.targetId === bobId)?.latestMessage?.messageUId).toBe(sent.messageUId);
    await alice1.ok('setConversationNotificationLevel', conv, 0);
    expect((await alice1.ok<Conv[]>('getBlockedConversationList')).map((c) => c.targetId)).not.toContain(bobId);

    await alice1.ok('setConversationToTop', conv, false);
    const offOther = await eventually(() => alice2.ok<Conv>('getConversation', conv), (c) => c?.isTop === false);
    expect(offOther.isTop).toBe(false);
    expect((await alice1.ok<Conv[]>('getTopConversationList')).map((c) => c.targetId)).not.toContain(bobId);
  });

  it('notification levels: every NotificationLevel is kept as set and reaches the second 5.38 page', async () => {
    const conv = { conversationType: PRIVATE, targetId: bobId };
    for (const level of [5, -1, 2, 4, 1, 0]) {
      expect((await alice1.call('setConversationNotificationLevel', conv, level)).code).toBe(0);
      expect(await alice1.ok<number>('getConversationNotificationLevel', conv)).toBe(level);
      expect(await eventually(() => alice2.ok<number>('getConversationNotificationLevel', conv), (v) => v === level)).toBe(level);
    }
  });

  it('notification levels on 5.38 are do-not-disturb (1, 2, 4, 5) or not (-1, 0) for a 2.9.2 page and our SDK of the same user', async () => {
    const dan = fixture.newUserId('dan');
    const official = await fixture.online('alice-v2', {}, APP, aliceId);
    const mine = await ours('alice-ours', { userId: aliceId });
    await publish(dan, aliceId, 'unread 1');
    await publish(dan, aliceId, 'unread 2');
    await mine.next((m) => (m.content as { content?: string }).content === 'unread 2', 15_000);
    const total = async (includeMuted: boolean): Promise<number> => ok(call<number>((cb) => mine.im.getTotalUnreadCount(cb, [PRIVATE], includeMuted)), 'getTotalUnreadCount');
    const base = await total(true);
    expect(await total(false)).toBe(base);

    const conv = { conversationType: PRIVATE, targetId: dan };
    // Each step flips on/off, so the 2.9.2 page reports a change each time.
    for (const [level, muted] of [[5, true], [-1, false], [2, true], [0, false], [4, true]] as const) {
      const seen = official.client.conversationStatusChanges.length;
      await alice1.ok('setConversationNotificationLevel', conv, level);
      // 2.9.2: notificationStatus 1 = DO_NOT_DISTURB, 2 = NOTIFY.
      const latest = async (): Promise<number | undefined> => official.client.conversationStatusChanges.slice(seen).flat().filter((c) => c.targetId === dan).pop()?.notificationStatus;
      expect(await eventually(latest, (v) => v !== undefined)).toBe(muted ? 1 : 2);
      // Our SDK: the muted conversation's 2 unread leave the total unless includeMuted.
      expect(await eventually(() => total(false), (n) => n === (muted ? base - 2 : base))).toBe(muted ? base - 2 : base);
      expect(await total(true)).toBe(base);
    }
    await alice1.ok('setConversationNotificationLevel', conv, 0);
  });

  it('tags: unread by tag, top in tag, tag sync to the other page and getConversationsFromTagByPage with the latest message', async () => {
    const frank = fixture.newUserId('frank');
    await publish(frank, aliceId, 'tag unread 1');
    await publish(frank, aliceId, 'tag unread 2');
    const last = await alice1.nextMessage((m) => textOf(m) === 'tag unread 2', 15_000);
    const tagId = `t${Date.now() % 100000}`;
    const conv = { conversationType: PRIVATE, targetId: frank };
    await alice1.ok('addTag', { tagId, tagName: 'Interop' });
    await alice1.ok('addConversationsToTag', tagId, [conv]);
    expect(await alice1.ok<number>('getUnreadCountByTag', tagId, true)).toBe(2);
    await alice1.ok('setConversationToTopInTag', tagId, conv, true);
    const otherTags = await eventually(() => alice2.ok<Array<{ tagId: string }>>('getTags'), (l) => l.some((t) => t.tagId === tagId));
    expect(otherTags.map((t) => t.tagId)).toContain(tagId);
    const otherOnConv = await eventually(() => alice2.ok<Array<{ tagId: string }>>('getTagsFromConversation', conv), (l) => l.some((t) => t.tagId === tagId));
    // 5.38's getTagsFromConversation reports { tagId, tagName } only (engine getTagsForConversation).
    expect(otherOnConv.find((t) => t.tagId === tagId)).toMatchObject({ tagId, tagName: 'Interop' });

    const inTag = await alice1.call<Conv[]>('getConversationsFromTagByPage', tagId, 10, 0);
    expect(inTag.code).toBe(0);
    expect((inTag.data ?? []).map((c) => c.targetId)).toEqual([frank]);
    expect(inTag.data?.[0]?.isTopInTag).toBe(true);
    expect(inTag.data?.[0]?.latestMessage?.messageUId).toBe(last.messageUId);
  });

  it('remote history: paging back and forward by timestamp and count, each page oldest first, with hasMore', async () => {
    const carol = fixture.newUserId('carol');
    for (let i = 0; i < 6; i++) {
      expect((await publish(carol, aliceId, `h${i}`)).status).toBe(200);
      await sleep(15);
    }
    await alice1.nextMessage((m) => textOf(m) === 'h5', 15_000);
    const conv = { conversationType: PRIVATE, targetId: carol };
    const newest = await alice1.ok<Page>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 3, order: 0 });
    expect(newest.list.map(textOf)).toEqual(['h3', 'h4', 'h5']);
    expect(newest.hasMore).toBe(true);
    const older = await alice1.ok<Page>('getRemoteHistoryMessages', conv, { timestamp: newest.list[0]!.sentTime, count: 3, order: 0 });
    expect(older.list.map(textOf)).toEqual(['h0', 'h1', 'h2']);
    expect(older.hasMore).toBe(false);
    // Order 1 (newer than timestamp): 5.38 keeps the server's order for these pages (it reverses order-0 pages only).
    const newer = await alice1.ok<Page>('getRemoteHistoryMessages', conv, { timestamp: older.list[0]!.sentTime, count: 3, order: 1 });
    expect(newer.list.map(textOf)).toEqual(['h1', 'h2', 'h3']);
    expect(newer.hasMore).toBe(true);
    const rest = await alice1.ok<Page>('getRemoteHistoryMessages', conv, { timestamp: newer.list[2]!.sentTime, count: 3, order: 1 });
    expect(rest.list.map(textOf)).toEqual(['h4', 'h5']);
    expect(rest.hasMore).toBe(false);
  });

  it('conversation list: count and startTime paging, latest message and unread count', async () => {
    const peers = [fixture.newUserId('p0'), fixture.newUserId('p1'), fixture.newUserId('p2')];
    for (const p of peers) {
      await publish(p, bobId, `from ${p}`);
      await sleep(30);
    }
    await bob.nextMessage((m) => textOf(m) === `from ${peers[2]}`, 15_000);
    const page1 = await bob.ok<Conv[]>('getConversationList', { count: 2, startTime: 0, order: 0 });
    expect(page1.map((c) => c.targetId)).toEqual([peers[2], peers[1]]);
    const page2 = await bob.ok<Conv[]>('getConversationList', { count: 2, startTime: page1[1]?.latestMessage?.sentTime ?? 0, order: 0 });
    expect(page2.map((c) => c.targetId)[0]).toBe(peers[0]);
    const conv = await bob.ok<Conv>('getConversation', { conversationType: PRIVATE, targetId: peers[0] });
    expect(conv.latestMessage?.content?.['content']).toBe(`from ${peers[0]}`);
    expect(conv.unreadMessageCount).toBe(1);
  });

  it('conversation list order 1: 5.38 asks qryRelationR for the conversations after startTime and lists them oldest first', async () => {
    const owner = fixture.newUserId('lo');
    const peers = [fixture.newUserId('lq0'), fixture.newUserId('lq1'), fixture.newUserId('lq2')];
    for (const peer of peers) {
      await publish(peer, owner, `lo from ${peer}`);
      await sleep(30);
    }
    const page = await launch('lo', owner);
    await page.nextMessage((m) => textOf(m) === `lo from ${peers[2]}`, 15_000);
    const ids = (list: readonly Conv[]): string[] => list.map((c) => c.targetId);
    const all = await page.ok<Conv[]>('getConversationList', { count: 10, startTime: 0, order: 0 });
    expect(ids(all)).toEqual([peers[2], peers[1], peers[0]]);
    const first = await page.ok<Conv[]>('getConversationList', { count: 2, startTime: 0, order: 1 });
    expect(ids(first)).toEqual([peers[0], peers[1]]);
    const next = await page.ok<Conv[]>('getConversationList', { count: 2, startTime: first[1]!.latestMessage!.sentTime, order: 1 });
    expect(ids(next)).toEqual([peers[2]]);
    await page.kill();
  });

  it('remote delete and clear: deleteMessages / clearHistoryMessages reach the server for this user only', async () => {
    const erin = fixture.newUserId('erin');
    for (const t of ['d0', 'd1', 'd2']) {
      await publish(erin, aliceId, t);
      await sleep(15);
    }
    await alice1.nextMessage((m) => textOf(m) === 'd2', 15_000);
    const conv = { conversationType: PRIVATE, targetId: erin };
    const before = await alice1.ok<Page>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 20, order: 0 });
    const d1 = before.list.find((m) => textOf(m) === 'd1') as E5Message;
    await alice1.ok('deleteMessages', conv, [{ messageUId: d1.messageUId, sentTime: d1.sentTime, messageDirection: 2 }]);
    const after = await alice1.ok<Page>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 20, order: 0 });
    expect(after.list.map(textOf)).toEqual(['d0', 'd2']);
    const d2 = after.list.find((m) => textOf(m) === 'd2') as E5Message;
    await alice1.ok('clearHistoryMessages', conv, d2.sentTime);
    const cleared = await alice2.ok<Page>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 20, order: 0 });
    expect(cleared.list.map(textOf)).toEqual([]);
  });

  it('offline sync: messages sent while the page was offline arrive once, in order, with their unread count', async () => {
    const gina = fixture.newUserId('gina');
    const page = await launch('bob-off', bobId);
    await page.call('disconnect');
    await sleep(300);
    for (let i = 0; i < 5; i++) {
      await publish(gina, bobId, `off${i}`);
      await sleep(10);
    }
    const seen = page.messages.length;
    expect((await page.connect(await fixture.tokenFor(bobId, APP))).code).toBe(0);
    await page.nextMessage((m) => textOf(m) === 'off4', 15_000);
    await sleep(1500);
    const got = page.messages.slice(seen).filter((m) => String(textOf(m)).startsWith('off')).map(textOf);
    expect(got).toEqual(['off0', 'off1', 'off2', 'off3', 'off4']);
    expect(await page.ok<number>('getUnreadCount', { conversationType: PRIVATE, targetId: gina })).toBe(5);
    await page.kill();
  });
});
