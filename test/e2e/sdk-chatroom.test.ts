/**
 * Chatrooms through our SDK's public API against the real server process (API_CHECKLIST §3.10,
 * PROTOCOL.md §8.7): join with history, member info, messages between members (never back to the
 * sender), only-online delivery, room history, quit, one room per user unless the app allows more,
 * the server's refusals reaching onError unchanged, member join/quit notices, destroyed rooms, and the
 * automatic re-join after a lost connection (catching up, reported as `rejoinedRoom`, skipping rooms
 * the user was blocked from).
 */
import { ErrorCode, GetChatRoomType, MessageDirection } from '../../src/index';
import type { Message } from '../../src/index';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call } from './sdk-api-support';
import {
  api, CHATROOM, createRoom, delay, eventually, join, joinOk, newRoomId, nextStatus, roomTexts, roomUser, sendOk, sendText, textOf, useDroppableSockets,
} from './sdk-chatroom-support';
import type { RoomUser } from './sdk-chatroom-support';

const FAST = { maxSendRate: 1000, chrmQuotaHigh: 100000 } as const;
// chrmKickMissed: a member away while many messages arrive stays a member (the catch-up test needs it).
const APP: TestApp = { key: 'lxsdkchrm', secret: 'lxsdkchrmsecret', options: { ...FAST, chrmAutoCreate: 0, chrmKickMissed: 1000 } };
const MULTI: TestApp = { key: 'lxsdkchrmmulti', secret: 'lxsdkchrmsecret', options: { ...FAST, chrmMulti: 1 } };
const NOTIFY: TestApp = { key: 'lxsdkchrmntf', secret: 'lxsdkchrmsecret', options: { ...FAST, chrmMemberNotify: 1 } };
const NOHIST: TestApp = { key: 'lxsdkchrmnohist', secret: 'lxsdkchrmsecret', options: { ...FAST, chrmHistory: 0 } };
const CAPPED: TestApp = { key: 'lxsdkchrmcap', secret: 'lxsdkchrmsecret', options: { ...FAST, chrmMaxMembers: 1 } };
/** One user logged in on several devices (tabs) at once. */
const DEVICES: TestApp = { key: 'lxsdkchrmdev', secret: 'lxsdkchrmsecret', options: { ...FAST, multiDevice: true } };

useDroppableSockets();
let server: RunningServer;
const users: RoomUser[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP, MULTI, NOTIFY, NOHIST, CAPPED, DEVICES] });
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

async function room(app: TestApp = APP): Promise<string> {
  const roomId = newRoomId();
  await createRoom(server, app, roomId);
  return roomId;
}

const fromRoom = (roomId: string, text: string) => (m: Message): boolean => m.targetId === roomId && textOf(m) === text;

