/**
 * Chatrooms over the raw protocol against the real server process: join/quit/info, history on join,
 * only-online delivery through s_ntf type 2 + chrmPull, the send errors, one room per user, the member cap,
 * member notifications and room history (PROTOCOL.md §6.4, §7.6, §8.7, §11.2).
 */
import { decodeByName, encodeByName, type PublishFrame } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import type { ServerApiClient } from '../../../test/support/server-api-client';
import type { TestApp } from '../../../test/support/server-launcher';
import {
  connectUser, drain, info, isPush, join, joinOk, pull, quit, roomNotify, send, sleep, text, uniqueId, useChatroomServer,
} from './chatroom-support';

const FAST = { maxSendRate: 1000, chrmQuotaHigh: 100000 } as const;
const MAIN: TestApp = { key: 'lxchrmmain', secret: 'lxchrmsecret', options: { ...FAST, multiDevice: true } };
const MULTI: TestApp = { key: 'lxchrmmulti', secret: 'lxchrmsecret', options: { ...FAST, chrmMulti: 1 } };
const CAPPED: TestApp = { key: 'lxchrmcap', secret: 'lxchrmsecret', options: { ...FAST, chrmMaxMembers: 2, chrmAutoCreate: 0 } };
const NOTIFY: TestApp = { key: 'lxchrmntf', secret: 'lxchrmsecret', options: { ...FAST, chrmMemberNotify: 1 } };
const NOHIST: TestApp = { key: 'lxchrmnohist', secret: 'lxchrmsecret', options: { ...FAST, chrmHistory: 0 } };

const env = useChatroomServer([MAIN, MULTI, CAPPED, NOTIFY, NOHIST]);

function apiOf(app: TestApp = MAIN): ServerApiClient {
  return env(app).api;
}

const sentTime = (ack: { date?: number; millisecond?: number }): number => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);


describe('joining and leaving', () => {
  it('joinChrm creates the room; queryChrmI counts members and lists them by join time', async () => {
    const room = uniqueId('r');
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const ca = await connectUser(env(), a);
    const ack = await join(ca, room);
    expect(ack.status).toBe(0);
    const out = decodeByName('ChrmOutput', ack.payload);
    expect(out.nothing).toBe(1);
    expect(out.sessionId).toEqual(expect.any(String));
    expect(Number(out.joinTime)).toBeGreaterThan(Date.now() - 10_000);
    await sleep(5);
    await joinOk(await connectUser(env(), b), room);
    await sleep(5);
    await joinOk(await connectUser(env(), c), room);

    const asc = await info(ca, room, 2, 1);
    expect(asc.status).toBe(0);
    expect(asc.output?.userTotalNums).toBe(3);
    expect(asc.output?.userInfos.map((m) => m.id)).toEqual([a, b]);
    expect(Number(asc.output?.userInfos[0]?.time)).toBe(Number(out.joinTime));
    expect((await info(ca, room, 50, 2)).output?.userInfos.map((m) => m.id)).toEqual([c, b, a]);
    // count 0 or order 0: the total only.
    expect(await info(ca, room, 0, 1)).toMatchObject({ status: 0, output: { userTotalNums: 3, userInfos: [] } });
    expect((await info(ca, room, 5, 0)).output?.userInfos).toEqual([]);
    expect((await info(ca, uniqueId('nope'), 5, 1)).status).toBe(23410);
  });

  it('the join pull returns messages that arrived between the join and that pull, even with count 0', async () => {
    const room = uniqueId('r');
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connectUser(env(), a);
    const cb = await connectUser(env(), b);
    await joinOk(ca, room);
    const before = await send(ca, room, 'RC:TxtMsg', { content: 'before b joined' });
    expect(before.status).toBe(0);
    await joinOk(cb, room);
    const after = await send(ca, room, 'RC:TxtMsg', { content: 'after b joined' });
    expect(after.status).toBe(0);
    // b's first pull comes after the second message: it is live traffic for b, not history.
    const page = await pull(cb, room, 0, 0);
    expect(page.list.map((m) => m.msgId)).toEqual([after.messageUId]);
    expect(page.syncTime).toBeGreaterThanOrEqual(sentTime(after));
    const withHistory = await pull(cb, room, 0, 5);
    expect(withHistory.list.map((m) => m.msgId)).toEqual([before.messageUId, after.messageUId]);
  });

  it('joinChrmR joins existing rooms only (23410 otherwise) and a rejoin keeps the first join time', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(), uniqueId('a'));
    expect((await join(ca, room, 'joinChrmR')).status).toBe(23410);
    const first = await joinOk(ca, room);
    await sleep(5);
    expect(await joinOk(ca, room, 'joinChrmR')).toBe(first);
    expect(await joinOk(ca, room)).toBe(first);
  });

  it('rejects malformed room ids with 23412', async () => {
    const ca = await connectUser(env(), uniqueId('a'));
    expect((await join(ca, 'bad id')).status).toBe(23412);
  });

  it('exitChrm leaves the room (sending then gets 23406); quitting a room one is not in succeeds', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(), uniqueId('a'));
    await joinOk(ca, room);
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'in' })).status).toBe(0);
    expect((await quit(ca, room)).status).toBe(0);
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'out' })).status).toBe(23406);
    expect((await quit(ca, room)).status).toBe(0);
    expect((await info(ca, room, 10, 1)).output?.userTotalNums).toBe(0);
  });

  it('one room per user by default: joining another room leaves the first; apps with chrmMulti keep both', async () => {
    const [r1, r2] = [uniqueId('r'), uniqueId('r')];
    const single = await connectUser(env(), uniqueId('s'));
    await joinOk(single, r1);
    await joinOk(single, r2);
    expect((await info(single, r1, 10, 1)).output?.userTotalNums).toBe(0);
    expect((await info(single, r2, 10, 1)).output?.userTotalNums).toBe(1);
    expect((await send(single, r1, 'RC:TxtMsg', { content: 'x' })).status).toBe(23406);

    const multi = await connectUser(env(MULTI), uniqueId('m'));
    await joinOk(multi, r1);
    await joinOk(multi, r2);
    expect((await info(multi, r1, 10, 1)).output?.userTotalNums).toBe(1);
    expect((await info(multi, r2, 10, 1)).output?.userTotalNums).toBe(1);
  });

  it('enforces the member cap with 23411 (members may still rejoin) and no auto-create when the app says so', async () => {
    const room = uniqueId('cap');
    expect((await apiOf(CAPPED).post('/chatroom/create.json', { [`chatroom[${room}]`]: 'Capped' })).status).toBe(200);
    const [a, b, c] = [await connectUser(env(CAPPED), uniqueId('a')), await connectUser(env(CAPPED), uniqueId('b')), await connectUser(env(CAPPED), uniqueId('c'))];
    await joinOk(a, room);
    await joinOk(b, room);
    expect((await join(c, room)).status).toBe(23411);
    expect((await join(a, room)).status).toBe(0);
    expect((await join(c, uniqueId('missing'))).status).toBe(23410);
  });
});

