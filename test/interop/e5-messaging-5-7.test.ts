/**
 * App-level messaging of the official imlib-next 5.7.3 against our server, beyond e5-interop-suite.ts: refusal codes
 * (blacklist, group membership, gag, too long, send rate), recall, typing, expansion (private and group, and from the
 * Server API), @mentions and directional group messages, read receipts (private, group V1 and V2 with `getMessageReader`),
 * content sizes, isOffLineMessage, the file token, Server API system / broadcast messages, and a 2.9.2 page of the same
 * user. The 5.38 counterpart is e5-messaging-5-38.test.ts.
 */
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import type { TestApp } from '../support/server-launcher';
import { MULTI_DEVICE_APP } from '../support/official-client/interop-fixture';
import { GROUP, PRIVATE, eventually, sleep, textOf, useE5AppSession } from '../support/official-client-e5/e5-app-session';
import type { E5Conversation, E5HistoryPage } from '../support/official-client-e5/e5-app-session';
import type { E5Client, E5Message, ListenerEvent } from '../support/official-client-e5/launch-e5-client';

const APP = MULTI_DEVICE_APP;

/** navi grpRRVer 1: group read receipts v2 (rrMsg / rrList). */
const RRV2_APP: TestApp = { key: 'lxe5rrv2', secret: 'lxe5rrv2secret', options: { groupReadReceiptV2: true } };

