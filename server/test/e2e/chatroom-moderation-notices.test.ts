/**
 * `needNotify` of the chatroom moderation endpoints (SERVER_API.md §2.4; docs/server-api-coverage.md "Chatroom
 * moderation notices"): with `needNotify=true` gag, room mute, mute whitelist and the app-wide ban send an
 * `RC:ChrmBanMsg`, block an `RC:ChrmBlockMsg`, content `{chatroomId, operateType, durationTime, operateTime,
 * userList, extra}`. Members get it the way they get join/quit notices (s_ntf type 2 + chrmPull), neither stored in
 * history nor counted; blocked users, out of the room, get it pushed as an `s_msg` of type CHATROOM. Without
 * `needNotify` nothing is sent.
 */
import { decodeByName, encodeByName, type PublishFrame } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type Form } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { connectUser, drain, isPush, joinOk, roomNotify, sleep, text, uniqueId, type ChatroomTestEnv, type RoomPage } from './chatroom-support';

const APP: TestApp = { key: 'lxchrmnotice', secret: 'lxchrmnoticesecret', options: { maxSendRate: 1000, chrmMulti: 1 } };
const BAN = 'RC:ChrmBanMsg';
const BLOCK = 'RC:ChrmBlockMsg';
const CHATROOM = 4;
const MINUTE_MS = 60_000;

let server: RunningServer;
let env: ChatroomTestEnv;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
  env = { url: server.url, appKey: APP.key, api: serverApi(server.url, APP.key, APP.secret), clients };
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

async function ok(path: string, form: Form): Promise<void> {
  const res = await env.api.post<{ code: number }>(path, form);
  if (res.status !== 200 || res.body.code !== 200) throw new Error(`${path}: HTTP ${res.status} ${res.text}`);
}

async function createRoom(): Promise<string> {
  const room = uniqueId('r');
  await ok('/chatroom/create.json', { [`chatroom[${room}]`]: 'Room' });
  return room;
}

interface Notice {
  readonly chatroomId: string;
  readonly operateType: number;
  readonly durationTime: number;
  readonly operateTime: number;
  readonly userList: string[];
  readonly extra: string;
}

type Wire = RoomPage['list'][number];
const noticeOf = (m: Wire): Notice => JSON.parse(text(m.content)) as Notice;
const notices = (list: RoomPage['list'], objectName = BAN): Notice[] => list.filter((m) => m.classname === objectName).map(noticeOf);

/** A member in the room with its pull cursor. */
interface Member {
  readonly userId: string;
  readonly client: RawClient;
  cursor: number;
}

async function member(roomId: string, prefix = 'm'): Promise<Member> {
  const userId = uniqueId(prefix);
  const client = await connectUser(env, userId);
  return { userId, client, cursor: await joinOk(client, roomId, 'joinChrmR') };
}

/** Waits for the room s_ntf, then pulls everything new as E4 does. */
async function pullNew(m: Member, roomId: string): Promise<RoomPage['list']> {
  await roomNotify(m.client, roomId);
  const { list, cursor } = await drain(m.client, roomId, m.cursor);
  m.cursor = cursor;
  return list;
}

/** The next `s_msg` of `objectName` pushed to the client, decoded. */
async function pushed(client: RawClient, objectName: string, timeoutMs = 5000): Promise<{ frame: PublishFrame; message: Wire }> {
  const frame = await client.nextFrame<PublishFrame>((f) => isPush('s_msg')(f) && decodeByName('DownStreamMessage', (f as PublishFrame).payload).classname === objectName, timeoutMs);
  return { frame, message: decodeByName('DownStreamMessage', frame.payload) as Wire };
}

