/**
 * Remote history as the official imlib-next 5.7.3 pages it against our server: private and group history both ways by
 * timestamp and count (each page oldest first, hasMore exact, count 1), over deleted messages and up to a clear, remote
 * delete / clear for one user only (also on a fresh page), a group status message kept out of history, and the SYSTEM
 * conversation a Server API system message makes.
 */
import { GROUP, PRIVATE, sleep, textOf, useE5AppSession } from '../support/official-client-e5/e5-app-session';
import type { E5Conversation, E5HistoryPage } from '../support/official-client-e5/e5-app-session';
import type { E5Client, E5Message } from '../support/official-client-e5/launch-e5-client';

describe('official imlib-next 5.7.3: remote history', () => {
  const { fixture, api, publish, launch, launchAliceTwiceAndBob } = useE5AppSession('5.7');
  let aliceId = '';
  let bobId = '';
  let alice1: E5Client;
  let alice2: E5Client;
  let bob: E5Client;

  beforeAll(async () => {
    ({ aliceId, bobId, alice1, alice2, bob } = await launchAliceTwiceAndBob());
  }, 90_000);

  it('remote history: paging back and forward by timestamp and count, each page oldest first, with hasMore', async () => {
    const carol = fixture.newUserId('carol');
    for (let i = 0; i < 6; i++) {
      expect((await publish(carol, aliceId, `h${i}`)).status).toBe(200);
      await sleep(15);
    }
    await alice1.nextMessage((m) => textOf(m) === 'h5', 15_000);
    const conv = { conversationType: PRIVATE, targetId: carol };
    const newest = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 3, order: 0 });
    expect(newest.list.map(textOf)).toEqual(['h3', 'h4', 'h5']);
    expect(newest.hasMore).toBe(true);
    const older = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: newest.list[0]!.sentTime, count: 3, order: 0 });
    expect(older.list.map(textOf)).toEqual(['h0', 'h1', 'h2']);
    expect(older.hasMore).toBe(false);
    const newer = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: older.list[0]!.sentTime, count: 3, order: 1 });
    expect(newer.list.map(textOf)).toEqual(['h1', 'h2', 'h3']);
    expect(newer.hasMore).toBe(true);
    const rest = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: newer.list[2]!.sentTime, count: 3, order: 1 });
    expect(rest.list.map(textOf)).toEqual(['h4', 'h5']);
    expect(rest.hasMore).toBe(false);
  });

  it('remote delete and clear reach the server for this user only', async () => {
    const erin = fixture.newUserId('erin');
    for (const t of ['d0', 'd1', 'd2']) {
      await publish(erin, aliceId, t);
      await sleep(15);
    }
    await alice1.nextMessage((m) => textOf(m) === 'd2', 15_000);
    const conv = { conversationType: PRIVATE, targetId: erin };
    const before = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 20, order: 0 });
    const d1 = before.list.find((m) => textOf(m) === 'd1') as E5Message;
    await alice1.ok('deleteMessages', conv, [{ messageUId: d1.messageUId, sentTime: d1.sentTime, messageDirection: 2 }]);
    const after = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 20, order: 0 });
    expect(after.list.map(textOf)).toEqual(['d0', 'd2']);
    const d2 = after.list.find((m) => textOf(m) === 'd2') as E5Message;
    await alice1.ok('clearHistoryMessages', conv, d2.sentTime);
    const cleared = await alice2.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 20, order: 0 });
    expect(cleared.list.map(textOf)).toEqual([]);
  });

  it('remote history with count 1 pages one message at a time (5.7.3 asks for 2 and drops one)', async () => {
    const dee = fixture.newUserId('dee');
    const eli = fixture.newUserId('eli');
    for (const t of ['c0', 'c1', 'c2']) {
      await publish(eli, dee, t);
      await sleep(15);
    }
    const page = await launch('dee', dee);
    await page.nextMessage((m) => textOf(m) === 'c2', 15_000);
    const conv = { conversationType: PRIVATE, targetId: eli };
    const p1 = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 1, order: 0 });
    expect({ list: p1.list.map(textOf), hasMore: p1.hasMore }).toEqual({ list: ['c2'], hasMore: true });
    const p2 = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: p1.list[0]!.sentTime, count: 1, order: 0 });
    expect({ list: p2.list.map(textOf), hasMore: p2.hasMore }).toEqual({ list: ['c1'], hasMore: true });
    const p3 = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: p2.list[0]!.sentTime, count: 1, order: 0 });
    expect({ list: p3.list.map(textOf), hasMore: p3.hasMore }).toEqual({ list: ['c0'], hasMore: false });
    const f1 = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: p3.list[0]!.sentTime, count: 1, order: 1 });
    expect({ list: f1.list.map(textOf), hasMore: f1.hasMore }).toEqual({ list: ['c1'], hasMore: true });
    await page.kill();
  });

  it('history paging over a deleted message and up to a partial clear: pages stay full, hasMore exact', async () => {
    const pia = fixture.newUserId('pia');
    const qu = fixture.newUserId('qu');
    for (let i = 0; i < 7; i++) {
      await publish(qu, pia, `dh${i}`);
      await sleep(15);
    }
    const page = await launch('pia', pia);
    await page.nextMessage((m) => textOf(m) === 'dh6', 15_000);
    const conv = { conversationType: PRIVATE, targetId: qu };
    const all = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 20, order: 0 });
    const byText = (t: string): E5Message => all.list.find((m) => textOf(m) === t)!;
    await page.ok('deleteMessages', conv, [{ messageUId: byText('dh4').messageUId, sentTime: byText('dh4').sentTime, messageDirection: 2 }]);
    await page.ok('clearHistoryMessages', conv, byText('dh1').sentTime);
    const p1 = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: 0, count: 2, order: 0 });
    expect({ l: p1.list.map(textOf), m: p1.hasMore }).toEqual({ l: ['dh5', 'dh6'], m: true });
    const p2 = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: p1.list[0]!.sentTime, count: 2, order: 0 });
    expect({ l: p2.list.map(textOf), m: p2.hasMore }).toEqual({ l: ['dh2', 'dh3'], m: false });
    const f = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', conv, { timestamp: byText('dh2').sentTime, count: 3, order: 1 });
    expect({ l: f.list.map(textOf), m: f.hasMore }).toEqual({ l: ['dh3', 'dh5', 'dh6'], m: false });
    await page.kill();
  });

  it('remote history order 1 from timestamp 0 starts at the oldest message', async () => {
    const sia = fixture.newUserId('sia');
    const tu = fixture.newUserId('tu');
    for (const t of ['z0', 'z1', 'z2']) {
      await publish(tu, sia, t);
      await sleep(15);
    }
    const page = await launch('sia', sia);
    await page.nextMessage((m) => textOf(m) === 'z2', 15_000);
    const f = await page.ok<E5HistoryPage>('getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: tu }, { timestamp: 0, count: 2, order: 1 });
    expect({ l: f.list.map(textOf), m: f.hasMore }).toEqual({ l: ['z0', 'z1'], m: true });
    await page.kill();
  });

  it('group history: both orders, paging, oldest first, with hasMore', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('hg');
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId], groupId, groupName: 'h' })).status).toBe(200);
    const sender = fixture.newUserId('hgs');
    await api().post('/group/join.json', { userId: sender, groupId, groupName: 'h' });
    for (let i = 0; i < 5; i++) {
      await api().post('/message/group/publish.json', { fromUserId: sender, toGroupId: groupId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `gh${i}` }) });
      await sleep(60);
    }
    await alice1.nextMessage((m) => textOf(m) === 'gh4', 10_000);
    const grp = { conversationType: GROUP, targetId: groupId };
    const newest = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', grp, { timestamp: 0, count: 2, order: 0 });
    expect({ l: newest.list.map(textOf), m: newest.hasMore }).toEqual({ l: ['gh3', 'gh4'], m: true });
    const older = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', grp, { timestamp: newest.list[0]!.sentTime, count: 3, order: 0 });
    expect({ l: older.list.map(textOf), m: older.hasMore }).toEqual({ l: ['gh0', 'gh1', 'gh2'], m: false });
    const fwd = await alice1.ok<E5HistoryPage>('getRemoteHistoryMessages', grp, { timestamp: older.list[0]!.sentTime, count: 2, order: 1 });
    expect({ l: fwd.list.map(textOf), m: fwd.hasMore }).toEqual({ l: ['gh1', 'gh2'], m: true });
  });

  it('group: status message (not stored) reaches members; deleteMessages of a group message hides it for this user only', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('stg');
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId], groupId, groupName: 'st' })).status).toBe(200);
    const grp = { conversationType: GROUP, targetId: groupId };
    const st = await alice1.call<E5Message>('sendMessage', grp, { $message: 'TextMessage', content: { content: 'group status' } }, { isStatusMessage: true });
    expect(st.code).toBe(0);
    await bob.nextMessage((m) => textOf(m) === 'group status', 8_000);
    const a = await alice1.sendText(GROUP, groupId, 'gdel a');
    const b = await alice1.sendText(GROUP, groupId, 'gdel b');
    await bob.nextMessage((m) => m.messageUId === b.messageUId);
    await bob.ok('deleteMessages', grp, [{ messageUId: a.messageUId, sentTime: a.sentTime, messageDirection: 2 }]);
    const hb = await bob.ok<E5HistoryPage>('getRemoteHistoryMessages', grp, { timestamp: 0, count: 20, order: 0 });
    expect(hb.list.map(textOf)).toEqual(['gdel b']);
    const ha = await alice2.ok<E5HistoryPage>('getRemoteHistoryMessages', grp, { timestamp: 0, count: 20, order: 0 });
    expect(ha.list.map(textOf)).toEqual(['gdel a', 'gdel b']);
  });

  it('group clear history (clearHistoryMessages) holds for a fresh page; SYSTEM conversation listed with its latest message and remote history', async () => {
    await sleep(1_100);
    const groupId = fixture.newUserId('clg');
    expect((await api().post('/group/create.json', { userId: [aliceId, bobId], groupId, groupName: 'cl' })).status).toBe(200);
    const grp = { conversationType: GROUP, targetId: groupId };
    await bob.sendText(GROUP, groupId, 'gc0');
    const last = await bob.sendText(GROUP, groupId, 'gc1');
    await alice1.nextMessage((m) => m.messageUId === last.messageUId);
    await alice1.ok('clearHistoryMessages', grp, last.sentTime);
    const fresh = await launch('alice-clr', aliceId);
    const h = await fresh.ok<E5HistoryPage>('getRemoteHistoryMessages', grp, { timestamp: 0, count: 20, order: 0 });
    expect(h.list.map(textOf)).toEqual([]);
    const bobSide = await bob.ok<E5HistoryPage>('getRemoteHistoryMessages', grp, { timestamp: 0, count: 20, order: 0 });
    expect(bobSide.list.map(textOf)).toEqual(['gc0', 'gc1']);

    const admin = fixture.newUserId('sysadm');
    const sys = await api().post<{ code: number }>('/message/system/publish.json', { fromUserId: admin, toUserId: aliceId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'sys for alice' }) });
    expect(sys.body.code).toBe(200);
    const got = await fresh.nextMessage((m) => textOf(m) === 'sys for alice', 10_000);
    const list = await fresh.ok<E5Conversation[]>('getConversationList', {});
    expect(list.find((c) => c.conversationType === 6 && c.targetId === admin)?.latestMessage?.messageUId).toBe(got.messageUId);
    const sh = await fresh.ok<E5HistoryPage>('getRemoteHistoryMessages', { conversationType: 6, targetId: admin }, { timestamp: 0, count: 20, order: 0 });
    expect(sh.list.map(textOf)).toEqual(['sys for alice']);
    await fresh.kill();
  });
});