describe('joining, messages, info, history, quit', () => {
  test('a joiner gets the latest N messages; members exchange messages; nobody gets their own back', async () => {
    const roomId = await room();
    const [alice, bob] = [await online('alice'), await online('bob')];
    await joinOk(alice, roomId, 0);
    await joinOk(bob, roomId, 0);
    const sent: Message[] = [];
    for (let i = 0; i < 4; i++) sent.push(await sendOk(alice, roomId, `round ${i}`));
    expect(sent[0]).toMatchObject({ conversationType: CHATROOM, targetId: roomId, messageDirection: MessageDirection.SEND, senderUserId: alice.userId });
    for (const message of sent) {
      const atBob = await bob.next((m) => m.messageUId === message.messageUId);
      expect(atBob).toMatchObject({ conversationType: CHATROOM, targetId: roomId, senderUserId: alice.userId, messageDirection: MessageDirection.RECEIVE, sentTime: message.sentTime });
    }
    const reply = await sendOk(bob, roomId, 'hi alice');
    expect((await alice.next((m) => m.messageUId === reply.messageUId)).senderUserId).toBe(bob.userId);
    await delay(300);
    expect(alice.received.filter((r) => r.message.senderUserId === alice.userId)).toEqual([]);
    expect(roomTexts(bob, roomId)).toEqual(['round 0', 'round 1', 'round 2', 'round 3']);

    const carol = await online('carol');
    await joinOk(carol, roomId, 3);
    await carol.next(fromRoom(roomId, 'hi alice'));
    await delay(200);
    expect(roomTexts(carol, roomId)).toEqual(['round 2', 'round 3', 'hi alice']);
    // Room messages are not part of the conversation list nor of the unread counts.
    expect(await call((cb) => carol.im.getUnreadCount(CHATROOM, roomId, cb))).toMatchObject({ ok: true, value: 0 });
  });

  test('join count 0 delivers no history; a member who is not connected receives nothing while away', async () => {
    const roomId = await room();
    const alice = await online('alice');
    await joinOk(alice, roomId, 0);
    await sendOk(alice, roomId, 'before bob');
    const bob = await online('bob');
    await joinOk(bob, roomId, 0);
    await sendOk(alice, roomId, 'bob is here');
    await bob.next(fromRoom(roomId, 'bob is here'));
    await bob.im.disconnect();
    await sendOk(alice, roomId, 'bob is away');
    await delay(200);
    // Chatrooms have no offline messages: reconnecting brings nothing from the room.
    expect(await bob.connect()).toBe(bob.userId);
    await delay(500);
    expect(roomTexts(bob, roomId)).toEqual(['bob is here']);
  });

  test('messages sent while a count-0 join is under way: those after the join time arrive, none is lost to the first pull', async () => {
    const bob = await online('bob');
    for (let round = 0; round < 5; round++) {
      const roomId = await room();
      await joinOk(bob, roomId, 0);
      const alice = await online('alice');
      const burst = (async (): Promise<Message[]> => {
        const sent: Message[] = [];
        for (let i = 0; i < 8; i++) sent.push(await sendOk(bob, roomId, `r${round} m${i}`));
        return sent;
      })();
      await joinOk(alice, roomId, 0);
      const sent = await burst;
      const info = await call<{ userInfos: Array<{ id: string; time: number }> }>((cb) => alice.im.getChatRoomInfo(roomId, 5, GetChatRoomType.SQQUENCE, cb));
      const joinTime = info.ok ? (info.value.userInfos.find((u) => u.id === alice.userId)?.time ?? 0) : 0;
      expect(joinTime).toBeGreaterThan(0);
      const expected = sent.filter((m) => m.sentTime > joinTime);
      for (const m of expected) await alice.next((r) => r.messageUId === m.messageUId, 5_000);
      await delay(100);
      expect(roomTexts(alice, roomId)).toEqual(expected.map(textOf));
    }
  });

  test('getChatRoomInfo: total, members by join time in both orders, total only for count 0', async () => {
    const roomId = await room();
    const [a, b, c] = [await online('a'), await online('b'), await online('c')];
    for (const user of [a, b, c]) await joinOk(user, roomId);
    const asc = await call<{ userInfos: Array<{ id: string; time: number }>; userTotalNums: number }>((cb) => a.im.getChatRoomInfo(roomId, 10, GetChatRoomType.SQQUENCE, cb));
    expect(asc).toMatchObject({ ok: true, value: { userTotalNums: 3 } });
    if (!asc.ok) return;
    expect(asc.value.userInfos.map((u) => u.id)).toEqual([a.userId, b.userId, c.userId]);
    expect(asc.value.userInfos.every((u) => u.time > 0)).toBe(true);
    const desc = await call<{ userInfos: Array<{ id: string }> }>((cb) => a.im.getChatRoomInfo(roomId, 2, GetChatRoomType.REVERSE, cb));
    expect(desc.ok && desc.value.userInfos.map((u) => u.id)).toEqual([c.userId, b.userId]);
    expect(await call((cb) => a.im.getChatRoomInfo(roomId, 0, GetChatRoomType.SQQUENCE, cb))).toMatchObject({ ok: true, value: { userInfos: [], userTotalNums: 3 } });
    expect(await call((cb) => a.im.getChatRoomInfo(roomId, 21, 1, cb))).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
  });

  test('getChatRoomHistoryMessages pages stored messages (ascending in a page); 23414 without chatroom history', async () => {
    const roomId = await room();
    const alice = await online('alice');
    await joinOk(alice, roomId);
    const sent: Message[] = [];
    for (let i = 0; i < 5; i++) sent.push(await sendOk(alice, roomId, `h${i}`));
    const latest = await call<Message[]>((cb) => alice.im.getChatRoomHistoryMessages(roomId, 3, 0, cb));
    expect(latest.ok && latest.value.map(textOf)).toEqual(['h2', 'h3', 'h4']);
    expect(latest.ok && latest.args[1]).toBe(true);
    const older = await call<Message[]>((cb) => alice.im.getChatRoomHistoryMessages(roomId, 10, 0, cb, sent[2]!.sentTime));
    expect(older.ok && older.value.map(textOf)).toEqual(['h0', 'h1']);
    expect(older.ok && older.args[1]).toBe(false);
    const newer = await call<Message[]>((cb) => alice.im.getChatRoomHistoryMessages(roomId, 10, 1, cb, sent[2]!.sentTime));
    expect(newer.ok && newer.value.map(textOf)).toEqual(['h3', 'h4']);
    expect(latest.ok && latest.value[0]).toMatchObject({ conversationType: CHATROOM, targetId: roomId, senderUserId: alice.userId });

    const other = await online('other', NOHIST);
    const noStore = newRoomId();
    await joinOk(other, noStore);
    expect(await call((cb) => other.im.getChatRoomHistoryMessages(noStore, 10, 0, cb))).toMatchObject({ ok: false, code: ErrorCode.CHATROOM_NOT_OPEN_HISTORYMSG_STORE });
  });

  test('quit: sending afterwards is refused with 23406 and the room no longer reaches the user', async () => {
    const roomId = await room();
    const [alice, bob] = [await online('alice'), await online('bob')];
    await joinOk(alice, roomId);
    await joinOk(bob, roomId);
    expect(await call((cb) => bob.im.quitChatRoom(roomId, cb))).toMatchObject({ ok: true });
    expect(await sendText(bob, roomId, 'after quit')).toMatchObject({ ok: false, code: ErrorCode.NOT_IN_CHATROOM });
    await sendOk(alice, roomId, 'after bob left');
    await delay(300);
    expect(roomTexts(bob, roomId)).toEqual([]);
  });
});

