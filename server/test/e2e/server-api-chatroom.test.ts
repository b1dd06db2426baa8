/**
 * `chatroom/*`, `message/chatroom/*` endpoints (SERVER_API.md §2.4) against the real server process: the
 * official response field names, validation (1002), and each endpoint's effect as clients see it.
 */
import { decodeByName, type PublishFrame } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type Form, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { connectUser, drain, isPush, join, joinOk, roomCommand, roomNotify, send, text, uniqueId, type ChatroomTestEnv } from './chatroom-support';

const APP: TestApp = { key: 'lxapichrm', secret: 'lxapisecret', options: { maxSendRate: 1000, chrmMulti: 1 } };
const NOKV: TestApp = { key: 'lxapinokv', secret: 'lxapisecret', options: { chrmKv: 0 } };

let server: RunningServer;
let api: ServerApiClient;
let environment: ChatroomTestEnv;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP, NOKV] });
  api = serverApi(server.url, APP.key, APP.secret);
  environment = { url: server.url, appKey: APP.key, api, clients };
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

async function ok<T = Record<string, unknown>>(path: string, form: Form = {}): Promise<T> {
  const res = await api.post<T & { code: number }>(path, form);
  if (res.status !== 200 || res.body.code !== 200) throw new Error(`${path}: HTTP ${res.status} ${res.text}`);
  return res.body;
}

async function fails(path: string, form: Form, code = 1002, status = 400): Promise<string> {
  const res = await api.post<{ code: number; errorMessage: string }>(path, form);
  expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status, code });
  return res.body.errorMessage;
}

