/**
 * Chatroom KV attributes through our SDK against the real server process (API_CHECKLIST §3.10 KV,
 * PROTOCOL.md §8.8): pulled on join (navi kvStorage), set with and without a notification message,
 * other users' keys only with force (23424), removals reaching the others as DELETE, incremental
 * updates through the status listener (never to the changer), the local reads (23427 for a missing
 * key), batch set/remove, auto-delete entries going with their owner, client-side validation (33003)
 * and apps without KV (23426).
 */
import { ChatroomEntryType, ErrorCode } from '../../src/index';
import type { Message } from '../../src/index';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call } from './sdk-api-support';
import type { CallResult } from './sdk-api-support';
import { api, delay, eventually, joinOk, newRoomId, roomUser, useDroppableSockets } from './sdk-chatroom-support';
import type { RoomUser, StatusInfo } from './sdk-chatroom-support';

const APP: TestApp = { key: 'lxsdkchrmkv', secret: 'lxsdkchrmkvsecret', options: { maxSendRate: 1000, chrmQuotaHigh: 100000 } };
const NOKV: TestApp = { key: 'lxsdkchrmnokv', secret: 'lxsdkchrmkvsecret', options: { chrmKv: 0 } };
/** Three client KV changes per room and second. */
const RATE: TestApp = { key: 'lxsdkchrmkvrate', secret: 'lxsdkchrmkvsecret', options: { maxSendRate: 1000, chrmKvRate: 3 } };
/** One user logged in on several devices (tabs) at once. */
const DEVICES: TestApp = { key: 'lxsdkchrmkvdev', secret: 'lxsdkchrmkvsecret', options: { maxSendRate: 1000, chrmQuotaHigh: 100000, multiDevice: true } };

useDroppableSockets();
let server: RunningServer;
const users: RoomUser[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP, NOKV, DEVICES, RATE] });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
});

async function online(name: string, app: TestApp = APP, userId?: string): Promise<RoomUser> {
  const user = await roomUser(server, app, name, userId);
  users.push(user);
  return user;
}

/** Two members of a fresh room. */
async function pair(): Promise<{ roomId: string; alice: RoomUser; bob: RoomUser }> {
  const roomId = newRoomId();
  const [alice, bob] = [await online('alice'), await online('bob')];
  await joinOk(alice, roomId);
  await joinOk(bob, roomId);
  return { roomId, alice, bob };
}

function entry(user: RoomUser, roomId: string, key: string): Promise<CallResult<string>> {
  return call<string>((cb) => user.im.getChatroomEntry(roomId, key, cb));
}

async function all(user: RoomUser, roomId: string): Promise<Record<string, string>> {
  const result = await call<Record<string, string>>((cb) => user.im.getAllChatroomEntries(roomId, cb));
  if (!result.ok) throw new Error(`getAllChatroomEntries failed with ${result.code}`);
  return result.value;
}

async function entriesEventually(user: RoomUser, roomId: string, wanted: Record<string, string>): Promise<void> {
  await eventually(`${JSON.stringify(wanted)} at ${user.userId}`, async () => JSON.stringify(Object.entries(await all(user, roomId)).sort()) === JSON.stringify(Object.entries(wanted).sort()));
}

/** The entries reported through the status listener, flattened. */
function updates(user: RoomUser): Array<Record<string, unknown>> {
  return user.statusEvents.flatMap((info: StatusInfo) => (Array.isArray(info['updatedEntries']) ? (info['updatedEntries'] as Array<Record<string, unknown>>) : []));
}

const ok = { ok: true };