describe('refusals and rules', () => {
  test('23410 for a missing room (no auto-create), 23406 sending without joining, 23408 when gagged, 23409 when blocked, 23411 when full', async () => {
    const alice = await online('alice');
    expect(await join(alice, newRoomId('missing'), 0)).toMatchObject({ ok: false, code: ErrorCode.RC_CHATROOM_NOT_EXIST });
    const roomId = await room();
    expect(await sendText(alice, roomId, 'not joined')).toMatchObject({ ok: false, code: ErrorCode.NOT_IN_CHATROOM });
    await joinOk(alice, roomId);
    await api(server, APP, '/chatroom/user/gag/add.json', { chatroomId: roomId, userId: alice.userId, minute: 5 });
    const gagged = await sendText(alice, roomId, 'gagged');
    expect(gagged).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN_IN_CHATROOM });
    await api(server, APP, '/chatroom/user/gag/rollback.json', { chatroomId: roomId, userId: alice.userId });
    await sendOk(alice, roomId, 'free again');
    await api(server, APP, '/chatroom/user/block/add.json', { chatroomId: roomId, userId: alice.userId, minute: 5 });
    expect(await join(alice, roomId, 0)).toMatchObject({ ok: false, code: ErrorCode.RC_CHATROOM_USER_KICKED });

    const full = newRoomId();
    await joinOk(await online('first', CAPPED), full);
    expect(await join(await online('second', CAPPED), full, 0)).toMatchObject({ ok: false, code: ErrorCode.RC_CHATROOM_IS_FULL });
  });

  test('bad arguments are 33003, never thrown: empty room id, join count over 50, history count over 20', async () => {
    const alice = await online('alice');
    expect(await join(alice, '', 0)).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(await join(alice, 'r1', 51)).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(await call((cb) => alice.im.getChatRoomHistoryMessages('r1', 21, 0, cb))).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
  });

  test('one room per user by default: joining another room leaves the first; an app with multi-room keeps both', async () => {
    const [first, second] = [await room(), await room()];
    const alice = await online('alice');
    await joinOk(alice, first);
    await joinOk(alice, second);
    expect(await sendText(alice, first, 'first')).toMatchObject({ ok: false, code: ErrorCode.NOT_IN_CHATROOM });
    await sendOk(alice, second, 'second');

    const [r1, r2] = [newRoomId(), newRoomId()];
    const [carol, dave] = [await online('carol', MULTI), await online('dave', MULTI)];
    for (const roomId of [r1, r2]) {
      await joinOk(carol, roomId);
      await joinOk(dave, roomId);
    }
    await sendOk(dave, r1, 'in r1');
    await sendOk(dave, r2, 'in r2');
    await carol.next(fromRoom(r1, 'in r1'));
    await carol.next(fromRoom(r2, 'in r2'));
  });

  test('a refused join (room full) leaves the user in the room she was in', async () => {
    const [roomA, roomB] = [newRoomId('a'), newRoomId('b')];
    const [alice, bob] = [await online('alice', CAPPED), await online('bob', CAPPED)];
    await joinOk(alice, roomA);
    await joinOk(bob, roomB);
    expect(await join(alice, roomB, 0)).toMatchObject({ ok: false, code: ErrorCode.RC_CHATROOM_IS_FULL });
    await sendOk(alice, roomA, 'still here');
  });

  test('quitting on one device leaves the user in the room while another device is logged in (API_CHECKLIST rule 62)', async () => {
    const roomId = newRoomId();
    const [alice, bob] = [await online('alice', DEVICES), await online('bob', DEVICES)];
    const tab2 = await online('alice-tab2', DEVICES, alice.userId);
    await joinOk(alice, roomId);
    await joinOk(tab2, roomId);
    await joinOk(bob, roomId);
    expect(await call((cb) => alice.im.quitChatRoom(roomId, cb))).toMatchObject({ ok: true });
    const fromBob = await sendOk(bob, roomId, 'still there?');
    await tab2.next((m) => m.messageUId === fromBob.messageUId);
    await sendOk(tab2, roomId, 'from tab 2');
    // The device that quit shows nothing more of the room.
    await bob.next(fromRoom(roomId, 'from tab 2'));
    expect(roomTexts(alice, roomId)).toEqual([]);
    // With no other device logged in, quitting leaves the room (in a cluster the first device's presence entry
    // may outlive its socket by a moment: until then a quit leaves the user in, and the tab re-joins to try again).
    await alice.im.disconnect();
    users.splice(users.indexOf(alice), 1);
    await eventually('the last device\'s quit leaves the room', async () => {
      await joinOk(tab2, roomId, 0);
      expect(await call((cb) => tab2.im.quitChatRoom(roomId, cb))).toMatchObject({ ok: true });
      const sent = await sendText(tab2, roomId, 'gone');
      return !sent.ok && sent.code === ErrorCode.NOT_IN_CHATROOM;
    });
  });

  test('member join/quit notices reach the status listener as userChange (apps that enable them)', async () => {
    const roomId = newRoomId();
    const [alice, bob] = [await online('alice', NOTIFY), await online('bob', NOTIFY)];
    await joinOk(alice, roomId);
    await joinOk(bob, roomId);
    await nextStatus(alice, (info) => JSON.stringify(info['userChange']) === JSON.stringify({ chatroomId: roomId, users: { [bob.userId]: 1 } }));
    expect(await call((cb) => bob.im.quitChatRoom(roomId, cb))).toMatchObject({ ok: true });
    await nextStatus(alice, (info) => JSON.stringify(info['userChange']) === JSON.stringify({ chatroomId: roomId, users: { [bob.userId]: 0 } }));
    // The notices are not chat messages.
    expect(alice.received.filter((r) => r.message.objectName === 'RC:ChrmMemChange')).toEqual([]);
  });

  test('a destroyed room is reported as chatroomDestroyed and forgotten', async () => {
    const roomId = await room();
    const alice = await online('alice');
    await joinOk(alice, roomId);
    await api(server, APP, '/chatroom/destroy.json', { chatroomId: roomId });
    await nextStatus(alice, (info) => info['chatroomDestroyed'] === roomId);
    expect(await sendText(alice, roomId, 'gone')).toMatchObject({ ok: false, code: ErrorCode.RC_CHATROOM_NOT_EXIST });
  });
});