describe('official imlib-next 5.7.3: messaging', () => {
  const { fixture, api, publish, launch, expectClean, launchAliceTwiceAndBob } = useE5AppSession('5.7', { apps: [DEFAULT_TEST_APP, MULTI_DEVICE_APP, RRV2_APP] });
  let aliceId = '';
  let bobId = '';
  let alice1: E5Client;
  let alice2: E5Client;
  let bob: E5Client;

  beforeAll(async () => {
    ({ aliceId, bobId, alice1, alice2, bob } = await launchAliceTwiceAndBob());
  }, 90_000);

  it('refusals: blacklisted sender 405, not in group 22406, gagged member 22408', async () => {
    await sleep(1_100);
    const dave = fixture.newUserId('dave');
    expect((await api().post('/user/blacklist/add.json', { userId: dave, blackUserId: [bobId] })).status).toBe(200);
    const toDave = await bob.call('sendMessage', { conversationType: PRIVATE, targetId: dave }, { $message: 'TextMessage', content: { content: 'blocked?' } });
    expect(toDave.code).toBe(405);
    const groupId = fixture.newUserId('g');
    expect((await api().post('/group/create.json', { userId: [aliceId, dave], groupId, groupName: 'interop' })).status).toBe(200);
    const notIn = await bob.call('sendMessage', { conversationType: GROUP, targetId: groupId }, { $message: 'TextMessage', content: { content: 'not a member' } });
    expect(notIn.code).toBe(22406);
    expect((await api().post('/group/user/gag/add.json', { userId: aliceId, groupId, minute: 10 })).status).toBe(200);
    const gagged = await alice1.call('sendMessage', { conversationType: GROUP, targetId: groupId }, { $message: 'TextMessage', content: { content: 'gagged' } });
    expect(gagged.code).toBe(22408);
  });

  it('too-long content: a text over 128 KiB is refused, the session keeps working', async () => {
    await sleep(1_100);
    const big = 'x'.repeat(140 * 1024);
    const r = await alice1.call('sendMessage', { conversationType: PRIVATE, targetId: bobId }, { $message: 'TextMessage', content: { content: big } });
    expect([30016, 34206]).toContain(r.code);
    const after = await alice1.sendText(PRIVATE, bobId, 'after too long');
    await bob.nextMessage((m) => m.messageUId === after.messageUId);
  });

  it('recall with disableNotification: the peer gets the recall, history drops the message', async () => {
    await sleep(1_100);
    const sent = await alice1.sendText(PRIVATE, bobId, 'recall quietly');
    await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    const recalled = await alice1.call<E5Message>('recallMessage', { conversationType: PRIVATE, targetId: bobId }, { messageUId: sent.messageUId, sentTime: sent.sentTime, disableNotification: true });
    expect(recalled.code).toBe(0);
    const recall = await bob.nextMessage((m) => (m.messageType === 'RC:RcCmd' || m.messageType === 'RC:RcNtf') && m.content['messageUId'] === sent.messageUId);
    expect(recall.senderUserId).toBe(aliceId);
    // alice's other page learns of it too
    await alice2.nextMessage((m) => (m.messageType === 'RC:RcCmd' || m.messageType === 'RC:RcNtf') && m.content['messageUId'] === sent.messageUId);
    const hist = await bob.ok<{ list: E5Message[] }>('getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: aliceId }, { timestamp: 0, count: 50, order: 0 });
    expect(hist.list.some((m) => m.messageUId === sent.messageUId && m.messageType === 'RC:TxtMsg')).toBe(false);
  });

  it('typing status reaches the peer as TYPING_STATUS', async () => {
    expect((await alice1.call('sendTypingStatusMessage', { conversationType: PRIVATE, targetId: bobId }, 'RC:TxtMsg')).code).toBe(0);
    const ev = await bob.waitForEvent((e) => e.name === 'TYPING_STATUS' && JSON.stringify(e.data).includes(aliceId), 8_000);
    expect(JSON.stringify(ev.data)).toContain('RC:TxtMsg');
  });

  it('expansion: update / remove reach the peer (EXPANSION) and are in remote history', async () => {
    await sleep(1_100);
    const sent = await alice1.ok<E5Message>('sendMessage', { conversationType: PRIVATE, targetId: bobId },
      { $message: 'TextMessage', content: { content: 'expand me' } }, { canIncludeExpansion: true, expansion: { a: '1' } });
    const atBob = await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    expect((atBob as unknown as { expansion?: Record<string, string> }).expansion).toEqual({ a: '1' });
    await alice1.ok('updateMessageExpansion', { b: '2' }, sent);
    const ev = await bob.waitForEvent((e) => e.name === 'EXPANSION' && JSON.stringify(e.data).includes(sent.messageUId), 8_000);
    expect(JSON.stringify(ev.data)).toContain('"b":"2"');
    await alice1.ok('removeMessageExpansionForKey', ['a'], sent);
    await bob.waitForEvent((e) => e.name === 'EXPANSION' && JSON.stringify(e.data).includes('deletedExpansion'), 8_000);
    const hist = await bob.ok<{ list: Array<E5Message & { expansion?: Record<string, string> }> }>(
      'getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: aliceId }, { timestamp: 0, count: 20, order: 0 });
    expect(hist.list.find((m) => m.messageUId === sent.messageUId)?.expansion).toEqual({ b: '2' });
  });

  it('own sends reach the other 5.7.3 page of the same user (and a 2.9.2 page); top set on 2.9.2 reaches 5.7.3', async () => {
    await sleep(1_100);
    const official = await fixture.online('alice-v2', {}, APP, aliceId);
    const fromE5 = await alice1.sendText(PRIVATE, bobId, 'e5 own send');
    const atOther = await alice2.nextMessage((m) => m.messageUId === fromE5.messageUId);
    expect(atOther.senderUserId).toBe(aliceId);
    expect(atOther.targetId).toBe(bobId);
    const atV2 = await official.client.nextMessage((m) => m.messageUId === fromE5.messageUId);
    expect(atV2.senderUserId).toBe(aliceId);
    const fromV2 = await official.client.sendText(PRIVATE, bobId, 'v2 own send');
    if (!fromV2.ok) throw new Error('2.9.2 send failed');
    const atE5 = await alice1.nextMessage((m) => m.messageUId === fromV2.value.messageUId);
    expect(atE5.senderUserId).toBe(aliceId);
    expect(atE5.targetId).toBe(bobId);
    expect((await official.client.call('setConversationStatus', PRIVATE, bobId, { isTop: true })).ok).toBe(true);
    const conv = { conversationType: PRIVATE, targetId: bobId };
    const onE5 = await eventually(() => alice1.ok<E5Conversation>('getConversation', conv), (c) => c?.isTop === true);
    expect(onE5.isTop).toBe(true);
    await alice1.ok('setConversationToTop', conv, false);
  });

  it('private read receipt: sendReadReceiptMessage reaches the sender as READ_RECEIPT_RECEIVED', async () => {
    await sleep(1_100);
    const sent = await alice1.sendText(PRIVATE, bobId, 'read me privately');
    await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    const r = await bob.call('sendReadReceiptMessage', aliceId, sent.messageUId, sent.sentTime);
    expect(r.code).toBe(0);
    const ev = await alice1.waitForEvent((e) => e.name === 'READ_RECEIPT_RECEIVED' && JSON.stringify(e.data).includes(bobId), 8_000);
    expect(JSON.stringify(ev.data)).toContain(sent.messageUId);
  });

  it('group read receipt: request then response reach the sender as MESSAGE_RECEIPT_RESPONSE', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('rg');
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId], groupId, groupName: 'rr' })).status).toBe(200);
    const sent = await alice1.sendText(GROUP, groupId, 'group read me');
    await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    expect((await alice1.call('sendReadReceiptRequest', groupId, sent.messageUId)).code).toBe(0);
    await sleep(500);
    // grpRRVer 0: sendReadReceiptResponseV2 sends an RC:RRRspMsg to the group (sendReadReceiptResponse throws "deprecated").
    expect((await bob.call('sendReadReceiptResponseV2', groupId, { [aliceId]: [sent.messageUId] })).code).toBe(0);
    const ev = await alice1.waitForEvent((e) => e.name === 'MESSAGE_RECEIPT_RESPONSE' && JSON.stringify(e.data).includes(sent.messageUId), 8_000);
    expect(JSON.stringify(ev.data)).toContain(bobId);
  });

  it('group read receipt V2 (grpRRVer 1): sendReadReceiptResponseV2 (rrMsg) and getMessageReader (rrList)', async () => {
    const s = fixture.newUserId('rrv2s');
    const r = fixture.newUserId('rrv2r');
    const third = fixture.newUserId('rrv2t');
    const sender = await launch('rrv2s', s, RRV2_APP);
    const reader = await launch('rrv2r', r, RRV2_APP);
    const groupId = fixture.newUserId('rg2');
    expect((await api(RRV2_APP).post('/group/create.json', { userId: [s, r, third], groupId, groupName: 'rr2' })).status).toBe(200);
    const sent = await sender.sendText(GROUP, groupId, 'group v2 read me');
    await reader.nextMessage((m) => m.messageUId === sent.messageUId);
    const resp = await reader.call('sendReadReceiptResponseV2', groupId, { [s]: [sent.messageUId] });
    expect(resp.code).toBe(0);
    const readers = await sender.call<{ list: Array<{ userId: string; readTime: number }>; totalMemberCount: number }>('getMessageReader', groupId, sent.messageUId);
    expect(readers.code).toBe(0);
    expect((readers.data?.list ?? []).map((u) => u.userId)).toEqual([r]);
    expect(readers.data?.totalMemberCount).toBe(3);
    expectClean(sender);
    await sender.kill();
    await reader.kill();
  });

  it('group: @mention counted, directional message only to its target, recall reaches members', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('mg');
    const carl = fixture.newUserId('carl');
    const carlPage = await launch('carl', carl);
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId, carl], groupId, groupName: 'mention' })).status).toBe(200);
    const grp = { conversationType: GROUP, targetId: groupId };
    const mention = await alice1.ok<E5Message>('sendMessage', grp,
      { $message: 'TextMessage', content: { content: '@bob hi', mentionedInfo: { type: 2, userIdList: [bobId] } } },
      { isMentioned: true, mentionedType: 2, mentionedUserIdList: [bobId] });
    const atBob = await bob.nextMessage((m) => m.messageUId === mention.messageUId);
    expect((atBob as unknown as { isMentioned?: boolean }).isMentioned).toBe(true);
    expect(await bob.ok<number>('getUnreadMentionedCount', grp)).toBe(1);
    await carlPage.nextMessage((m) => m.messageUId === mention.messageUId);
    expect(await carlPage.ok<number>('getUnreadMentionedCount', grp)).toBe(0);

    const directed = await alice1.ok<E5Message>('sendMessage', grp, { $message: 'TextMessage', content: { content: 'only bob' } }, { directionalUserIdList: [bobId] });
    await bob.nextMessage((m) => m.messageUId === directed.messageUId);
    const after = await alice1.sendText(GROUP, groupId, 'for all');
    await carlPage.nextMessage((m) => m.messageUId === after.messageUId);
    await sleep(300);
    expect(carlPage.messages.map((m) => m.messageUId)).not.toContain(directed.messageUId);

    await alice1.ok('recallMessage', grp, { messageUId: after.messageUId, sentTime: after.sentTime });
    const rc = await carlPage.nextMessage((m) => (m.messageType === 'RC:RcCmd' || m.messageType === 'RC:RcNtf') && m.content['messageUId'] === after.messageUId);
    expect(rc).toMatchObject({ conversationType: GROUP, targetId: groupId, senderUserId: aliceId });
    const hist = await carlPage.ok<E5HistoryPage>('getRemoteHistoryMessages', grp, { timestamp: 0, count: 20, order: 0 });
    expect(hist.list.map((m) => m.messageUId)).not.toContain(directed.messageUId);
    expect(hist.list.some((m) => m.messageUId === after.messageUId && m.messageType === 'RC:TxtMsg')).toBe(false);
    expectClean(carlPage);
    await carlPage.kill();
  });

  it('recalling someone else\'s message is refused; the message stays', async () => {
    await sleep(1_100);
    const sent = await alice1.sendText(PRIVATE, bobId, 'not yours to recall');
    const atBob = await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    const r = await bob.call('recallMessage', { conversationType: PRIVATE, targetId: aliceId }, { messageUId: atBob.messageUId, sentTime: atBob.sentTime });
    expect(r.code).not.toBe(0);
    const hist = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: bobId }, { timestamp: 0, count: 20, order: 0 });
    expect(hist.list.some((m) => m.messageUId === sent.messageUId && m.messageType === 'RC:TxtMsg')).toBe(true);
  });

  it('@all in a group: every member counts it as a mention', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('allg');
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId], groupId, groupName: 'all' })).status).toBe(200);
    const grp = { conversationType: GROUP, targetId: groupId };
    const m = await alice1.ok<E5Message>('sendMessage', grp,
      { $message: 'TextMessage', content: { content: '@all', mentionedInfo: { type: 1, userIdList: [] } } },
      { isMentioned: true, mentionedType: 1 });
    await bob.nextMessage((x) => x.messageUId === m.messageUId);
    expect(await bob.ok<number>('getUnreadMentionedCount', grp)).toBe(1);
  });

  it('getFileToken answers a token and upload host for 5.7.3 (our upload server)', async () => {
    const r = await bob.call<Record<string, unknown>>('getFileToken', 1);
    expect(r.code).toBe(0);
    expect(JSON.stringify(r.data)).toMatch(/token/i);
  });

  it('group expansion: a member\'s expansion update reaches every member', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('exg');
    const kai = fixture.newUserId('kai');
    const kp = await launch('kai', kai);
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId, kai], groupId, groupName: 'ex' })).status).toBe(200);
    const sent = await alice1.ok<E5Message>('sendMessage', { conversationType: GROUP, targetId: groupId },
      { $message: 'TextMessage', content: { content: 'group expand' } }, { canIncludeExpansion: true, expansion: { s: '0' } });
    await kp.nextMessage((m) => m.messageUId === sent.messageUId);
    const atBob = await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    await bob.ok('updateMessageExpansion', { s: '1' }, atBob);
    const ev = await kp.waitForEvent((e) => e.name === 'EXPANSION' && JSON.stringify(e.data).includes(sent.messageUId), 8_000);
    expect(JSON.stringify(ev.data)).toContain('"s":"1"');
    await alice1.waitForEvent((e) => e.name === 'EXPANSION' && JSON.stringify(e.data).includes(sent.messageUId), 8_000);
    await kp.kill();
  });

  it('content size: what 5.7.3 lets through (JSON ≤ 131072 UTF-8 bytes) the server accepts, multi-byte included', async () => {
    await sleep(1_100);
    const wrap = '{"content":""}'.length;
    const ascii = 'a'.repeat(131072 - wrap);
    const r1 = await alice1.call<E5Message>('sendMessage', { conversationType: PRIVATE, targetId: bobId }, { $message: 'TextMessage', content: { content: ascii } });
    expect(r1.code).toBe(0);
    // 3-byte characters: 43686 × 3 = 131058 bytes of text
    const cjk = '汉'.repeat(Math.floor((131072 - wrap) / 3));
    const r2 = await alice1.call<E5Message>('sendMessage', { conversationType: PRIVATE, targetId: bobId }, { $message: 'TextMessage', content: { content: cjk } });
    expect(r2.code).toBe(0);
    const at = await bob.nextMessage((m) => m.messageUId === r2.data?.messageUId, 10_000);
    expect(String(textOf(at)).length).toBe(cjk.length);
    // 5.7.3 counts each UTF-16 surrogate as 3 bytes (6 per emoji) before sending: stay under its own count.
    const emoji = '😀'.repeat(Math.floor((131072 - wrap) / 6));
    const r3 = await alice1.call<E5Message>('sendMessage', { conversationType: PRIVATE, targetId: bobId }, { $message: 'TextMessage', content: { content: emoji } });
    expect(r3.code).toBe(0);
  });

  it('a private read receipt reaches every page of the sender; the reader\'s other page gets it as its own (no unread change by itself)', async () => {
    await sleep(1_100);
    const sent = await alice1.sendText(PRIVATE, bobId, 'read on bob');
    await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    expect((await bob.call('sendReadReceiptMessage', aliceId, sent.messageUId, sent.sentTime)).code).toBe(0);
    await alice1.waitForEvent((e) => e.name === 'READ_RECEIPT_RECEIVED' && JSON.stringify(e.data).includes(sent.messageUId), 8_000);
    await alice2.waitForEvent((e) => e.name === 'READ_RECEIPT_RECEIVED' && JSON.stringify(e.data).includes(sent.messageUId), 8_000);
  });

  it('send rate: past 5 a second 5.7.3 is answered 20604, then sends again', async () => {
    await sleep(1_100);
    const mo = fixture.newUserId('rate');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      alice1.call('sendMessage', { conversationType: PRIVATE, targetId: mo }, { $message: 'TextMessage', content: { content: `fast ${i}` } })));
    const codes = results.map((r) => r.code);
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(5);
    expect(codes.filter((c) => c !== 0).every((c) => c === 20604)).toBe(true);
    expect(codes.some((c) => c === 20604)).toBe(true);
    await sleep(1_100);
    expect((await alice1.call('sendMessage', { conversationType: PRIVATE, targetId: mo }, { $message: 'TextMessage', content: { content: 'slow again' } })).code).toBe(0);
  });

  it('group membership changes: a removed member is refused 22406 and gets nothing more; a dismissed group refuses everyone', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('memg');
    const ned = fixture.newUserId('ned');
    const np = await launch('ned', ned);
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId, ned], groupId, groupName: 'mem' })).status).toBe(200);
    const first = await alice1.sendText(GROUP, groupId, 'to all three');
    await np.nextMessage((m) => m.messageUId === first.messageUId);
    expect((await api().post('/group/quit.json', { userId: ned, groupId })).status).toBe(200);
    const refused = await np.call('sendMessage', { conversationType: GROUP, targetId: groupId }, { $message: 'TextMessage', content: { content: 'still here?' } });
    expect(refused.code).toBe(22406);
    const after = await alice1.sendText(GROUP, groupId, 'after ned left');
    await bob.nextMessage((m) => m.messageUId === after.messageUId);
    await sleep(500);
    expect(np.messages.map((m) => m.messageUId)).not.toContain(after.messageUId);
    expect((await api().post('/group/dismiss.json', { userId: aliceId, groupId })).status).toBe(200);
    const dismissed = await bob.call('sendMessage', { conversationType: GROUP, targetId: groupId }, { $message: 'TextMessage', content: { content: 'gone group' } });
    expect(dismissed.code).toBe(22406);
    await np.kill();
  });

  it('isOffLineMessage: true for what was synced on connect, false for live ones; sentTime agrees on both ends', async () => {
    const ria = fixture.newUserId('ria');
    await publish(bobId, ria, 'while away');
    const page = await launch('ria', ria);
    const away = await page.nextMessage((m) => textOf(m) === 'while away', 10_000);
    expect(away.isOffLineMessage).toBe(true);
    await sleep(1_100);
    const live1 = await bob.sendText(PRIVATE, ria, 'live now');
    const atRia = await page.nextMessage((m) => m.messageUId === live1.messageUId, 10_000);
    expect(atRia.isOffLineMessage).toBe(false);
    expect(atRia.sentTime).toBe(live1.sentTime);
    await page.kill();
  });

  it('Server API message/recall and message/expansion/set reach an online 5.7.3 recipient', async () => {
    const zed = fixture.newUserId('zed');
    const yul = fixture.newUserId('yul');
    const page = await launch('zed', zed);
    const sent = await api().post<{ code: number }>('/message/private/publish.json', { fromUserId: yul, toUserId: zed, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'api expand' }), expansion: 'true' });
    expect(sent.body.code).toBe(200);
    const msg = await page.nextMessage((m) => textOf(m) === 'api expand', 10_000);
    const ex = await api().post<{ code: number }>('/message/expansion/set.json', { msgUID: msg.messageUId, userId: yul, conversationType: PRIVATE, targetId: zed, extraKeyVal: JSON.stringify({ k: 'v' }) });
    expect(ex.body.code).toBe(200);
    const ev = await page.waitForEvent((e) => e.name === 'EXPANSION' && JSON.stringify(e.data).includes(msg.messageUId), 8_000);
    expect(JSON.stringify(ev.data)).toContain('"k":"v"');
    const rc = await api().post<{ code: number }>('/message/recall.json', { fromUserId: yul, conversationType: PRIVATE, targetId: zed, messageUID: msg.messageUId, sentTime: msg.sentTime });
    expect(rc.body.code).toBe(200);
    const recall = await page.nextMessage((m) => (m.messageType === 'RC:RcCmd' || m.messageType === 'RC:RcNtf') && m.content['messageUId'] === msg.messageUId, 10_000);
    expect(recall).toMatchObject({ conversationType: PRIVATE, targetId: yul, senderUserId: yul });
    expectClean(page);
    await page.kill();
  });

  it('Server API system publish and broadcast reach a 5.7.3 page online and one that connects later', async () => {
    const xia = fixture.newUserId('xia');
    const yan = fixture.newUserId('yan');
    const admin = fixture.newUserId('admin');
    await fixture.tokenFor(yan, APP); // registered: broadcasts go to registered users
    const page = await launch('xia', xia);
    const sys = await api().post<{ code: number }>('/message/system/publish.json', { fromUserId: admin, toUserId: xia, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'system hello' }) });
    expect(sys.body.code).toBe(200);
    const atXia = await page.nextMessage((m) => textOf(m) === 'system hello', 10_000);
    expect(atXia).toMatchObject({ conversationType: 6, targetId: admin, senderUserId: admin });
    const bc = await api().post<{ code: number }>('/message/broadcast.json', { fromUserId: admin, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'broadcast hello' }) });
    expect(bc.body.code).toBe(200);
    const b1 = await page.nextMessage((m) => textOf(m) === 'broadcast hello', 15_000);
    expect(b1.conversationType).toBe(6);
    const later = await launch('yan', yan);
    const b2 = await later.nextMessage((m) => textOf(m) === 'broadcast hello', 15_000);
    expect(b2.messageUId).toBe(b1.messageUId);
    await publish(admin, yan, 'after broadcast');
    await later.nextMessage((m) => textOf(m) === 'after broadcast', 10_000);
    await sleep(800);
    expect(later.messages.filter((m) => textOf(m) === 'broadcast hello')).toHaveLength(1);
    expectClean(later);
    await page.kill();
    await later.kill();
  });

  it('listener events are well-formed', () => {
    const bad = [alice1, alice2, bob].flatMap((c) => c.events).filter((e: ListenerEvent) => e.data === undefined);
    expect(bad).toEqual([]);
  });
});