describe('RC:ChrmBanMsg', () => {
  it('gag add/rollback with needNotify: every member pulls operateType 1 then 0, not stored, not counted, from no member', async () => {
    const room = await createRoom();
    const [gagged, other] = [await member(room, 'g'), await member(room, 'o')];
    const before = Date.now();
    await ok('/chatroom/user/gag/add.json', { chatroomId: room, userId: gagged.userId, minute: 10, needNotify: 'true', extra: 'spam' });
    for (const m of [gagged, other]) {
      const list = await pullNew(m, room);
      expect(notices(list)).toEqual([{ chatroomId: room, operateType: 1, durationTime: 10 * MINUTE_MS, operateTime: expect.any(Number), userList: [gagged.userId], extra: 'spam' }]);
      const [wire] = list.filter((w) => w.classname === BAN);
      // Neither persisted nor counted (status bits 16/32), type CHATROOM, the room in groupId, a sender no member is.
      expect({ type: wire?.type, groupId: wire?.groupId, status: wire?.status, from: wire?.fromUserId }).toEqual({ type: CHATROOM, groupId: room, status: 0, from: '__system__' });
      expect(noticeOf(wire as Wire).operateTime).toBeGreaterThanOrEqual(before);
    }
    await ok('/chatroom/user/gag/rollback.json', { chatroomId: room, userId: gagged.userId, needNotify: true });
    expect(notices(await pullNew(other, room))).toEqual([{ chatroomId: room, operateType: 0, durationTime: 0, operateTime: expect.any(Number), userList: [gagged.userId], extra: '' }]);

    // Not in the room's history (qryCHMsg).
    const ack = await other.client.query('qryCHMsg', room, encodeByName('HistoryMsgInput', { targetId: room, time: 0, count: 50, order: 0 }));
    expect(ack.status).toBe(0);
    expect(decodeByName('HistoryMsgOuput', ack.payload).list.filter((m) => m.classname === BAN)).toEqual([]);
  });

  it('without needNotify (or needNotify=false) nothing is sent', async () => {
    const room = await createRoom();
    const m = await member(room);
    await ok('/chatroom/user/gag/add.json', { chatroomId: room, userId: m.userId, minute: 1 });
    await ok('/chatroom/user/gag/rollback.json', { chatroomId: room, userId: m.userId, needNotify: 'false' });
    await ok('/chatroom/ban/add.json', { chatroomId: room, needNotify: false });
    await ok('/chatroom/user/block/add.json', { chatroomId: room, userId: uniqueId('x'), minute: 1 });
    // A marker message: everything before it has been pulled once it is.
    await ok('/message/chatroom/publish.json', { fromUserId: 'api', toChatroomId: room, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'marker' }) });
    const list = await pullNew(m, room);
    expect(list.map((w) => w.classname)).toEqual(['RC:TxtMsg']);
    expect(m.client.frames.filter(isPush('s_msg'))).toEqual([]);
  });

  it('room mute add/rollback (3/2, no users) and mute whitelist add/rollback (5/4)', async () => {
    const room = await createRoom();
    const m = await member(room);
    const w = uniqueId('w');
    await ok('/chatroom/ban/add.json', { chatroomId: room, needNotify: 'true', extra: 'quiet' });
    await ok('/chatroom/user/ban/whitelist/add.json', { chatroomId: room, userId: [m.userId, w], needNotify: 'true' });
    await ok('/chatroom/user/ban/whitelist/rollback.json', { chatroomId: room, userId: w, needNotify: 'true', extra: 'bye' });
    await ok('/chatroom/ban/rollback.json', { chatroomId: room, needNotify: 'true' });
    const seen: Notice[] = [];
    while (seen.length < 4) seen.push(...notices(await pullNew(m, room)));
    expect(seen.map(({ operateType, durationTime, userList, extra }) => ({ operateType, durationTime, userList, extra }))).toEqual([
      { operateType: 3, durationTime: 0, userList: [], extra: 'quiet' },
      { operateType: 5, durationTime: 0, userList: [m.userId, w], extra: '' },
      { operateType: 4, durationTime: 0, userList: [w], extra: 'bye' },
      { operateType: 2, durationTime: 0, userList: [], extra: '' },
    ]);
    expect(seen.every((n) => n.chatroomId === room)).toBe(true);
  });

  it('the app-wide ban (7/6) is announced in every room the banned users are in, naming those in it', async () => {
    const [r1, r2, r3] = [await createRoom(), await createRoom(), await createRoom()];
    const banned = await member(r1, 'b');
    const second = await joinOk(banned.client, r2, 'joinChrmR');
    const [o1, o2, o3] = [await member(r1, 'o'), await member(r2, 'o'), await member(r3, 'o')];
    const alsoBanned = uniqueId('nobody');
    await ok('/chatroom/user/ban/add.json', { userId: [banned.userId, alsoBanned], minute: 3, needNotify: 'true', extra: 'global' });
    for (const [m, room] of [[o1, r1], [o2, r2]] as const) {
      expect(notices(await pullNew(m, room))).toEqual([{ chatroomId: room, operateType: 7, durationTime: 3 * MINUTE_MS, operateTime: expect.any(Number), userList: [banned.userId], extra: 'global' }]);
    }
    expect(notices((await drain(banned.client, r2, second)).list).map((n) => n.operateType)).toEqual([7]);
    await ok('/chatroom/user/ban/remove.json', { userId: banned.userId, needNotify: 'true' });
    expect(notices(await pullNew(o1, r1)).map((n) => [n.operateType, n.durationTime, n.userList])).toEqual([[6, 0, [banned.userId]]]);
    // A room none of them is in hears of neither.
    await sleep(200);
    expect(notices((await drain(o3.client, r3, o3.cursor)).list)).toEqual([]);
  });
});

