/**
 * What an app built on the official imlib-next 5.7.3 sees of its conversations against our server: top and notification
 * levels / status and their sync to a second 5.7.3 page, to a page that connects later and from the Server API; tags
 * (unread by tag, top in tag, the 20-tag limit, a tag's conversations, which 5.7.3 pages out of the conversation list);
 * the conversation list paged both ways (`qryRelationR` order 0 and 1); unread counts and the read sync; removing a
 * conversation; CONVERSATION events. The 5.38 counterpart is e5-conversations-5-38.test.ts.
 */
import { GROUP, PRIVATE, eventually, sleep, textOf, useE5AppSession } from '../support/official-client-e5/e5-app-session';
import type { E5Conversation } from '../support/official-client-e5/e5-app-session';
import type { E5Client, ListenerEvent } from '../support/official-client-e5/launch-e5-client';

describe('official imlib-next 5.7.3: conversations', () => {
  const { fixture, api, publish, launch, launchAliceTwiceAndBob } = useE5AppSession('5.7');
  let aliceId = '';
  let bobId = '';
  let alice1: E5Client;
  let alice2: E5Client;
  let bob: E5Client;

  beforeAll(async () => {
    ({ aliceId, bobId, alice1, alice2, bob } = await launchAliceTwiceAndBob());
  }, 90_000);

  it('top: set on one page reaches the second page; top and blocked lists carry the latest message', async () => {
    const sent = await bob.sendText(PRIVATE, aliceId, 'make me top');
    await alice1.nextMessage((m) => m.messageUId === sent.messageUId);
    await alice2.nextMessage((m) => m.messageUId === sent.messageUId);
    const conv = { conversationType: PRIVATE, targetId: bobId };
    await alice1.ok('setConversationToTop', conv, true);
    expect((await alice1.ok<E5Conversation>('getConversation', conv)).isTop).toBe(true);
    const onOther = await eventually(() => alice2.ok<E5Conversation>('getConversation', conv), (c) => c?.isTop === true);
    expect(onOther.isTop).toBe(true);
    const tops = await alice1.call<E5Conversation[]>('getTopConversationList');
    expect(tops.code).toBe(0);
    // 5.7.3 builds this list from its cache with latestMessage: null (engine ConversationManager.getTopConversationList).
    expect((tops.data ?? []).map((c) => c.targetId)).toContain(bobId);
    const otherTops = await eventually(() => alice2.ok<E5Conversation[]>('getTopConversationList'), (l) => l.some((c) => c.targetId === bobId));
    expect(otherTops.map((c) => c.targetId)).toContain(bobId);

    await alice1.ok('setConversationNotificationLevel', conv, 1);
    const blocked = await alice1.call<E5Conversation[]>('getBlockedConversationList');
    expect(blocked.code).toBe(0);
    expect((blocked.data ?? []).map((c) => c.targetId)).toContain(bobId);
    const otherBlocked = await eventually(() => alice2.ok<E5Conversation[]>('getBlockedConversationList'), (l) => l.some((c) => c.targetId === bobId));
    expect(otherBlocked.map((c) => c.targetId)).toContain(bobId);
    await alice1.ok('setConversationNotificationLevel', conv, 0);
    expect((await alice1.ok<E5Conversation[]>('getBlockedConversationList')).map((c) => c.targetId)).not.toContain(bobId);

    await alice1.ok('setConversationToTop', conv, false);
    const offOther = await eventually(() => alice2.ok<E5Conversation>('getConversation', conv), (c) => c?.isTop === false);
    expect(offOther.isTop).toBe(false);
  });

  it('notification levels: every level is kept as set and reaches the second 5.7.3 page', async () => {
    const conv = { conversationType: PRIVATE, targetId: bobId };
    for (const level of [5, -1, 2, 4, 1, 0]) {
      expect((await alice1.call('setConversationNotificationLevel', conv, level)).code).toBe(0);
      expect(await alice1.ok<number>('getConversationNotificationLevel', conv)).toBe(level);
      expect(await eventually(() => alice2.ok<number>('getConversationNotificationLevel', conv), (v) => v === level)).toBe(level);
    }
  });

  it('notification status (deprecated 1/2 API) round-trips and syncs', async () => {
    const conv = { conversationType: PRIVATE, targetId: bobId };
    await alice1.ok('setConversationNotificationStatus', conv, 1);
    expect(await alice1.ok<number>('getConversationNotificationStatus', conv)).toBe(1);
    expect(await eventually(() => alice2.ok<number>('getConversationNotificationStatus', conv), (v) => v === 1)).toBe(1);
    await alice1.ok('setConversationNotificationStatus', conv, 2);
    expect(await eventually(() => alice2.ok<number>('getConversationNotificationStatus', conv), (v) => v === 2)).toBe(2);
  });

  it('tags: unread by tag, top in tag, sync to the other page, conversations of a tag with the latest message', async () => {
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
    expect(otherOnConv.map((t) => t.tagId)).toContain(tagId);
    const inTag = await alice1.call<E5Conversation[]>('getConversationsFromTagByPage', tagId, 10, 0);
    expect(inTag.code).toBe(0);
    expect((inTag.data ?? []).map((c) => c.targetId)).toEqual([frank]);
    expect(inTag.data?.[0]?.isTopInTag).toBe(true);
    expect(inTag.data?.[0]?.latestMessage?.messageUId).toBe(last.messageUId);
    // rename and removal reach the other page
    await alice1.ok('updateTag', { tagId, tagName: 'Renamed' });
    const renamed = await eventually(() => alice2.ok<Array<{ tagId: string; tagName: string }>>('getTags'), (l) => l.some((t) => t.tagId === tagId && t.tagName === 'Renamed'));
    expect(renamed.find((t) => t.tagId === tagId)?.tagName).toBe('Renamed');
    await alice1.ok('removeTag', tagId);
    const gone = await eventually(() => alice2.ok<Array<{ tagId: string }>>('getTags'), (l) => !l.some((t) => t.tagId === tagId));
    expect(gone.map((t) => t.tagId)).not.toContain(tagId);
  });

  it('conversation list: count and startTime paging, latest message and unread count', async () => {
    const peers = [fixture.newUserId('p0'), fixture.newUserId('p1'), fixture.newUserId('p2')];
    for (const p of peers) {
      await publish(p, bobId, `from ${p}`);
      await sleep(30);
    }
    await bob.nextMessage((m) => textOf(m) === `from ${peers[2]}`, 15_000);
    const page1 = await bob.ok<E5Conversation[]>('getConversationList', { count: 2, startTime: 0, order: 0 });
    expect(page1.map((c) => c.targetId)).toEqual([peers[2], peers[1]]);
    const page2 = await bob.ok<E5Conversation[]>('getConversationList', { count: 2, startTime: page1[1]?.latestMessage?.sentTime ?? 0, order: 0 });
    expect(page2.map((c) => c.targetId)[0]).toBe(peers[0]);
    const conv = await bob.ok<E5Conversation>('getConversation', { conversationType: PRIVATE, targetId: peers[0] });
    expect(conv.latestMessage?.content?.['content']).toBe(`from ${peers[0]}`);
    expect(conv.unreadMessageCount).toBe(1);
  });

  it('conversation list order 1: the conversations after startTime (exclusive), oldest first, paged by the last one\'s time; 0 = from the first', async () => {
    const owner = fixture.newUserId('lo');
    const peers = [fixture.newUserId('lq0'), fixture.newUserId('lq1'), fixture.newUserId('lq2')];
    for (const peer of peers) {
      await publish(peer, owner, `lo from ${peer}`);
      await sleep(30);
    }
    const page = await launch('lo', owner);
    await page.nextMessage((m) => textOf(m) === `lo from ${peers[2]}`, 15_000);
    const ids = (list: readonly E5Conversation[]): string[] => list.map((c) => c.targetId);
    const all = await page.ok<E5Conversation[]>('getConversationList', { count: 10, startTime: 0, order: 0 });
    expect(ids(all)).toEqual([peers[2], peers[1], peers[0]]);
    const times = all.map((c) => c.latestMessage!.sentTime!);
    // 5.7.3 sends RelationQryInput.order 1 and hands the answer over as it comes (no re-sort): oldest first.
    expect(ids(await page.ok<E5Conversation[]>('getConversationList', { count: 10, startTime: times[2], order: 1 }))).toEqual([peers[1], peers[2]]);
    const first = await page.ok<E5Conversation[]>('getConversationList', { count: 2, startTime: 0, order: 1 });
    expect(ids(first)).toEqual([peers[0], peers[1]]);
    const next = await page.ok<E5Conversation[]>('getConversationList', { count: 2, startTime: first[1]!.latestMessage!.sentTime, order: 1 });
    expect(ids(next)).toEqual([peers[2]]);
    expect(await page.ok<E5Conversation[]>('getConversationList', { count: 2, startTime: times[0], order: 1 })).toEqual([]);
    // order 0 from the same startTime: before it, newest first.
    expect(ids(await page.ok<E5Conversation[]>('getConversationList', { count: 10, startTime: times[0], order: 0 }))).toEqual([peers[1], peers[0]]);
    // A removed conversation is left out of both directions.
    await page.ok('removeConversation', { conversationType: PRIVATE, targetId: peers[1] });
    expect(ids(await page.ok<E5Conversation[]>('getConversationList', { count: 10, startTime: 0, order: 1 }))).toEqual([peers[0], peers[2]]);
    await page.kill();
  });

  it('unread: counts, total, unread list, clearing, and the read sync reaches the second page', async () => {
    const gus = fixture.newUserId('gus');
    for (const t of ['u0', 'u1', 'u2']) {
      await publish(gus, aliceId, t);
      await sleep(10);
    }
    const last = await alice1.nextMessage((m) => textOf(m) === 'u2', 15_000);
    await alice2.nextMessage((m) => textOf(m) === 'u2', 15_000);
    const conv = { conversationType: PRIVATE, targetId: gus };
    expect(await alice1.ok<number>('getUnreadCount', conv)).toBe(3);
    // 5.7.3 counts a conversation in the total only with includeMuted, or once it has a notification status/level.
    expect(await alice1.ok<number>('getTotalUnreadCount', true)).toBeGreaterThanOrEqual(3);
    const unreadList = await alice1.ok<E5Conversation[]>('getUnreadConversationList');
    expect(unreadList.map((c) => c.targetId)).toContain(gus);
    await alice1.ok('clearMessagesUnreadStatus', conv);
    expect(await alice1.ok<number>('getUnreadCount', conv)).toBe(0);
    expect((await alice1.call('sendSyncReadStatusMessage', conv, last.sentTime)).code).toBe(0);
    expect(await eventually(() => alice2.ok<number>('getUnreadCount', conv), (n) => n === 0)).toBe(0);
    // (A fresh page of the same user counts unread locally from what it pulls: 3 without serverSaveUnread, as on RongCloud.)
  });

  it('own send from one page does not count as unread on the other page; removeConversation then a new message brings it back', async () => {
    await sleep(1_100);
    const conv = { conversationType: PRIVATE, targetId: bobId };
    await alice2.ok('clearMessagesUnreadStatus', conv);
    const own = await alice1.sendText(PRIVATE, bobId, 'mine, not unread');
    await alice2.nextMessage((m) => m.messageUId === own.messageUId);
    expect(await alice2.ok<number>('getUnreadCount', conv)).toBe(0);
    await alice1.ok('removeConversation', conv);
    expect((await alice1.ok<E5Conversation[]>('getConversationList', {})).map((c) => c.targetId)).not.toContain(bobId);
    const again = await bob.sendText(PRIVATE, aliceId, 'back again');
    await alice1.nextMessage((m) => m.messageUId === again.messageUId);
    const list = await alice1.ok<E5Conversation[]>('getConversationList', {});
    expect(list.find((c) => c.targetId === bobId)?.latestMessage?.messageUId).toBe(again.messageUId);
  });

  it('group read sync: sendSyncReadStatusMessage for a group reaches the other page', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('rsg');
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId], groupId, groupName: 'rs' })).status).toBe(200);
    const grp = { conversationType: GROUP, targetId: groupId };
    const m1 = await bob.sendText(GROUP, groupId, 'g unread 1');
    const m2 = await bob.sendText(GROUP, groupId, 'g unread 2');
    await alice1.nextMessage((m) => m.messageUId === m2.messageUId);
    await alice2.nextMessage((m) => m.messageUId === m2.messageUId);
    expect(await alice2.ok<number>('getUnreadCount', grp)).toBe(2);
    await alice1.ok('clearMessagesUnreadStatus', grp);
    expect((await alice1.call('sendSyncReadStatusMessage', grp, m2.sentTime)).code).toBe(0);
    expect(await eventually(() => alice2.ok<number>('getUnreadCount', grp), (x) => x === 0)).toBe(0);
    expect(m1.messageUId).not.toBe('');
  });

  it('CONVERSATION events: an incoming message raises an update with the latest message and unread count', async () => {
    await sleep(1_100);
    const seen = alice1.events.length;
    const sent = await bob.sendText(PRIVATE, aliceId, 'conv event');
    await alice1.nextMessage((m) => m.messageUId === sent.messageUId);
    const ev = await eventually(async () => alice1.events.slice(seen).filter((e) => e.name === 'CONVERSATION' && JSON.stringify(e.data).includes(sent.messageUId)), (l) => l.length > 0, 5_000);
    expect(ev.length).toBeGreaterThan(0);
    const upd = (ev[0]!.data as { conversationList?: Array<{ conversation: E5Conversation }> }).conversationList?.find((c) => c.conversation.targetId === bobId);
    expect(upd?.conversation.latestMessage?.messageUId).toBe(sent.messageUId);
  });

  it('conversation status set while a page was away reaches a page that connects later (top, level)', async () => {
    const tina = fixture.newUserId('tina');
    const uma = fixture.newUserId('uma');
    await publish(uma, tina, 'hello tina');
    const first = await launch('tina1', tina);
    await first.nextMessage((m) => textOf(m) === 'hello tina', 15_000);
    const conv = { conversationType: PRIVATE, targetId: uma };
    await first.ok('setConversationToTop', conv, true);
    await first.ok('setConversationNotificationLevel', conv, 2);
    await first.kill();
    const later = await launch('tina2', tina);
    await later.nextMessage((m) => textOf(m) === 'hello tina', 15_000);
    const got = await eventually(() => later.ok<E5Conversation>('getConversation', conv), (c) => c?.isTop === true && c?.notificationLevel === 2, 6_000);
    expect({ isTop: got?.isTop, level: got?.notificationLevel }).toEqual({ isTop: true, level: 2 });
    await later.kill();
  });

  it('Server API conversation/top/set and conversation/notification/set reach an online 5.7.3 page', async () => {
    const vic = fixture.newUserId('vic');
    const wes = fixture.newUserId('wes');
    const page = await launch('vic', vic);
    await publish(wes, vic, 'to vic');
    await page.nextMessage((m) => textOf(m) === 'to vic', 15_000);
    const conv = { conversationType: PRIVATE, targetId: wes };
    const top = await api().post<{ code: number }>('/conversation/top/set.json', { userId: vic, conversationType: PRIVATE, targetId: wes, setTop: 'true' });
    expect(top.body.code).toBe(200);
    expect((await eventually(() => page.ok<E5Conversation>('getConversation', conv), (c) => c?.isTop === true)).isTop).toBe(true);
    const mute = await api().post<{ code: number }>('/conversation/notification/set.json', { requestId: vic, conversationType: PRIVATE, targetId: wes, isMuted: 1 });
    expect(mute.body.code).toBe(200);
    const level = await eventually(() => page.ok<number>('getConversationNotificationLevel', conv), (v) => v !== 0 && v !== undefined);
    // isMuted=1 is level 5; 5.7.3 reads only an IsSilent value '1' as NotificationStatus OPEN (engine: `n === "1"`),
    // so its deprecated status says 2 for level 5 whatever the server: the level is what it keeps.
    expect(level).toBe(5);
    await page.kill();
  });

  it('tags: re-adding an id renames it, 20-tag limit, removal from conversations reaches the other page and a fresh page, paging a tag', async () => {
    const leo = fixture.newUserId('leo');
    const peers = [fixture.newUserId('tp0'), fixture.newUserId('tp1'), fixture.newUserId('tp2')];
    for (const p of peers) {
      await publish(p, leo, `tag from ${p}`);
      await sleep(30);
    }
    const l1 = await launch('leo1', leo);
    const l2 = await launch('leo2', leo);
    await l1.nextMessage((m) => textOf(m) === `tag from ${peers[2]}`, 15_000);
    await l1.ok('addTag', { tagId: 'T1', tagName: 'one' });
    // 5.7.3 sends addTag and updateTag alike (addSeTag, same payload): a second addTag of an id renames it.
    expect((await l1.call('addTag', { tagId: 'T1', tagName: 'again' })).code).toBe(0);
    for (let i = 2; i <= 20; i++) await l1.ok('addTag', { tagId: `T${i}`, tagName: `n${i}` });
    const over = await l1.call('addTag', { tagId: 'T21', tagName: 'too many' });
    expect(over.code).not.toBe(0);
    expect((await l1.ok<Array<{ tagId: string }>>('getTags')).length).toBe(20);

    const convs = peers.map((targetId) => ({ conversationType: PRIVATE, targetId }));
    await l1.ok('addConversationsToTag', 'T1', convs);
    await l1.ok('addConversationsToTag', 'T2', [convs[0]]);
    // 5.7.3 pages the whole conversation list (qryRelationR count/startTime), keeps the tag's and sorts them oldest first.
    const pageA = await l1.ok<E5Conversation[]>('getConversationsFromTagByPage', 'T1', 2, 0);
    expect(pageA.map((c) => c.targetId)).toEqual([peers[1], peers[2]]);
    const pageB = await l1.ok<E5Conversation[]>('getConversationsFromTagByPage', 'T1', 2, pageA[0]!.latestMessage!.sentTime);
    expect(pageB.map((c) => c.targetId)).toEqual([peers[0]]);

    await l1.ok('removeTagFromConversations', 'T1', [convs[1]]);
    await l1.ok('removeTagsFromConversation', convs[0], ['T1', 'T2']);
    const onOther = await eventually(() => l2.ok<Array<{ tagId: string }>>('getTagsFromConversation', convs[0]), (l) => l.length === 0);
    expect(onOther).toEqual([]);
    const fresh = await launch('leo3', leo);
    await sleep(800);
    const freshTags = await fresh.ok<Array<{ tagId: string }>>('getTags');
    expect(freshTags.length).toBe(20);
    const inT1 = await eventually(() => fresh.ok<E5Conversation[]>('getConversationsFromTagByPage', 'T1', 10, 0), (l) => l.length === 1);
    expect(inT1.map((c) => c.targetId)).toEqual([peers[2]]);
    expect((await fresh.ok<Array<{ tagId: string }>>('getTagsFromConversation', convs[2])).map((t) => t.tagId)).toEqual(['T1']);
    await l1.kill();
    await l2.kill();
    await fresh.kill();
  });

  it('listener events are well-formed', () => {
    const bad = [alice1, alice2, bob].flatMap((c) => c.events).filter((e: ListenerEvent) => e.data === undefined);
    expect(bad).toEqual([]);
  });
});