async function createRoom(name = 'Room'): Promise<string> {
  const room = uniqueId('r');
  await ok('/chatroom/create.json', { [`chatroom[${room}]`]: name });
  return room;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe('rooms', () => {
  it('create (chatroom[id]=name, repeatable), query (chrmId + chatroomId), get, destroy', async () => {
    const [r1, r2] = [uniqueId('r'), uniqueId('r')];
    expect(await ok('/chatroom/create.json', { [`chatroom[${r1}]`]: 'One', [`chatroom[${r2}]`]: 'Two' })).toEqual({ code: 200 });
    const query = await ok<{ chatRooms: Record<string, unknown>[] }>('/chatroom/query.json', { chatroomId: [r1, r2, 'missing'] });
    expect(query.chatRooms).toEqual([
      { chrmId: r1, chatroomId: r1, name: 'One', time: expect.stringMatching(DATE_TIME) },
      { chrmId: r2, chatroomId: r2, name: 'Two', time: expect.stringMatching(DATE_TIME) },
    ]);
    const get = await ok('/chatroom/get.json', { chatroomId: r1 });
    expect(get).toEqual({ code: 200, chatroomId: r1, createTime: expect.any(Number), memberCount: 0, destroyType: 0, destroyTime: 0, ban: false });

    const member = await connectUser(environment, uniqueId('m'));
    await joinOk(member, r1);
    expect(await ok('/chatroom/destroy.json', { chatroomId: [r1, r2] })).toEqual({ code: 200 });
    await roomCommand(member, r1, 4);
    expect((await ok<{ chatRooms: unknown[] }>('/chatroom/query.json', { chatroomId: [r1, r2] })).chatRooms).toEqual([]);
    expect((await join(member, r1, 'joinChrmR')).status).toBe(23410);
    // Destroying what is gone is fine.
    await ok('/chatroom/destroy.json', { chatroomId: r1 });
  });

  it('validates ids and bodies with 1002', async () => {
    await fails('/chatroom/create.json', {});
    await fails('/chatroom/create.json', { 'chatroom[bad id]': 'x' });
    await fails('/chatroom/get.json', { chatroomId: 'nope-missing' });
    await fails('/chatroom/user/query.json', { chatroomId: 'x', count: 501 });
    await fails('/chatroom/user/gag/add.json', { chatroomId: 'nope-missing', userId: 'u', minute: 1 });
    await fails('/chatroom/user/gag/add.json', { chatroomId: await createRoom(), userId: 'u', minute: 43201 });
    await fails('/chatroom/destroy.json', {});
  });

  it('create_new: isBan mutes the room, whiteUserIds may still speak, entryInfo sets entries', async () => {
    const room = uniqueId('r');
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    await ok('/chatroom/create_new.json', { chatroomId: room, destroyType: 0, isBan: 'true', whiteUserIds: b, entryOwnerId: a, entryInfo: JSON.stringify({ title: 'T', mode: 'quiet' }) });
    const ca = await connectUser(environment, a);
    const cb = await connectUser(environment, b);
    await joinOk(ca, room, 'joinChrmR');
    await joinOk(cb, room, 'joinChrmR');
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    expect((await send(cb, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);
    const entries = await ok<{ keys: { key: string; value: string; userId: string }[] }>('/chatroom/entry/query.json', { chatroomId: room });
    expect(entries.keys.map((k) => [k.key, k.value, k.userId])).toEqual([['mode', 'quiet', a], ['title', 'T', a]]);
  });

  it('keepalive add/query/remove (1015 when the room is not kept alive)', async () => {
    const room = await createRoom();
    await ok('/chatroom/keepalive/add.json', { chatroomId: room });
    expect((await ok<{ chatroomIds: string[] }>('/chatroom/keepalive/query.json')).chatroomIds).toContain(room);
    await ok('/chatroom/keepalive/remove.json', { chatroomId: room });
    expect((await ok<{ chatroomIds: string[] }>('/chatroom/keepalive/query.json')).chatroomIds).not.toContain(room);
    await fails('/chatroom/keepalive/remove.json', { chatroomId: room }, 1015);
    await fails('/chatroom/keepalive/add.json', { chatroomId: 'nope-missing' });
  });
});

describe('members', () => {
  it('user/query (total, users[].id/time by join order), users/exist and user/exist', async () => {
    const room = await createRoom();
    const ids = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    for (const id of ids) await joinOk(await connectUser(environment, id), room, 'joinChrmR');
    const asc = await ok<{ total: number; users: { id: string; time: string }[] }>('/chatroom/user/query.json', { chatroomId: room, count: 2, order: 1 });
    expect(asc.total).toBe(3);
    expect(asc.users.map((u) => u.id)).toEqual(ids.slice(0, 2));
    expect(asc.users[0]?.time).toMatch(DATE_TIME);
    const desc = await ok<{ users: { id: string }[] }>('/chatroom/user/query.json', { chatroomId: room, count: 10, order: 2 });
    expect(desc.users.map((u) => u.id)).toEqual([...ids].reverse());
    expect(await ok('/chatroom/users/exist.json', { chatroomId: room, userId: [ids[0]!, 'ghost'] })).toEqual({
      code: 200,
      result: [{ userId: ids[0], isInChrm: 1 }, { userId: 'ghost', isInChrm: 0 }],
    });
    expect(await ok('/chatroom/user/exist.json', { chatroomId: room, userId: ids[1]! })).toEqual({ code: 200, isInChrm: true });
    expect(await ok('/chatroom/user/exist.json', { chatroomId: room, userId: 'ghost' })).toEqual({ code: 200, isInChrm: false });
  });
});

describe('moderation', () => {
  it('gag add/list/rollback', async () => {
    const room = await createRoom();
    const a = uniqueId('a');
    const ca = await connectUser(environment, a);
    await joinOk(ca, room, 'joinChrmR');
    await ok('/chatroom/user/gag/add.json', { chatroomId: room, userId: a, minute: 10 });
    const list = await ok<{ users: { userId: string; time: string }[] }>('/chatroom/user/gag/list.json', { chatroomId: room });
    expect(list.users).toEqual([{ userId: a, time: expect.stringMatching(DATE_TIME) }]);
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    await ok('/chatroom/user/gag/rollback.json', { chatroomId: room, userId: a });
    expect((await ok<{ users: unknown[] }>('/chatroom/user/gag/list.json', { chatroomId: room })).users).toEqual([]);
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);
  });

  it('user ban (all rooms) add/query/remove', async () => {
    const [r1, r2] = [await createRoom(), await createRoom()];
    const a = uniqueId('a');
    const ca = await connectUser(environment, a);
    await joinOk(ca, r1, 'joinChrmR');
    await joinOk(ca, r2, 'joinChrmR');
    await ok('/chatroom/user/ban/add.json', { userId: a, minute: 5 });
    expect((await ok<{ users: { userId: string }[] }>('/chatroom/user/ban/query.json')).users.map((u) => u.userId)).toContain(a);
    expect((await send(ca, r1, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    expect((await send(ca, r2, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    await ok('/chatroom/user/ban/remove.json', { userId: a });
    expect((await send(ca, r2, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);
  });

  it('block add kicks at once; list; rollback lets the user back in', async () => {
    const room = await createRoom();
    const a = uniqueId('a');
    const ca = await connectUser(environment, a);
    await joinOk(ca, room, 'joinChrmR');
    await ok('/chatroom/user/block/add.json', { chatroomId: room, userId: a, minute: 1 });
    expect(await ok('/chatroom/user/exist.json', { chatroomId: room, userId: a })).toMatchObject({ isInChrm: false });
    expect((await ok<{ users: { userId: string; time: string }[] }>('/chatroom/user/block/list.json', { chatroomId: room })).users).toEqual([
      { userId: a, time: expect.stringMatching(DATE_TIME) },
    ]);
    expect((await join(ca, room)).status).toBe(23409);
    await ok('/chatroom/user/block/rollback.json', { chatroomId: room, userId: a });
    expect((await join(ca, room)).status).toBe(0);
  });

  it('room ban add/check/query/rollback with the mute whitelist', async () => {
    const room = await createRoom();
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connectUser(environment, a);
    const cb = await connectUser(environment, b);
    await joinOk(ca, room, 'joinChrmR');
    await joinOk(cb, room, 'joinChrmR');
    await ok('/chatroom/ban/add.json', { chatroomId: room });
    expect(await ok('/chatroom/ban/check.json', { chatroomId: room })).toEqual({ code: 200, status: 1 });
    expect((await ok<{ chatroomIds: string[] }>('/chatroom/ban/query.json', { page: 1, size: 1000 })).chatroomIds).toContain(room);
    await ok('/chatroom/user/ban/whitelist/add.json', { chatroomId: room, userId: b });
    expect(await ok('/chatroom/user/ban/whitelist/query.json', { chatroomId: room })).toEqual({ code: 200, userIds: [b] });
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    expect((await send(cb, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);
    await ok('/chatroom/user/ban/whitelist/rollback.json', { chatroomId: room, userId: b });
    expect((await send(cb, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23408);
    await ok('/chatroom/ban/rollback.json', { chatroomId: room });
    expect(await ok('/chatroom/ban/check.json', { chatroomId: room })).toEqual({ code: 200, status: 0 });
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(0);
  });

  it('user whitelist add/query/remove, at most 5 per room', async () => {
    const room = await createRoom();
    const ids = Array.from({ length: 5 }, () => uniqueId('w'));
    await ok('/chatroom/user/whitelist/add.json', { chatroomId: room, userId: ids });
    expect((await ok<{ users: string[] }>('/chatroom/user/whitelist/query.json', { chatroomId: room })).users).toEqual([...ids].sort());
    await fails('/chatroom/user/whitelist/add.json', { chatroomId: room, userId: uniqueId('w') });
    await ok('/chatroom/user/whitelist/remove.json', { chatroomId: room, userId: ids[0]! });
    expect((await ok<{ users: string[] }>('/chatroom/user/whitelist/query.json', { chatroomId: room })).users).toHaveLength(4);
  });

  it('message-type whitelist (objectnames → whitlistMsgType, ≤ 20) and low-priority types', async () => {
    await ok('/chatroom/whitelist/add.json', { objectnames: ['App:Gift', 'App:Vip'] });
    expect(await ok('/chatroom/whitelist/query.json')).toEqual({ code: 200, whitlistMsgType: ['App:Gift', 'App:Vip'] });
    await fails('/chatroom/whitelist/add.json', { objectnames: Array.from({ length: 19 }, (_, i) => `App:T${i}`) });
    await ok('/chatroom/whitelist/delete.json', { objectnames: 'App:Vip' });
    expect(await ok('/chatroom/whitelist/query.json')).toEqual({ code: 200, whitlistMsgType: ['App:Gift'] });
    await ok('/chatroom/message/priority/add.json', { objectName: ['App:Like', 'App:Emoji'] });
    expect(await ok('/chatroom/message/priority/query.json')).toEqual({ code: 200, objectNames: ['App:Emoji', 'App:Like'] });
    await ok('/chatroom/message/priority/remove.json', { objectName: 'App:Emoji' });
    expect(await ok('/chatroom/message/priority/query.json')).toEqual({ code: 200, objectNames: ['App:Like'] });
  });
});

describe('messages', () => {
  it('publish to several rooms answers messageUIDs; 1002 for a missing room; broadcast reaches every room', async () => {
    const [r1, r2] = [await createRoom(), await createRoom()];
    const member = await connectUser(environment, uniqueId('m'));
    const c1 = await joinOk(member, r1, 'joinChrmR');
    const c2 = await joinOk(member, r2, 'joinChrmR');
    const res = await ok<{ messageUIDs: { chatroomId: string; messageUID: string }[] }>('/message/chatroom/publish.json', {
      fromUserId: 'boss', toChatroomId: [r1, r2], objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'hi all' }),
    });
    expect(res.messageUIDs.map((m) => m.chatroomId)).toEqual([r1, r2]);
    await fails('/message/chatroom/publish.json', { fromUserId: 'boss', toChatroomId: 'nope-missing', objectName: 'RC:TxtMsg', content: '{}' });
    await fails('/message/chatroom/publish.json', { fromUserId: 'boss', toChatroomId: r1, objectName: 'RC:TxtMsg', content: 'not json' });
    await ok('/message/chatroom/broadcast.json', { fromUserId: 'boss', objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'everyone' }) });
    await roomNotify(member, r1);
    for (const [room, cursor] of [[r1, c1], [r2, c2]] as const) {
      const { list } = await drain(member, room, cursor);
      expect(list.map((m) => JSON.parse(text(m.content)).content)).toEqual(['hi all', 'everyone']);
    }
  });
});

describe('multi-item writes are all or nothing', () => {
  const keysOf = async (room: string): Promise<string[]> =>
    (await ok<{ keys: { key: string }[] }>('/chatroom/entry/query.json', { chatroomId: room })).keys.map((k) => k.key);
  const entryInfo = (count: number, prefix = 'k'): string => JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, 'v'])));

  it('entry/batch/set checks every key, value and the room\'s key cap before writing any', async () => {
    const room = await createRoom();
    await fails('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'u1', entryInfo: JSON.stringify({ k5: 'a', 'bad key!': 'x' }) });
    await fails('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'u1', entryInfo: JSON.stringify({ k5: 'a', k6: 'x'.repeat(4097) }) });
    await fails('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'u1', entryInfo: JSON.stringify({ k5: 'a', k6: '' }) });
    await fails('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'u1', entryInfo: JSON.stringify({ k5: 'a', k6: 7 }) });
    // 101 keys into an empty room (cap 100).
    await fails('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'u1', entryInfo: entryInfo(101) });
    expect(await keysOf(room)).toEqual([]);
    // The keys already there count: 99 + 2 new ones is over the cap, 99 + 1 new one and an overwrite is not.
    await ok('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'u1', entryInfo: entryInfo(99) });
    await fails('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'u2', entryInfo: JSON.stringify({ k0: 'changed', n1: 'a', n2: 'b' }) });
    const before = await ok<{ keys: { key: string; value: string; userId: string }[] }>('/chatroom/entry/query.json', { chatroomId: room, keys: ['k0'] });
    expect(before.keys.map((k) => [k.key, k.value, k.userId])).toEqual([['k0', 'v', 'u1']]);
    expect(await keysOf(room)).toHaveLength(99);
    await ok('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'u2', entryInfo: JSON.stringify({ k0: 'changed', n1: 'a' }) });
    expect(await keysOf(room)).toHaveLength(100);
  });

  it('create_new checks entryInfo before creating or muting the room', async () => {
    const room = uniqueId('c');
    await fails('/chatroom/create_new.json', { chatroomId: room, isBan: 1, entryOwnerId: 'u1', entryInfo: JSON.stringify({ k6: 'a', 'bad key!': 'x' }) });
    await fails('/chatroom/create_new.json', { chatroomId: room, isBan: 1, entryOwnerId: 'u1', entryInfo: entryInfo(101) });
    await fails('/chatroom/create_new.json', { chatroomId: room, isBan: 1, entryOwnerId: 'u1', entryInfo: 'not json' });
    await fails('/chatroom/get.json', { chatroomId: room });
    expect(await ok('/chatroom/query.json', { chatroomId: room })).toEqual({ code: 200, chatRooms: [] });
    expect(await ok('/chatroom/ban/check.json', { chatroomId: room })).toMatchObject({ status: 0 });

    // On a room that exists, a refused entryInfo (its key cap) leaves the room as it was: not muted, same keys.
    const full = await createRoom();
    await ok('/chatroom/entry/batch/set.json', { chatroomId: full, entryOwnerId: 'u1', entryInfo: entryInfo(99) });
    await fails('/chatroom/create_new.json', { chatroomId: full, isBan: 1, whiteUserIds: 'w1', entryOwnerId: 'u1', entryInfo: entryInfo(2, 'n') });
    expect(await ok('/chatroom/get.json', { chatroomId: full })).toMatchObject({ ban: false });
    expect(await ok('/chatroom/user/ban/whitelist/query.json', { chatroomId: full })).toEqual({ code: 200, userIds: [] });
    expect(await keysOf(full)).toHaveLength(99);
    // A valid call still does everything.
    await ok('/chatroom/create_new.json', { chatroomId: room, isBan: 1, entryOwnerId: 'u1', entryInfo: JSON.stringify({ k6: 'a' }) });
    expect(await ok('/chatroom/get.json', { chatroomId: room })).toMatchObject({ chatroomId: room, ban: true });
    expect(await keysOf(room)).toEqual(['k6']);
  });

  it('message/chatroom/publish to several rooms checks every room before storing in any', async () => {
    const [p1, p3] = [await createRoom(), await createRoom()];
    const missing = uniqueId('pmissing');
    const member = await connectUser(environment, uniqueId('m'));
    const c1 = await joinOk(member, p1, 'joinChrmR');
    const c3 = await joinOk(member, p3, 'joinChrmR');
    const message = { fromUserId: 'boss', objectName: 'X:Audit', content: JSON.stringify({ n: 1 }) };
    const error = await fails('/message/chatroom/publish.json', { ...message, toChatroomId: [p1, missing, p3] });
    expect(error).toContain(missing);
    await ok('/message/chatroom/publish.json', { ...message, toChatroomId: [p1, p3], content: JSON.stringify({ n: 2 }) });
    await roomNotify(member, p3);
    for (const [room, cursor] of [[p1, c1], [p3, c3]] as const) {
      const { list } = await drain(member, room, cursor);
      expect(list.filter((m) => m.classname === 'X:Audit').map((m) => JSON.parse(text(m.content)).n)).toEqual([2]);
    }
  });
});

describe('isIncludeSender', () => {
  it('message/chatroom/publish with isIncludeSender=1 is in the sender\'s own pull (and wakes it); 0 and absent are not', async () => {
    const room = await createRoom();
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connectUser(environment, a);
    const cb = await connectUser(environment, b);
    const cursorA = await joinOk(ca, room, 'joinChrmR');
    const cursorB = await joinOk(cb, room, 'joinChrmR');
    const publish = (content: string, extra: Form = {}): Promise<unknown> =>
      ok('/message/chatroom/publish.json', { fromUserId: a, toChatroomId: room, objectName: 'RC:TxtMsg', content: JSON.stringify({ content }), ...extra });
    await publish('incl', { isIncludeSender: 1 });
    await publish('excl', { isIncludeSender: 0 });
    await publish('default');
    // A client cannot ask for its own messages back through the flags it sends (the bit is server-only).
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'client' }, 3 | (1 << 16))).status).toBe(0);
    await fails('/message/chatroom/publish.json', { fromUserId: a, toChatroomId: room, objectName: 'RC:TxtMsg', content: '{}', isIncludeSender: 'maybe' });

    const texts = (list: Awaited<ReturnType<typeof drain>>['list']): string[] => list.filter((m) => m.classname === 'RC:TxtMsg').map((m) => JSON.parse(text(m.content)).content);
    const others = await drain(cb, room, cursorB);
    expect(texts(others.list)).toEqual(['incl', 'excl', 'default', 'client']);
    const own = await drain(ca, room, cursorA);
    expect(texts(own.list)).toEqual(['incl']);
    const [mine] = own.list.filter((m) => m.classname === 'RC:TxtMsg');
    const [theirs] = others.list.filter((m) => m.classname === 'RC:TxtMsg');
    // Same message, same wire status for both (the server-only bit never leaves the server).
    expect({ from: mine?.fromUserId, uid: mine?.msgId, status: mine?.status }).toEqual({ from: a, uid: theirs?.msgId, status: theirs?.status });
    expect(mine?.status).toBe(3 << 4);
    // The sender was told to pull it (s_ntf type 2 up to its time).
    const notified = ca.frames.filter(isPush('s_ntf')).map((f) => decodeByName('NotifyMsg', (f as PublishFrame).payload)).filter((n) => n.type === 2 && n.chrmId === room);
    expect(notified.some((n) => Number(n.time) >= Number(mine?.dataTime))).toBe(true);
  });

  it('message/chatroom/broadcast honours isIncludeSender the same way', async () => {
    const room = await createRoom();
    const a = uniqueId('a');
    const ca = await connectUser(environment, a);
    const cursor = await joinOk(ca, room, 'joinChrmR');
    for (const [content, isIncludeSender] of [['to all, me too', 1], ['to all, not me', 0]] as const) {
      await ok('/message/chatroom/broadcast.json', { fromUserId: a, objectName: 'X:Bcast', content: JSON.stringify({ content }), isIncludeSender });
    }
    const { list } = await drain(ca, room, cursor);
    expect(list.filter((m) => m.classname === 'X:Bcast').map((m) => JSON.parse(text(m.content)).content)).toEqual(['to all, me too']);
  });
});

describe('entries', () => {
  it('set/query/remove/batch set, forced over any owner, with optional notification', async () => {
    const room = await createRoom();
    const member = await connectUser(environment, uniqueId('m'));
    const cursor = await joinOk(member, room, 'joinChrmR');
    await ok('/chatroom/entry/set.json', { chatroomId: room, userId: 'admin', key: 'k1', value: 'v1', autoDelete: 0, objectName: 'RC:chrmKVNotiMsg', content: JSON.stringify({ key: 'k1', value: 'v1', type: 1 }) });
    await roomCommand(member, room, 2);
    await ok('/chatroom/entry/batch/set.json', { chatroomId: room, entryOwnerId: 'owner', entryInfo: JSON.stringify({ k2: 'v2', k3: 'v3' }) });
    const all = await ok<{ keys: Record<string, unknown>[] }>('/chatroom/entry/query.json', { chatroomId: room });
    expect(all.keys).toEqual([
      { key: 'k1', value: 'v1', userId: 'admin', autoDelete: 0, lastSetTime: expect.stringMatching(DATE_TIME) },
      { key: 'k2', value: 'v2', userId: 'owner', autoDelete: 0, lastSetTime: expect.stringMatching(DATE_TIME) },
      { key: 'k3', value: 'v3', userId: 'owner', autoDelete: 0, lastSetTime: expect.stringMatching(DATE_TIME) },
    ]);
    expect((await ok<{ keys: { key: string }[] }>('/chatroom/entry/query.json', { chatroomId: room, keys: ['k3', 'zz'] })).keys.map((k) => k.key)).toEqual(['k3']);
    await ok('/chatroom/entry/remove.json', { chatroomId: room, userId: 'admin', key: 'k2' });
    await fails('/chatroom/entry/remove.json', { chatroomId: room, userId: 'admin', key: 'k2' });
    await fails('/chatroom/entry/set.json', { chatroomId: room, userId: 'admin', key: 'bad key', value: 'v' });
    await fails('/chatroom/entry/set.json', { chatroomId: 'nope-missing', userId: 'admin', key: 'k', value: 'v' });
    const { list } = await drain(member, room, cursor);
    expect(list.map((m) => m.classname)).toEqual(['RC:chrmKVNotiMsg']);

    const noKv = serverApi(server.url, NOKV.key, NOKV.secret);
    const res = await noKv.post<{ code: number }>('/chatroom/entry/query.json', { chatroomId: room });
    expect([res.status, res.body.code]).toEqual([430, 1009]);
  });
});