describe('history on join and pulls', () => {
  it('a join pull returns the latest N persisted messages ascending, with syncTime past everything', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(), uniqueId('a'));
    await joinOk(ca, room);
    const times: number[] = [];
    for (let i = 0; i < 12; i++) times.push(sentTime(await send(ca, room, 'RC:TxtMsg', { content: `m${i}` })));
    const command = await send(ca, room, 'RC:CmdMsg', { name: 'not history' }, 0);

    const cb = await connectUser(env(), uniqueId('b'));
    const joinTime = await joinOk(cb, room);
    const page = await pull(cb, room, 0, 5);
    expect(page.status).toBe(0);
    expect(page.list.map((m) => JSON.parse(text(m.content)).content)).toEqual(['m7', 'm8', 'm9', 'm10', 'm11']);
    expect(page.list.map((m) => Number(m.dataTime))).toEqual(times.slice(7));
    expect(page.syncTime).toBeGreaterThanOrEqual(Math.max(sentTime(command), joinTime));
    expect(page.finished ?? true).toBe(true);
    const m = page.list[0]!;
    expect(m).toMatchObject({ type: 4, groupId: room, classname: 'RC:TxtMsg', status: 48 });
    expect(m.msgId).toMatch(/^[0-9A-V]{4}-[0-9A-V]{4}-[0-9A-V]{4}-[0-9A-V]{4}$/);
    // count 0 (or L2's -1): no history.
    expect((await pull(cb, room, 0, 0)).list).toEqual([]);
    expect((await pull(cb, room, 0, -1)).list).toEqual([]);
    // At most 50 even if more is asked.
    expect((await pull(cb, room, 0, 500)).list).toHaveLength(12);
  });

  it('only members may pull (23406); unknown rooms answer 23410', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(), uniqueId('a'));
    await joinOk(ca, room);
    const outsider = await connectUser(env(), uniqueId('o'));
    expect((await pull(outsider, room, 0, 10)).status).toBe(23406);
    expect((await pull(outsider, uniqueId('nope'), 0, 10)).status).toBe(23410);
  });

  it('incremental pulls page at 100 with finished=false, and complete pages omit finished', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(), uniqueId('a'));
    const cb = await connectUser(env(), uniqueId('b'));
    await joinOk(ca, room);
    const cursor = await joinOk(cb, room);
    for (let i = 0; i < 130; i++) await send(ca, room, 'RC:TxtMsg', { content: `n${i}` });
    const first = await pull(cb, room, cursor, 10);
    expect(first.list).toHaveLength(100);
    expect(first.finished).toBe(false);
    expect(first.syncTime).toBe(Number(first.list[99]!.dataTime));
    const rest = await pull(cb, room, first.syncTime, 10);
    expect(rest.list).toHaveLength(30);
    // Absent on the wire on a complete page (E5 ≥ 5.28 misreads field 3 = true; E4 reads absent as true).
    expect(rest.finished).toBeUndefined();
  });

  it('L2 clients get a fresh s_ntf after a truncated page (they do not continue by themselves)', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(), uniqueId('a'));
    const l2 = await connectUser(env(), uniqueId('l'), '2.5.3');
    await joinOk(ca, room);
    const cursor = await joinOk(l2, room);
    for (let i = 0; i < 105; i++) await send(ca, room, 'RC:TxtMsg', { content: `n${i}` });
    await sleep(50);
    const before = l2.received.length;
    const page = await pull(l2, room, cursor, 0);
    expect(page.finished).toBe(false);
    await l2.ping();
    // Every message notification was out before the pull; the one after its answer is the continuation.
    const after = l2.frames.slice(before).filter(isPush('s_ntf')).map((f) => decodeByName('NotifyMsg', (f as PublishFrame).payload));
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ type: 2, chrmId: room });
    expect(Number(after[0]!.time)).toBeGreaterThan(page.syncTime);
    // E4 clients continue on finished=false by themselves and get no such extra notification.
    const e4 = await connectUser(env(), uniqueId('e'));
    await joinOk(e4, room);
    const e4Before = e4.received.length;
    expect((await pull(e4, room, cursor, 10)).finished).toBe(false);
    await e4.ping();
    expect(e4.frames.slice(e4Before).some(isPush('s_ntf'))).toBe(false);
  });
});