describe('automatic re-join after a lost connection', () => {
  test('re-joins with the original count, reports rejoinedRoom and catches up on what was sent meanwhile', async () => {
    const roomId = await room();
    const [alice, bob] = [await online('alice'), await online('bob')];
    await joinOk(alice, roomId, 0);
    await joinOk(bob, roomId, 7);
    await sendOk(alice, roomId, 'before the drop');
    await bob.next(fromRoom(roomId, 'before the drop'));
    bob.dropConnection();
    await eventually('bob offline', () => bob.statuses.length > 2);
    const meanwhile = await sendOk(alice, roomId, 'while you were away');
    const rejoined = await nextStatus(bob, (info) => info['rejoinedRoom'] !== undefined, 20_000);
    expect(rejoined).toEqual({ rejoinedRoom: { chatroomId: roomId, count: 7 } });
    expect((await bob.next((m) => m.messageUId === meanwhile.messageUId, 15_000)).senderUserId).toBe(alice.userId);
    const after = await sendOk(alice, roomId, 'and after');
    await bob.next((m) => m.messageUId === after.messageUId);
    await delay(300);
    expect(roomTexts(bob, roomId)).toEqual(['before the drop', 'while you were away', 'and after']);
  });

  test('catching up on more than one page: pulls continue while the server says not finished, each message once, in order', async () => {
    const roomId = await room();
    const [alice, bob] = [await online('alice'), await online('bob')];
    await joinOk(alice, roomId);
    await joinOk(bob, roomId);
    bob.dropConnection(1_500);
    await eventually('bob offline', () => bob.statuses.length > 2);
    const texts: string[] = [];
    for (let i = 0; i < 150; i++) texts.push((await sendOk(alice, roomId, `m${i}`)).content['content'] as string);
    const rejoined = await nextStatus(bob, (info) => info['rejoinedRoom'] !== undefined, 20_000);
    expect(rejoined).toEqual({ rejoinedRoom: { chatroomId: roomId, count: 0 } });
    await bob.next(fromRoom(roomId, 'm149'), 15_000).catch((e: unknown) => { console.log(bob.logs.filter((l) => /chrm|Chrm|room/i.test(l)).slice(-40).join('\n')); throw e; });
    await delay(300);
    expect(roomTexts(bob, roomId)).toEqual(texts);
  });

  test('a room the user was blocked from meanwhile is reported with its error and not re-joined again', async () => {
    const roomId = await room();
    const bob = await online('bob');
    await joinOk(bob, roomId);
    await api(server, APP, '/chatroom/user/block/add.json', { chatroomId: roomId, userId: bob.userId, minute: 5 });
    bob.dropConnection();
    const rejoined = await nextStatus(bob, (info) => info['rejoinedRoom'] !== undefined, 20_000);
    expect(rejoined).toEqual({ rejoinedRoom: { chatroomId: roomId, errorCode: ErrorCode.RC_CHATROOM_USER_KICKED } });
    const seen = bob.statusEvents.length;
    bob.dropConnection();
    await eventually('bob back', () => bob.im.getCurrentConnectionStatus() === 0 && bob.statuses.filter((s) => s === 0).length >= 3, 20_000);
    await delay(300);
    expect(bob.statusEvents.slice(seen).filter((info) => info['rejoinedRoom'] !== undefined)).toEqual([]);
  });
});
