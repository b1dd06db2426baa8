/**
 * App-level messaging of the official imlib-next 5.38 against our server, beyond e5-interop-suite.ts: the refusal codes
 * it reports, a too-long text, recall without notification, typing status, message expansion, and a 2.9.2 page and a
 * 5.38 page of the same user side by side.
 */
import { MULTI_DEVICE_APP } from '../support/official-client/interop-fixture';
import { GROUP, PRIVATE, eventually, sleep, useE5AppSession } from '../support/official-client-e5/e5-app-session';
import type { E5Client, E5Message } from '../support/official-client-e5/launch-e5-client';

const APP = MULTI_DEVICE_APP;

describe('official imlib-next 5.38: messaging', () => {
  const { fixture, api, launch } = useE5AppSession('5.38');
  let aliceId = '';
  let bobId = '';
  let alice: E5Client;
  let bob: E5Client;

  beforeAll(async () => {
    aliceId = fixture.newUserId('alice');
    bobId = fixture.newUserId('bob');
    alice = await launch('alice', aliceId);
    bob = await launch('bob', bobId);
  }, 90_000);

  it('refusals: blacklisted sender 405, not in group 22406, gagged member 22408', async () => {
    const dave = fixture.newUserId('dave');
    expect((await api().post('/user/blacklist/add.json', { userId: dave, blackUserId: [bobId] })).status).toBe(200);
    const toDave = await bob.call('sendMessage', { conversationType: PRIVATE, targetId: dave }, { $message: 'TextMessage', content: { content: 'blocked?' } });
    expect(toDave.code).toBe(405);

    const groupId = fixture.newUserId('g');
    expect((await api().post('/group/create.json', { userId: [aliceId, dave], groupId, groupName: 'interop' })).status).toBe(200);
    const notIn = await bob.call('sendMessage', { conversationType: GROUP, targetId: groupId }, { $message: 'TextMessage', content: { content: 'not a member' } });
    expect(notIn.code).toBe(22406);
    expect((await api().post('/group/user/gag/add.json', { userId: aliceId, groupId, minute: 10 })).status).toBe(200);
    const gagged = await alice.call('sendMessage', { conversationType: GROUP, targetId: groupId }, { $message: 'TextMessage', content: { content: 'gagged' } });
    expect(gagged.code).toBe(22408);
  });

  it('too-long content: a text over 128 KiB is refused, the session keeps working', async () => {
    const big = 'x'.repeat(140 * 1024);
    const r = await alice.call('sendMessage', { conversationType: PRIVATE, targetId: bobId }, { $message: 'TextMessage', content: { content: big } });
    expect([30016, 34206]).toContain(r.code);
    const after = await alice.sendText(PRIVATE, bobId, 'after too long');
    await bob.nextMessage((m) => m.messageUId === after.messageUId);
  });

  it('recall with disableNotification: the peer gets the recall of the right message, history drops it', async () => {
    const sent = await alice.sendText(PRIVATE, bobId, 'recall quietly');
    await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    await alice.ok('recallMessage', { conversationType: PRIVATE, targetId: bobId }, { messageUId: sent.messageUId, sentTime: sent.sentTime, disableNotification: true });
    const recall = await bob.nextMessage((m) => (m.messageType === 'RC:RcCmd' || m.messageType === 'RC:RcNtf') && m.content['messageUId'] === sent.messageUId);
    expect(recall.senderUserId).toBe(aliceId);
    const hist = await bob.ok<{ list: E5Message[] }>('getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: aliceId }, { timestamp: 0, count: 50, order: 0 });
    expect(hist.list.some((m) => m.messageUId === sent.messageUId && m.messageType === 'RC:TxtMsg')).toBe(false);
  });

  it('typing status reaches the peer as TYPING_STATUS', async () => {
    expect((await alice.call('sendTypingStatusMessage', { conversationType: PRIVATE, targetId: bobId }, 'RC:TxtMsg')).code).toBe(0);
    const ev = await bob.waitForEvent((e) => e.name === 'TYPING_STATUS' && JSON.stringify(e.data).includes(aliceId), 8_000);
    expect(JSON.stringify(ev.data)).toContain('RC:TxtMsg');
  });

  it('expansion: update / remove reach the peer (EXPANSION) and are in remote history', async () => {
    await sleep(1_100); // the per-connection send limit (5/s, 20604) after the previous tests' sends
    const sent = await alice.ok<E5Message>('sendMessage', { conversationType: PRIVATE, targetId: bobId },
      { $message: 'TextMessage', content: { content: 'expand me' } }, { canIncludeExpansion: true, expansion: { a: '1' } });
    const atBob = await bob.nextMessage((m) => m.messageUId === sent.messageUId);
    expect((atBob as unknown as { expansion?: Record<string, string> }).expansion).toEqual({ a: '1' });
    await alice.ok('updateMessageExpansion', { b: '2' }, sent);
    const ev = await bob.waitForEvent((e) => e.name === 'EXPANSION' && JSON.stringify(e.data).includes(sent.messageUId), 8_000);
    expect(JSON.stringify(ev.data)).toContain('"b":"2"');
    await alice.ok('removeMessageExpansionForKey', ['a'], sent);
    await bob.waitForEvent((e) => e.name === 'EXPANSION' && JSON.stringify(e.data).includes('deletedExpansion'), 8_000);
    const hist = await bob.ok<{ list: Array<E5Message & { expansion?: Record<string, string> }> }>(
      'getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: aliceId }, { timestamp: 0, count: 20, order: 0 });
    expect(hist.list.find((m) => m.messageUId === sent.messageUId)?.expansion).toEqual({ b: '2' });
  });

  it('2.9.2 and 5.38 pages of one user: own sends reach the other page, top set on 2.9.2 reaches 5.38', async () => {
    await sleep(1_100); // the send limit, as above
    const official = await fixture.online('alice-v2', {}, APP, aliceId);
    const fromE5 = await alice.sendText(PRIVATE, bobId, 'e5 own send');
    const atV2 = await official.client.nextMessage((m) => m.messageUId === fromE5.messageUId);
    expect(atV2.senderUserId).toBe(aliceId);
    const fromV2 = await official.client.sendText(PRIVATE, bobId, 'v2 own send');
    if (!fromV2.ok) throw new Error('2.9.2 send failed');
    const atE5 = await alice.nextMessage((m) => m.messageUId === fromV2.value.messageUId);
    expect(atE5.senderUserId).toBe(aliceId);
    expect(atE5.targetId).toBe(bobId);
    expect((await official.client.call('setConversationStatus', PRIVATE, bobId, { isTop: true })).ok).toBe(true);
    const conv = { conversationType: PRIVATE, targetId: bobId };
    const onE5 = await eventually(() => alice.ok<{ isTop?: boolean }>('getConversation', conv), (c) => c?.isTop === true);
    expect(onE5.isTop).toBe(true);
    await alice.ok('setConversationToTop', conv, false);
  });
});