describe('delivery', () => {
  it('online members get one s_ntf type 2 and pull the message; the sender and non-members get nothing', async () => {
    const room = uniqueId('r');
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connectUser(env(), a);
    const cb = await connectUser(env(), b);
    const outsider = await connectUser(env(), uniqueId('o'));
    await joinOk(ca, room);
    const cursor = await joinOk(cb, room);

    const ack = await send(ca, room, 'RC:TxtMsg', { content: 'hello room' });
    expect(ack.status).toBe(0);
    const notify = await roomNotify(cb, room);
    expect(notify.time).toBe(sentTime(ack));
    const { list, cursor: next } = await drain(cb, room, cursor);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ fromUserId: a, type: 4, groupId: room, classname: 'RC:TxtMsg', msgId: ack.messageUId, dataTime: sentTime(ack) });
    expect(JSON.parse(text(list[0]!.content))).toEqual({ content: 'hello room' });
    expect(next).toBeGreaterThanOrEqual(notify.time);

    // The sender's own pull leaves its message out (PROTOCOL.md U20), and it was not notified.
    expect((await drain(ca, room, cursor)).list).toEqual([]);
    await ca.ping();
    await outsider.ping();
    expect(ca.frames.some(isPush('s_ntf'))).toBe(false);
    expect(outsider.frames.some(isPush('s_ntf'))).toBe(false);
  });

  it('a member whose sessions are all gone receives nothing, and gets notified again once back', async () => {
    const room = uniqueId('r');
    const b = uniqueId('b');
    const ca = await connectUser(env(), uniqueId('a'));
    await joinOk(ca, room);
    const first = await connectUser(env(), b);
    const cursor = await joinOk(first, room);
    await first.close();
    await sleep(50);
    const missed = await send(ca, room, 'RC:TxtMsg', { content: 'while away' });
    expect(missed.status).toBe(0);

    const back = await connectUser(env(), b);
    await back.ping();
    expect(back.frames.some(isPush('s_ntf'))).toBe(false);
    // Still a member (well within the 30 s rule): the rejoin keeps the join time, and new messages notify again.
    expect(await joinOk(back, room, 'joinChrmR')).toBe(cursor);
    const fresh = await send(ca, room, 'RC:TxtMsg', { content: 'welcome back' });
    expect((await roomNotify(back, room)).time).toBe(sentTime(fresh));
  });

  it('messages of the Server API reach members like any other (publish answers messageUIDs)', async () => {
    const room = uniqueId('r');
    const cb = await connectUser(env(), uniqueId('b'));
    const cursor = await joinOk(cb, room);
    const res = await apiOf().post<{ code: number; messageUIDs: { chatroomId: string; messageUID: string }[] }>('/message/chatroom/publish.json', {
      fromUserId: 'admin', toChatroomId: room, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'from the app server' }),
    });
    expect(res.body.code).toBe(200);
    expect(res.body.messageUIDs).toEqual([{ chatroomId: room, messageUID: expect.any(String) }]);
    await roomNotify(cb, room);
    const { list } = await drain(cb, room, cursor);
    expect(list.map((m) => [m.fromUserId, m.msgId])).toEqual([['admin', res.body.messageUIDs[0]!.messageUID]]);
  });
});