describe('RC:ChrmBlockMsg', () => {
  it('block add: the members pull operateType 1 and the blocked user, out of the room, gets it pushed; rollback: 0 the same ways', async () => {
    const room = await createRoom();
    const [blocked, other] = [await member(room, 'k'), await member(room, 'o')];
    const offRoom = uniqueId('z');
    const offClient = await connectUser(env, offRoom);
    await ok('/chatroom/user/block/add.json', { chatroomId: room, userId: [blocked.userId, offRoom], minute: 2, needNotify: 'true', extra: 'bad' });
    const expected = { chatroomId: room, operateType: 1, durationTime: 2 * MINUTE_MS, operateTime: expect.any(Number), userList: [blocked.userId, offRoom], extra: 'bad' };
    const pulled = (await pullNew(other, room)).filter((w) => w.classname === BLOCK);
    expect(pulled.map(noticeOf)).toEqual([expected]);

    for (const client of [blocked.client, offClient]) {
      const { frame, message } = await pushed(client, BLOCK);
      expect(frame.targetId).toBe(room);
      // The message the members pull.
      expect(message.msgId).toBe(pulled[0]?.msgId);
      expect({ type: message.type, groupId: message.groupId, status: message.status, from: message.fromUserId }).toEqual({ type: CHATROOM, groupId: room, status: 0, from: '__system__' });
      expect(noticeOf(message)).toEqual(expected);
    }
    // The blocked member is out: it cannot pull the room any more (and was not sent the room s_ntf for it).
    expect((await blocked.client.query('chrmPull', room, encodeByName('ChrmPullMsg', { syncTime: blocked.cursor, count: 10 }))).status).toBe(23406);
    await ok('/chatroom/user/block/rollback.json', { chatroomId: room, userId: blocked.userId, needNotify: 'true' });
    const { message } = await pushed(blocked.client, BLOCK);
    expect(noticeOf(message)).toMatchObject({ operateType: 0, durationTime: 0, userList: [blocked.userId], extra: '' });
    expect(notices(await pullNew(other, room), BLOCK).map((n) => n.operateType)).toEqual([0]);
    // The member is not pushed it (it pulls it).
    expect(other.client.frames.filter(isPush('s_msg'))).toEqual([]);
  });
});
