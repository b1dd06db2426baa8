/**
 * Chatrooms as the official imlib-next 5.7.3 uses them against our server: join (with a message count), history both
 * ways, info by join time, KV (set / force / remove, auto-delete, notification messages, an entry set while a member
 * joins), member-change notices, moderation (codes, needNotify notices, a block notice behind stored private messages),
 * single-room mode and the automatic rejoin after a dropped socket, not-stored and status messages, recall, destroy.
 */
import { ConversationType as Ours, TextMessage } from '../../src/index';
import { call, ok } from '../e2e/sdk-api-support';
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import type { TestApp } from '../support/server-launcher';
import { MULTI_DEVICE_APP } from '../support/official-client/interop-fixture';
import { CHATROOM, eventually, sleep, textOf, useE5AppSession } from '../support/official-client-e5/e5-app-session';
import type { E5Conversation, E5HistoryPage } from '../support/official-client-e5/e5-app-session';
import type { E5Client, E5Message, ListenerEvent } from '../support/official-client-e5/launch-e5-client';

/** Chatroom member-change notices (RC:ChrmMemChange) on. */
const MEMBER_APP: TestApp = { key: 'lxe5chrmmem', secret: 'lxe5chrmmemsecret', options: { chrmMemberNotify: true } };

describe('official imlib-next 5.7.3: chatrooms', () => {
  const { fixture, api, publish, launch, ours, expectClean } = useE5AppSession('5.7', { apps: [DEFAULT_TEST_APP, MULTI_DEVICE_APP, MEMBER_APP] });
  let aliceId = '';
  let bobId = '';
  let alice1: E5Client;
  let bob: E5Client;

  beforeAll(async () => {
    aliceId = fixture.newUserId('alice');
    bobId = fixture.newUserId('bob');
    alice1 = await launch('alice1', aliceId);
    bob = await launch('bob', bobId);
  }, 90_000);

  it('chatroom: join, history (both orders), info, KV remove / force, quit, join an unknown room with joinExistChatRoom', async () => {
    await sleep(1_100);
    const roomId = fixture.newUserId('room');
    await alice1.ok('joinChatRoom', roomId, { count: 0 });
    await bob.ok('joinChatRoom', roomId, { count: 0 });
    const sent: E5Message[] = [];
    for (let i = 0; i < 4; i++) {
      sent.push(await alice1.sendText(CHATROOM, roomId, `room ${i}`));
      await sleep(250);
    }
    await bob.nextMessage((m) => textOf(m) === 'room 3', 10_000);
    const hist = await bob.call<E5HistoryPage>('getChatroomHistoryMessages', roomId, { timestamp: 0, count: 10, order: 0 });
    expect(hist.code).toBe(0);
    expect((hist.data?.list ?? []).map(textOf).sort()).toEqual(['room 0', 'room 1', 'room 2', 'room 3']);
    const forward = await bob.call<E5HistoryPage>('getChatroomHistoryMessages', roomId, { timestamp: sent[0]!.sentTime, count: 10, order: 1 });
    expect(forward.code).toBe(0);
    expect((forward.data?.list ?? []).map(textOf).sort()).toEqual(['room 1', 'room 2', 'room 3']);
    expect((hist.data?.list ?? []).map(textOf)).toEqual(['room 0', 'room 1', 'room 2', 'room 3']);
    expect((forward.data?.list ?? []).map(textOf)).toEqual(['room 1', 'room 2', 'room 3']);
    const page2 = await bob.call<E5HistoryPage>('getChatroomHistoryMessages', roomId, { timestamp: 0, count: 2, order: 0 });
    const page3 = await bob.call<E5HistoryPage>('getChatroomHistoryMessages', roomId, { timestamp: sent[0]!.sentTime, count: 2, order: 1 });
    expect({ list: (page2.data?.list ?? []).map(textOf), hasMore: page2.data?.hasMore }).toEqual({ list: ['room 2', 'room 3'], hasMore: true });
    expect({ list: (page3.data?.list ?? []).map(textOf), hasMore: page3.data?.hasMore }).toEqual({ list: ['room 1', 'room 2'], hasMore: true });

    const info = await bob.call<{ userCount: number; userInfos: Array<{ id: string }> }>('getChatRoomInfo', roomId, { count: 10, order: 1 });
    expect(info.code).toBe(0);
    expect(info.data?.userCount).toBe(2);
    expect((info.data?.userInfos ?? []).map((u) => u.id).sort()).toEqual([aliceId, bobId].sort());

    await alice1.ok('setChatRoomEntry', roomId, { key: 'k1', value: 'v1' });
    expect(await bob.ok('getChatRoomEntry', roomId, 'k1')).toBe('v1');
    expect((await bob.call('setChatRoomEntry', roomId, { key: 'k1', value: 'bob' })).code).toBe(23424);
    await bob.ok('forceSetChatRoomEntry', roomId, { key: 'k1', value: 'forced' });
    expect(await eventually(() => alice1.call('getChatRoomEntry', roomId, 'k1'), (r) => r.data === 'forced')).toMatchObject({ data: 'forced' });
    await bob.ok('removeChatRoomEntry', roomId, { key: 'k1' });
    expect(await eventually(() => alice1.call('getChatRoomEntry', roomId, 'k1'), (r) => r.code !== 0)).toMatchObject({ code: 23427 });

    await bob.ok('quitChatRoom', roomId);
    await sleep(300);
    const afterQuit = await alice1.call<{ userCount: number }>('getChatRoomInfo', roomId, { count: 10, order: 1 });
    expect(afterQuit.data?.userCount).toBe(1);
    const bobSeen = bob.messages.length;
    await alice1.sendText(CHATROOM, roomId, 'after bob quit');
    await sleep(800);
    expect(bob.messages.slice(bobSeen).map(textOf)).not.toContain('after bob quit');

    const missing = await bob.call('joinExistChatRoom', fixture.newUserId('noroom'), { count: 0 });
    expect(missing.code).toBe(23410);
    expectClean(bob);
  });

  it('chatroom events: another member KV change (updatedEntries) and a Server API destroy (chatroomDestroyed)', async () => {
    await sleep(1_100);
    const roomId = fixture.newUserId('evroom');
    await alice1.ok('joinChatRoom', roomId, { count: 0 });
    await bob.ok('joinChatRoom', roomId, { count: 0 });
    await alice1.ok('setChatRoomEntry', roomId, { key: 'kev', value: 'vev', isAutoDelete: true });
    const kv = await bob.waitForEvent((e) => e.name === 'CHATROOM' && JSON.stringify(e.data).includes('updatedEntries') && JSON.stringify(e.data).includes('kev'), 8_000);
    expect(JSON.stringify(kv.data)).toContain('vev');
    await alice1.ok('removeChatRoomEntry', roomId, { key: 'kev' });
    await bob.waitForEvent((e) => e.name === 'CHATROOM' && JSON.stringify(e.data).includes('kev') && JSON.stringify(e.data).includes('"type":2'), 8_000);
    const res = await api().post<{ code: number }>('/chatroom/destroy.json', { chatroomId: roomId });
    expect(res.body.code).toBe(200);
    const ev = await bob.waitForEvent((e) => e.name === 'CHATROOM' && (e.data as { chatroomDestroyed?: string })?.chatroomDestroyed !== undefined, 8_000);
    expect((ev.data as { chatroomDestroyed?: string }).chatroomDestroyed).toBe(roomId);
    await alice1.waitForEvent((e) => e.name === 'CHATROOM' && (e.data as { chatroomDestroyed?: string })?.chatroomDestroyed === roomId, 8_000);
    expect((await bob.call('sendMessage', { conversationType: CHATROOM, targetId: roomId }, { $message: 'TextMessage', content: { content: 'gone' } })).code).not.toBe(0);
  });

  it('chatroom KV: an entry set right as another member joins reaches that member (updatedEntries), every time', async () => {
    const misses: string[] = [];
    for (let round = 0; round < 8; round++) {
      const roomId = fixture.newUserId(`kvrace${round}`);
      await alice1.ok('joinChatRoom', roomId, { count: 0 });
      const joined = bob.call('joinChatRoom', roomId, { count: 0 });
      await sleep(round % 4);
      await alice1.ok('setChatRoomEntry', roomId, { key: 'race', value: `v${round}` });
      expect((await joined).code).toBe(0);
      const hit = await bob.waitForEvent((e) => e.name === 'CHATROOM' && JSON.stringify(e.data).includes(roomId) && JSON.stringify(e.data).includes(`v${round}`), 3_000).catch(() => undefined);
      const value = await bob.call('getChatRoomEntry', roomId, 'race');
      if (hit === undefined || value.data !== `v${round}`) misses.push(`${round}: event ${hit !== undefined} value ${JSON.stringify(value)}`);
      await alice1.ok('quitChatRoom', roomId);
      await bob.ok('quitChatRoom', roomId);
    }
    expect(misses).toEqual([]);
  });

  it('chatroom moderation notices (needNotify): 5.7.3 members get the ban as a room message, the blocked user the block notice; nothing garbled', async () => {
    const post = async (path: string, form: Record<string, string | number | string[]>): Promise<void> => {
      const res = await api(DEFAULT_TEST_APP).post<{ code: number }>(path, form);
      expect({ path, code: res.body.code }).toEqual({ path, code: 200 });
    };
    const roomId = fixture.newUserId('modroom');
    const mId = fixture.newUserId('mod1');
    const oId = fixture.newUserId('mod2');
    const member = await launch('mod1', mId, DEFAULT_TEST_APP);
    const other = await launch('mod2', oId, DEFAULT_TEST_APP);
    const mine = await ours('oursmod', { app: DEFAULT_TEST_APP });
    await member.ok('joinChatRoom', roomId, { count: 0 });
    await other.ok('joinChatRoom', roomId, { count: 0 });
    await ok(call((cb) => mine.im.joinChatRoom(roomId, 0, cb)), 'ours join');

    await post('/chatroom/user/gag/add.json', { chatroomId: roomId, userId: mine.userId, minute: 10, needNotify: 'true', extra: 'be nice' });
    const ban = await member.nextMessage((m) => m.conversationType === CHATROOM && JSON.stringify(m).includes('RC:ChrmBanMsg'), 15_000);
    expect(ban.targetId).toBe(roomId);
    expect(JSON.stringify(ban.content)).toContain('be nice');
    const atOurs = await mine.next((m) => m.objectName === 'RC:ChrmBanMsg', 15_000);
    expect(ban.messageUId).toBe(atOurs.messageUId);

    await post('/chatroom/user/block/add.json', { chatroomId: roomId, userId: mId, minute: 5, needNotify: 'true' });
    const atOther = await other.nextMessage((m) => JSON.stringify(m).includes('RC:ChrmBlockMsg'), 15_000);
    expect(atOther).toMatchObject({ conversationType: CHATROOM, targetId: roomId });
    const atBlocked = await member.nextMessage((m) => JSON.stringify(m).includes('RC:ChrmBlockMsg'), 15_000);
    expect(atBlocked).toMatchObject({ conversationType: CHATROOM, targetId: roomId });
    // The blocked 5.7.3 user is out of the room: sending there is refused.
    const refused = await member.call('sendMessage', { conversationType: CHATROOM, targetId: roomId }, { $message: 'TextMessage', content: { content: 'blocked?' } });
    expect(refused.code).not.toBe(0);
    // Neither shows up in the 5.7.3 conversation list.
    const list = await member.ok<E5Conversation[]>('getConversationList', {});
    expect(list.filter((c) => c.conversationType === CHATROOM)).toEqual([]);
    expectClean(member);
    expectClean(other);
    await member.kill();
    await other.kill();
  });

  it('single-room mode (joinMChrm false): joining a second room leaves the first; after a dropped socket 5.7.3 rejoins the last room and gets its messages', async () => {
    await sleep(1_100);
    const roomA = fixture.newUserId('ra');
    const roomB = fixture.newUserId('rb');
    const sam = fixture.newUserId('sam');
    const page = await launch('sam', sam);
    await alice1.ok('joinChatRoom', roomA, { count: 0 });
    await alice1.ok('joinChatRoom', roomB, { count: 0 }).catch(() => undefined);
    await page.ok('joinChatRoom', roomA, { count: 0 });
    await page.ok('joinChatRoom', roomB, { count: 0 });
    const inA = await page.call('sendMessage', { conversationType: CHATROOM, targetId: roomA }, { $message: 'TextMessage', content: { content: 'still in A?' } });
    expect(inA.code).toBe(23406);
    const connects = (): number => page.statuses.filter((x) => x.status === 'CONNECTED').length;
    const before = connects();
    await page.dropSockets();
    for (let i = 0; i < 150 && connects() === before; i++) await sleep(100);
    expect(connects()).toBe(before + 1);
    await sleep(1_000);
    const mine = await ours('oursroom');
    await ok(call((cb) => mine.im.joinChatRoom(roomB, 0, cb)), 'ours join');
    await ok(call((cb) => mine.im.sendMessage(Ours.CHATROOM, roomB, new TextMessage({ content: 'B after rejoin' }), cb)), 'ours send');
    await page.nextMessage((m) => textOf(m) === 'B after rejoin', 10_000);
    const back = await page.call('sendMessage', { conversationType: CHATROOM, targetId: roomB }, { $message: 'TextMessage', content: { content: 'sam back in B' } });
    expect(back.code).toBe(0);
    expectClean(page);
    await page.kill();
  });

  it('chatroom moderation codes: gagged member 23408, room muted 23408, blocked user joining 23409, kept members unaffected', async () => {
    const roomId = fixture.newUserId('modc');
    const g = fixture.newUserId('gg');
    const h = fixture.newUserId('hh');
    const gp = await launch('gg', g);
    const hp = await launch('hh', h);
    await gp.ok('joinChatRoom', roomId, { count: 0 });
    await hp.ok('joinChatRoom', roomId, { count: 0 });
    const post = async (path: string, form: Record<string, string | number | string[]>): Promise<void> => {
      const res = await api().post<{ code: number }>(path, form);
      expect({ path, code: res.body.code }).toEqual({ path, code: 200 });
    };
    const send = (c: E5Client, text: string) => c.call('sendMessage', { conversationType: CHATROOM, targetId: roomId }, { $message: 'TextMessage', content: { content: text } });
    await post('/chatroom/user/gag/add.json', { chatroomId: roomId, userId: g, minute: 5 });
    expect((await send(gp, 'gagged')).code).toBe(23408);
    expect((await send(hp, 'not gagged')).code).toBe(0);
    await post('/chatroom/user/gag/rollback.json', { chatroomId: roomId, userId: g });
    expect((await send(gp, 'ungagged')).code).toBe(0);
    await sleep(1_000);
    await post('/chatroom/ban/add.json', { chatroomId: roomId });
    expect((await send(hp, 'room muted')).code).toBe(23408);
    await post('/chatroom/ban/rollback.json', { chatroomId: roomId });
    expect((await send(hp, 'room open')).code).toBe(0);
    await post('/chatroom/user/block/add.json', { chatroomId: roomId, userId: g, minute: 5 });
    await sleep(300);
    expect((await send(gp, 'blocked')).code).not.toBe(0);
    expect((await gp.call('joinChatRoom', roomId, { count: 0 })).code).toBe(23409);
    expectClean(gp);
    await gp.kill();
    await hp.kill();
  });

  it('chatroom: join with count 5 gets the 5 newest in order; messages sent while its socket was down arrive after the automatic rejoin, once', async () => {
    const roomId = fixture.newUserId('rj');
    const mine = await ours('oursrj');
    await ok(call((cb) => mine.im.joinChatRoom(roomId, 0, cb)), 'ours join');
    const say = (text: string) => ok(call((cb) => mine.im.sendMessage(Ours.CHATROOM, roomId, new TextMessage({ content: text }), cb)), `ours ${text}`);
    for (let i = 0; i < 8; i++) {
      await say(`pre ${i}`);
      await sleep(i % 4 === 3 ? 1_000 : 30);
    }
    const jo = fixture.newUserId('jo');
    const page = await launch('jo', jo);
    await page.ok('joinChatRoom', roomId, { count: 5 });
    await page.nextMessage((m) => textOf(m) === 'pre 7', 10_000);
    await sleep(500);
    expect(page.messages.filter((m) => String(textOf(m)).startsWith('pre ')).map(textOf)).toEqual(['pre 3', 'pre 4', 'pre 5', 'pre 6', 'pre 7']);

    const connects = (): number => page.statuses.filter((x) => x.status === 'CONNECTED').length;
    const before = connects();
    await page.dropSockets();
    await sleep(1_000);
    for (let i = 0; i < 3; i++) await say(`gap ${i}`);
    for (let i = 0; i < 150 && connects() === before; i++) await sleep(100);
    expect(connects()).toBe(before + 1);
    await say('post rejoin');
    await page.nextMessage((m) => textOf(m) === 'post rejoin', 15_000);
    await sleep(1_000);
    const seen = page.messages.filter((m) => m.conversationType === CHATROOM).map((m) => String(textOf(m)));
    expect(seen.filter((t) => t.startsWith('gap '))).toEqual(['gap 0', 'gap 1', 'gap 2']);
    expect(seen.filter((t) => t === 'post rejoin')).toHaveLength(1);
    expect(seen.filter((t) => t.startsWith('pre '))).toHaveLength(5);
    await page.kill();
  });

  it('chatroom info order 1 / 2 by join time; KV notification message, auto-delete on quit, forceRemove', async () => {
    const roomId = fixture.newUserId('ci');
    const ids = [fixture.newUserId('m0'), fixture.newUserId('m1'), fixture.newUserId('m2')];
    const pages: E5Client[] = [];
    for (const id of ids) {
      const p = await launch(id, id);
      await p.ok(pages.length === 0 ? 'joinChatRoom' : 'joinExistChatRoom', roomId, { count: 0 });
      pages.push(p);
      await sleep(50);
    }
    const asc = await pages[0]!.ok<{ userCount: number; userInfos: Array<{ id: string; time: number }> }>('getChatRoomInfo', roomId, { count: 10, order: 1 });
    expect(asc.userCount).toBe(3);
    expect(asc.userInfos.map((u) => u.id)).toEqual(ids);
    const desc = await pages[0]!.ok<{ userInfos: Array<{ id: string }> }>('getChatRoomInfo', roomId, { count: 2, order: 2 });
    expect(desc.userInfos.map((u) => u.id)).toEqual([ids[2], ids[1]]);

    await pages[1]!.ok('setChatRoomEntry', roomId, { key: 'auto', value: 'x', isAutoDelete: true, isSendNotification: true, notificationExtra: 'nx' });
    const note = await pages[2]!.nextMessage((m) => m.messageType === 'RC:chrmKVNotiMsg' && m.targetId === roomId, 8_000);
    expect(note.content).toMatchObject({ key: 'auto', value: 'x', type: 1, extra: 'nx' });
    expect(await pages[2]!.ok('getChatRoomEntry', roomId, 'auto')).toBe('x');
    await pages[1]!.ok('quitChatRoom', roomId);
    const gone = await eventually(() => pages[2]!.call('getChatRoomEntry', roomId, 'auto'), (r) => r.code !== 0, 5_000);
    expect(gone.code).toBe(23427);

    await pages[0]!.ok('setChatRoomEntry', roomId, { key: 'mine', value: 'y' });
    expect((await pages[2]!.call('removeChatRoomEntry', roomId, { key: 'mine' })).code).toBe(23424);
    await pages[2]!.ok('forceRemoveChatRoomEntry', roomId, { key: 'mine' });
    expect((await eventually(() => pages[0]!.call('getChatRoomEntry', roomId, 'mine'), (r) => r.code !== 0, 5_000)).code).toBe(23427);
    for (const p of pages) {
      expectClean(p);
      await p.kill();
    }
  });

  it('chatroom: a not-stored Server API message and a 5.7.3 status message reach the members, stay out of room history', async () => {
    await sleep(1_100);
    const roomId = fixture.newUserId('nsr');
    await alice1.ok('joinChatRoom', roomId, { count: 0 });
    await bob.ok('joinChatRoom', roomId, { count: 0 });
    const first = await alice1.sendText(CHATROOM, roomId, 'stored room msg');
    await bob.nextMessage((m) => m.messageUId === first.messageUId, 8_000);
    const res = await api().post<{ code: number }>('/message/chatroom/publish.json', { fromUserId: 'roomsrv', toChatroomId: roomId, objectName: 'App:RoomLive', content: JSON.stringify({ n: 1 }), isPersisted: 0 });
    expect(res.body.code).toBe(200);
    await bob.nextMessage((m) => m.messageType === 'App:RoomLive' && m.targetId === roomId, 8_000);
    const st = await alice1.call<E5Message>('sendMessage', { conversationType: CHATROOM, targetId: roomId }, { $message: 'TextMessage', content: { content: 'room status' } }, { isStatusMessage: true });
    expect(st.code).toBe(0);
    await bob.nextMessage((m) => textOf(m) === 'room status', 8_000);
    const h = await bob.ok<E5HistoryPage>('getChatroomHistoryMessages', roomId, { timestamp: 0, count: 20, order: 0 });
    expect(h.list.map((m) => m.messageType === 'RC:TxtMsg' ? textOf(m) : m.messageType)).toEqual(['stored room msg']);
  });

  it('chatroom member changes (RC:ChrmMemChange on): 5.7.3 raises userChange JOIN / QUIT for the other member', async () => {
    const roomId = fixture.newUserId('memroom');
    const u1 = fixture.newUserId('mu1');
    const u2 = fixture.newUserId('mu2');
    const p1 = await launch('mu1', u1, MEMBER_APP);
    const p2 = await launch('mu2', u2, MEMBER_APP);
    await p1.ok('joinChatRoom', roomId, { count: 0 });
    await p2.ok('joinChatRoom', roomId, { count: 0 });
    const change = (e: ListenerEvent): { users: Record<string, number>; chatroomId: string } | undefined =>
      e.name === 'CHATROOM' ? (e.data as { userChange?: { users: Record<string, number>; chatroomId: string } }).userChange : undefined;
    const joined = await p1.waitForEvent((e) => change(e)?.users[u2] === 1, 8_000);
    expect(change(joined)?.chatroomId).toBe(roomId);
    await p2.ok('quitChatRoom', roomId);
    const quit = await p1.waitForEvent((e) => change(e)?.users[u2] === 0, 8_000);
    expect(change(quit)?.chatroomId).toBe(roomId);
    expect(p1.messages.filter((m) => m.messageType === 'RC:ChrmMemChange')).toEqual([]);
    await p1.kill();
    await p2.kill();
  });

  it('chatroom recall: members get the recall, room history leaves the message out', async () => {
    await sleep(1_100);
    const roomId = fixture.newUserId('rcroom');
    await alice1.ok('joinChatRoom', roomId, { count: 0 });
    await bob.ok('joinChatRoom', roomId, { count: 0 });
    const keep = await alice1.sendText(CHATROOM, roomId, 'room keep');
    const gone = await alice1.sendText(CHATROOM, roomId, 'room recall me');
    await bob.nextMessage((m) => m.messageUId === gone.messageUId, 8_000);
    const r = await alice1.call('recallMessage', { conversationType: CHATROOM, targetId: roomId }, { messageUId: gone.messageUId, sentTime: gone.sentTime });
    expect(r.code).toBe(0);
    const rc = await bob.nextMessage((m) => (m.messageType === 'RC:RcCmd' || m.messageType === 'RC:RcNtf') && m.content['messageUId'] === gone.messageUId, 8_000);
    expect(rc).toMatchObject({ conversationType: CHATROOM, targetId: roomId, senderUserId: aliceId });
    const h = await bob.ok<E5HistoryPage>('getChatroomHistoryMessages', roomId, { timestamp: 0, count: 20, order: 0 });
    expect(h.list.filter((m) => m.messageType === 'RC:TxtMsg').map((m) => m.messageUId)).toEqual([keep.messageUId]);
  });

  it('a chatroom block notice pushed (s_msg) right behind stored private messages does not cost 5.7.3 any of them (it moves its inbox cursor)', async () => {
    const post = async (path: string, form: Record<string, string | number | string[]>): Promise<void> => {
      const res = await api().post<{ code: number }>(path, form);
      expect({ path, code: res.body.code }).toEqual({ path, code: 200 });
    };
    const oli = fixture.newUserId('oli');
    const pub = fixture.newUserId('pubr');
    const page = await launch('oli', oli);
    let n = 0;
    for (let round = 0; round < 4; round++) {
      const roomId = fixture.newUserId(`blk${round}`);
      await page.ok('joinChatRoom', roomId, { count: 0 });
      await Promise.all([
        (async () => {
          for (let i = 0; i < 4; i++) await publish(pub, oli, `bn ${n++}`);
        })(),
        sleep(round * 3).then(() => post('/chatroom/user/block/add.json', { chatroomId: roomId, userId: oli, minute: 1, needNotify: 'true' })),
      ]);
      await page.nextMessage((m) => JSON.stringify(m).includes('RC:ChrmBlockMsg') && m.targetId === roomId, 10_000);
    }
    await publish(pub, oli, 'bn end');
    await page.nextMessage((m) => textOf(m) === 'bn end', 10_000);
    await sleep(1_000);
    const got = page.messages.filter((m) => String(textOf(m)).startsWith('bn ') && textOf(m) !== 'bn end').map((m) => String(textOf(m)));
    expect([...got].sort()).toEqual(Array.from({ length: n }, (_, i) => `bn ${i}`).sort());
    await page.kill();
  });
});