describe('send errors', () => {
  it('23410 for a missing room, 23406 for non-members', async () => {
    const ca = await connectUser(env(), uniqueId('a'));
    expect((await send(ca, uniqueId('nope'), 'RC:TxtMsg', { content: 'x' })).status).toBe(23410);
    const room = uniqueId('r');
    await joinOk(await connectUser(env(), uniqueId('b')), room);
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23406);
  });

  it('23408 when gagged in the room, banned in all rooms, or the room is muted (unless mute-whitelisted)', async () => {
    const room = uniqueId('r');
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const ca = await connectUser(env(), a);
    const cb = await connectUser(env(), b);
    const cc = await connectUser(env(), c);
    for (const client of [ca, cb, cc]) await joinOk(client, room);
    const api = apiOf();
    expect((await api.post('/chatroom/user/gag/add.json', { chatroomId: room, userId: a, minute: 5 })).status).toBe(200);
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    await api.post('/chatroom/user/gag/rollback.json', { chatroomId: room, userId: a });
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);

    await api.post('/chatroom/user/ban/add.json', { userId: b, minute: 5 });
    expect((await send(cb, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    await api.post('/chatroom/user/ban/remove.json', { userId: b });
    expect((await send(cb, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);

    await api.post('/chatroom/ban/add.json', { chatroomId: room });
    await api.post('/chatroom/user/ban/whitelist/add.json', { chatroomId: room, userId: c });
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    expect((await send(cc, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);
    await api.post('/chatroom/ban/rollback.json', { chatroomId: room });
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);
  });

  it('a blocked user is kicked at once and cannot rejoin (23409) until the block is lifted', async () => {
    const room = uniqueId('r');
    const a = uniqueId('a');
    const ca = await connectUser(env(), a);
    await joinOk(ca, room);
    await apiOf().post('/chatroom/user/block/add.json', { chatroomId: room, userId: a, minute: 10 });
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23406);
    expect((await join(ca, room)).status).toBe(23409);
    expect((await join(ca, room, 'joinChrmR')).status).toBe(23409);
    await apiOf().post('/chatroom/user/block/rollback.json', { chatroomId: room, userId: a });
    expect((await join(ca, room)).status).toBe(0);
  });
});

describe('member notifications and history', () => {
  it('apps with chrmMemberNotify send RC:ChrmMemChange on join and quit', async () => {
    const room = uniqueId('r');
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const cb = await connectUser(env(NOTIFY), b);
    const cursor = await joinOk(cb, room);
    const ca = await connectUser(env(NOTIFY), a);
    await joinOk(ca, room);
    await roomNotify(cb, room);
    await quit(ca, room);
    await sleep(50);
    const { list } = await drain(cb, room, cursor);
    const changes = list.filter((m) => m.classname === 'RC:ChrmMemChange');
    expect(changes.map((m) => [m.fromUserId, JSON.parse(text(m.content))])).toEqual([
      [a, { userList: [{ userId: a, status: 1 }], memberCount: 2 }],
      [a, { userList: [{ userId: a, status: 0 }], memberCount: 1 }],
    ]);
    // Status messages: neither persisted nor counted.
    expect(changes[0]!.status).toBe(0);
    // …so a later member's join history holds none of them.
    const cc = await connectUser(env(NOTIFY), uniqueId('c'));
    await joinOk(cc, room);
    expect((await pull(cc, room, 0, 10)).list.filter((m) => m.classname === 'RC:ChrmMemChange' && m.fromUserId === a)).toEqual([]);
  });

  it('an L2 client\'s generic remote history (qryCMsg) of a chatroom reads the room; E4\'s qryCMsg stays customer service', async () => {
    const room = uniqueId('r');
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connectUser(env(), a);
    await joinOk(ca, room);
    const sent = await send(ca, room, 'RC:TxtMsg', { content: 'for the record' });
    const l2 = await connectUser(env(), b, '2.5.3');
    await joinOk(l2, room);
    const ack = await l2.query('qryCMsg', room, encodeHistory(room, 0, 10, 0));
    expect(ack.status).toBe(0);
    expect(decodeByName('HistoryMsgOuput', ack.payload).list.map((m) => m.msgId)).toEqual([sent.messageUId]);
    const e4 = await connectUser(env(), uniqueId('c'));
    const cs = await e4.query('qryCMsg', room, encodeHistory(room, 0, 10, 0));
    expect(cs.status).toBe(0);
    expect(decodeByName('HistoryMsgOuput', cs.payload).list).toEqual([]);
  });

  it('qryCHMsg pages persisted room messages newest first; 23414 when the app has no chatroom history', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(), uniqueId('a'));
    await joinOk(ca, room);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(sentTime(await send(ca, room, 'RC:TxtMsg', { content: `h${i}` })));
    await send(ca, room, 'RC:CmdMsg', { name: 'x' }, 0);
    const history = async (client: RawClient, time: number, count: number, order: number, frameTarget = room) => {
      const ack = await client.query('qryCHMsg', frameTarget, encodeHistory(room, time, count, order));
      return { status: ack.status, out: ack.status === 0 ? decodeByName('HistoryMsgOuput', ack.payload) : undefined };
    };
    const newest = await history(ca, 0, 3, 0);
    expect(newest.out?.list.map((m) => Number(m.dataTime))).toEqual([times[4], times[3], times[2]]);
    expect(newest.out?.hasMsg).toBe(1);
    expect(Number(newest.out?.syncTime)).toBe(times[2]);
    const older = await history(ca, Number(newest.out?.syncTime), 10, 0, ca.connack.userId ?? '');
    expect(older.out?.list.map((m) => Number(m.dataTime))).toEqual([times[1], times[0]]);
    expect(older.out?.hasMsg).toBe(0);
    expect((await history(ca, times[2]!, 10, 1)).out?.list.map((m) => Number(m.dataTime))).toEqual([times[4], times[3]]);

    const other = await connectUser(env(NOHIST), uniqueId('n'));
    expect((await history(other, 0, 10, 0)).status).toBe(23414);
  });

  it('room history is for members, as chrmPull is: 23410 for an unknown room, 23406 for a user who never joined, quit or was blocked (qryCHMsg and L2 qryCMsg)', async () => {
    const room = uniqueId('r');
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const ca = await connectUser(env(), a);
    await joinOk(ca, room);
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'members only' })).status).toBe(0);
    const history = (client: RawClient, roomId = room, topic: 'qryCHMsg' | 'qryCMsg' = 'qryCHMsg') => client.query(topic, roomId, encodeHistory(roomId, 0, 10, 0));
    expect((await history(ca)).status).toBe(0);

    const stranger = await connectUser(env(), b);
    expect((await pull(stranger, room, 0, 10)).status).toBe(23406);
    const refused = await history(stranger);
    expect(refused.status).toBe(23406);
    expect(refused.payload.length).toBe(0);
    expect((await history(stranger, uniqueId('nope'))).status).toBe(23410);
    const l2 = await connectUser(env(), c, '2.5.3');
    expect((await history(l2, room, 'qryCMsg')).status).toBe(23406);

    // A member who quits no longer reads the room.
    await joinOk(stranger, room);
    expect((await history(stranger)).status).toBe(0);
    expect((await quit(stranger, room)).status).toBe(0);
    expect((await history(stranger)).status).toBe(23406);

    // Blocked (kicked, refused on rejoin): cut off from the content too.
    await joinOk(l2, room);
    expect((await history(l2, room, 'qryCMsg')).status).toBe(0);
    const blocked = await apiOf().post('/chatroom/user/block/add.json', { chatroomId: room, userId: c, minute: 10 });
    expect(blocked.status).toBe(200);
    expect((await join(l2, room)).status).toBe(23409);
    expect((await history(l2, room, 'qryCMsg')).status).toBe(23406);
    expect((await history(l2)).status).toBe(23406);
  });
});

function encodeHistory(targetId: string, time: number, count: number, order: number): Uint8Array {
  return encodeByName('HistoryMsgInput', { targetId, time, count, order });
}