describe('chatroom attributes', () => {
  test('set with a notification: others get the value and the RC:chrmKVNotiMsg, the changer neither event', async () => {
    const { roomId, alice, bob } = await pair();
    expect(await call((cb) => alice.im.setChatroomEntry(roomId, { key: 'title', value: 'Live', isSendNotification: true, notificationExtra: 'x' }, cb))).toMatchObject(ok);
    expect(await all(alice, roomId)).toEqual({ title: 'Live' });
    await entriesEventually(bob, roomId, { title: 'Live' });
    const note: Message = await bob.next((m) => m.objectName === 'RC:chrmKVNotiMsg');
    expect(note).toMatchObject({ targetId: roomId, senderUserId: alice.userId, content: { key: 'title', value: 'Live', extra: 'x', type: ChatroomEntryType.UPDATE } });
    expect(updates(bob)).toEqual([{ key: 'title', value: 'Live', timestamp: expect.any(Number), chatroomId: roomId, type: ChatroomEntryType.UPDATE }]);
    await delay(300);
    expect(updates(alice)).toEqual([]);
    expect(alice.received.filter((r) => r.message.objectName === 'RC:chrmKVNotiMsg')).toEqual([]);
    expect(await entry(bob, roomId, 'title')).toMatchObject({ ok: true, value: 'Live' });
  });

  test("another user's key needs force (23424); removals reach the others as DELETE; 23427 for missing keys", async () => {
    const { roomId, alice, bob } = await pair();
    expect(await call((cb) => alice.im.setChatroomEntry(roomId, { key: 'seat', value: 'A' }, cb))).toMatchObject(ok);
    await entriesEventually(bob, roomId, { seat: 'A' });
    expect(await call((cb) => bob.im.setChatroomEntry(roomId, { key: 'seat', value: 'B' }, cb))).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_KV_OVERWRITE_INVALID });
    expect(await call((cb) => bob.im.removeChatroomEntry(roomId, { key: 'seat' }, cb))).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_KV_OVERWRITE_INVALID });
    expect(await call((cb) => bob.im.forceSetChatroomEntry(roomId, { key: 'seat', value: 'B' }, cb))).toMatchObject(ok);
    await entriesEventually(alice, roomId, { seat: 'B' });
    expect(await call((cb) => alice.im.forceRemoveChatroomEntry(roomId, { key: 'seat' }, cb))).toMatchObject(ok);
    await entriesEventually(bob, roomId, {});
    expect(updates(bob).map((u) => [u['key'], u['type']])).toEqual([['seat', ChatroomEntryType.UPDATE], ['seat', ChatroomEntryType.DELETE]]);
    expect(await entry(bob, roomId, 'seat')).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_KEY_NOT_EXIST });
    expect(await call((cb) => bob.im.forceRemoveChatroomEntry(roomId, { key: 'seat' }, cb))).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_KEY_NOT_EXIST });
  });

  test('a late joiner pulls everything on join; later changes arrive one by one (incremental)', async () => {
    const { roomId, alice } = await pair();
    for (const [key, value] of [['k1', 'v1'], ['k2', 'v2']] as const) {
      expect(await call((cb) => alice.im.setChatroomEntry(roomId, { key, value }, cb))).toMatchObject(ok);
    }
    const carol = await online('carol');
    await joinOk(carol, roomId);
    await entriesEventually(carol, roomId, { k1: 'v1', k2: 'v2' });
    expect(await call((cb) => alice.im.setChatroomEntry(roomId, { key: 'k2', value: 'v2b' }, cb))).toMatchObject(ok);
    await entriesEventually(carol, roomId, { k1: 'v1', k2: 'v2b' });
    // The first pull reported both keys, the next only the one that changed.
    expect(updates(carol).map((u) => [u['key'], u['value']])).toEqual([['k1', 'v1'], ['k2', 'v2'], ['k2', 'v2b']]);
  });

  test('batch set/remove: a map or a list of entries; nothing changes when one key belongs to someone else', async () => {
    const { roomId, alice, bob } = await pair();
    expect(await call((cb) => alice.im.setChatRoomEntries(roomId, { entries: { a: '1', b: '2' } }, cb))).toMatchObject(ok);
    expect(await call((cb) => alice.im.setChatRoomEntries(roomId, { entries: [{ key: 'c', value: '3' }] }, cb))).toMatchObject(ok);
    await entriesEventually(bob, roomId, { a: '1', b: '2', c: '3' });
    const refused = await call((cb) => bob.im.setChatRoomEntries(roomId, { entries: { mine: 'x', a: 'taken' } }, cb));
    expect(refused).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_KV_OVERWRITE_INVALID });
    await delay(200);
    expect(await all(alice, roomId)).toEqual({ a: '1', b: '2', c: '3' });
    expect(await call((cb) => bob.im.setChatRoomEntries(roomId, { entries: { mine: 'x', a: 'taken' }, isForce: true }, cb))).toMatchObject(ok);
    await entriesEventually(alice, roomId, { a: 'taken', b: '2', c: '3', mine: 'x' });
    expect(await call((cb) => alice.im.removeChatRoomEntries(roomId, { entries: [{ key: 'b' }, { key: 'c' }] }, cb))).toMatchObject(ok);
    await entriesEventually(bob, roomId, { a: 'taken', mine: 'x' });
  });

  test("only the changing session is not told: the user's other device and a Server API change's named owner are", async () => {
    const roomId = newRoomId();
    const alice = await online('alice', DEVICES);
    const tab2 = await online('alice-tab2', DEVICES, alice.userId);
    await joinOk(alice, roomId);
    await joinOk(tab2, roomId);
    expect(await call((cb) => alice.im.setChatroomEntry(roomId, { key: 'seat', value: 'A' }, cb))).toMatchObject(ok);
    await entriesEventually(tab2, roomId, { seat: 'A' });
    expect(updates(tab2).map((u) => [u['key'], u['value']])).toEqual([['seat', 'A']]);
    // A Server API change names alice as the owner; her devices did not make it, so both are told.
    await api(server, DEVICES, '/chatroom/entry/set.json', { chatroomId: roomId, userId: alice.userId, key: 'title', value: 'Live' });
    await entriesEventually(alice, roomId, { seat: 'A', title: 'Live' });
    await entriesEventually(tab2, roomId, { seat: 'A', title: 'Live' });
    expect(await entry(alice, roomId, 'title')).toMatchObject({ ok: true, value: 'Live' });
    expect(updates(alice).map((u) => [u['key'], u['value']])).toEqual([['title', 'Live']]);
  });

  test('changes past the room\'s rate reach onError as 23425 and change nothing', async () => {
    const roomId = newRoomId();
    const alice = await online('alice', RATE);
    await joinOk(alice, roomId);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((key) => call((cb) => alice.im.setChatroomEntry(roomId, { key, value: 'v' }, cb))));
    expect(results.map((r) => (r.ok ? 0 : r.code))).toEqual([0, 0, 0, ErrorCode.CHATROOM_KV_SET_FREQUENCY_TOO_FAST]);
    expect(await entry(alice, roomId, 'd')).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_KEY_NOT_EXIST });
  });

  test('auto-delete entries go when their owner quits; the others are told', async () => {
    const { roomId, alice, bob } = await pair();
    expect(await call((cb) => alice.im.setChatroomEntry(roomId, { key: 'mic', value: 'on', isAutoDelete: true }, cb))).toMatchObject(ok);
    await entriesEventually(bob, roomId, { mic: 'on' });
    expect(await call((cb) => alice.im.quitChatRoom(roomId, cb))).toMatchObject(ok);
    await entriesEventually(bob, roomId, {});
    // Quitting forgets the room's local copy; a read now asks the server, where the entry is gone too.
    expect(await all(alice, roomId)).toEqual({});
  });

  test('readable without joining (2.10.0): a user outside the room reads from the server, keeps no copy, gets no events', async () => {
    const { roomId, alice } = await pair();
    expect(await call((cb) => alice.im.setChatRoomEntries(roomId, { entries: { title: 'Live', seat: 'A' } }, cb))).toMatchObject(ok);
    expect(await call((cb) => alice.im.removeChatroomEntry(roomId, { key: 'seat' }, cb))).toMatchObject(ok);
    const outsider = await online('outsider');
    expect(await entry(outsider, roomId, 'title')).toMatchObject({ ok: true, value: 'Live' });
    expect(await entry(outsider, roomId, 'seat')).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_KEY_NOT_EXIST });
    expect(await all(outsider, roomId)).toEqual({ title: 'Live' });
    // Each read is the server's state at that moment.
    expect(await call((cb) => alice.im.setChatroomEntry(roomId, { key: 'title', value: 'Live 2' }, cb))).toMatchObject(ok);
    expect(await entry(outsider, roomId, 'title')).toMatchObject({ ok: true, value: 'Live 2' });
    expect(updates(outsider)).toEqual([]);
    // A room that does not exist is the server's 23410.
    expect(await call((cb) => outsider.im.getAllChatroomEntries(newRoomId(), cb))).toMatchObject({ ok: false, code: ErrorCode.RC_CHATROOM_NOT_EXIST });
  });

  test('client-side validation (33003) and server refusals: not a member 23406, KV disabled 23426', async () => {
    const { roomId, alice } = await pair();
    const bad = [
      { key: '', value: 'v' },
      { key: 'with space', value: 'v' },
      { key: 'k'.repeat(129), value: 'v' },
      { key: 'k', value: '' },
      { key: 'k', value: 'v'.repeat(4097) },
    ];
    for (const item of bad) {
      expect([item.key.length, item.value.length, await call((cb) => alice.im.setChatroomEntry(roomId, item, cb))]).toMatchObject([item.key.length, item.value.length, { ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER }]);
    }
    expect(await call((cb) => alice.im.setChatroomEntry(roomId, { key: 'A-Za_z0+9=', value: 'v'.repeat(4096) }, cb))).toMatchObject(ok);
    const outsider = await online('outsider');
    expect(await call((cb) => outsider.im.setChatroomEntry(roomId, { key: 'k', value: 'v' }, cb))).toMatchObject({ ok: false, code: ErrorCode.NOT_IN_CHATROOM });

    const noKv = await online('nokv', NOKV);
    const other = newRoomId();
    await joinOk(noKv, other);
    expect(await call((cb) => noKv.im.setChatroomEntry(other, { key: 'k', value: 'v' }, cb))).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_KV_STORE_NOT_OPEN });
  });
});
