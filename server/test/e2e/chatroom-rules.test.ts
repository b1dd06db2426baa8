/**
 * The chatroom rules that depend on time, with short per-app timings: auto-kick after being offline for a
 * while or while N messages arrive (whitelisted users exempt), idle destruction with its notification
 * (keepalive rooms exempt), and the drop policy measured with floods (seed: 40 per 200 ms, 20 reserved for
 * high priority, 20 shared; low priority only shared; whitelisted senders/types never dropped).
 */
import { decodeByName, encodeByName, type PubackFrame, type PublishFrame } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import type { TestApp } from '../../../test/support/server-launcher';
import {
  connectUser, drain, join, joinOk, roomCommand, send, sleep, text, uniqueId, up, useChatroomServer,
} from './chatroom-support';

const KICK: TestApp = { key: 'lxchrmkick', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmQuotaHigh: 100000, chrmKickOfflineMs: 1000, chrmKickMissed: 3 } };
const IDLE: TestApp = { key: 'lxchrmidle', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmIdleDestroyMs: 800 } };
const FLOOD: TestApp = { key: 'lxchrmflood', secret: 'lxchrmsecret', options: { maxSendRate: 100000, chrmQuotaWindowMs: 60000 } };
const BURST: TestApp = { key: 'lxchrmburst', secret: 'lxchrmsecret', options: { maxSendRate: 100000 } };
/** Idle after 1 s; the server sweeps every 200 ms (a quarter of IDLE's 800 ms). */
const BACKLOG: TestApp = { key: 'lxchrmbacklog', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmIdleDestroyMs: 1000 } };

const env = useChatroomServer([KICK, IDLE, FLOOD, BURST, BACKLOG]);


async function isMember(app: TestApp, room: string, userId: string): Promise<boolean> {
  const res = await env(app).api.post<{ isInChrm: boolean }>('/chatroom/user/exist.json', { chatroomId: room, userId });
  return res.body.isInChrm;
}

/** A member who joined and then lost every session. */
async function memberGoneOffline(app: TestApp, room: string, userId: string): Promise<void> {
  const client = await connectUser(env(app), userId);
  await joinOk(client, room);
  await client.close();
  await sleep(50);
}

describe('auto-kick', () => {
  it('removes a member offline for kickOfflineMs when a new message arrives', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(KICK), uniqueId('a'));
    await joinOk(ca, room);
    const b = uniqueId('b');
    await memberGoneOffline(KICK, room, b);
    await send(ca, room, 'RC:TxtMsg', { content: 'soon' });
    expect(await isMember(KICK, room, b)).toBe(true);
    await sleep(1100);
    // Time alone removes nobody: the rule is checked when a message arrives.
    expect(await isMember(KICK, room, b)).toBe(true);
    await send(ca, room, 'RC:TxtMsg', { content: 'now' });
    expect(await isMember(KICK, room, b)).toBe(false);
  });

  it('removes a member offline while kickMissed messages arrive', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(KICK), uniqueId('a'));
    await joinOk(ca, room);
    const b = uniqueId('b');
    await memberGoneOffline(KICK, room, b);
    await send(ca, room, 'RC:TxtMsg', { content: '1' });
    await send(ca, room, 'RC:TxtMsg', { content: '2' });
    expect(await isMember(KICK, room, b)).toBe(true);
    await send(ca, room, 'RC:TxtMsg', { content: '3' });
    expect(await isMember(KICK, room, b)).toBe(false);
  });

  it('never removes online members, and reconnecting restarts the count', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(KICK), uniqueId('a'));
    await joinOk(ca, room);
    const b = uniqueId('b');
    await memberGoneOffline(KICK, room, b);
    await send(ca, room, 'RC:TxtMsg', { content: '1' });
    await send(ca, room, 'RC:TxtMsg', { content: '2' });
    const back = await connectUser(env(KICK), b);
    await back.ping();
    for (let i = 0; i < 5; i++) await send(ca, room, 'RC:TxtMsg', { content: `online ${i}` });
    await sleep(1100);
    await send(ca, room, 'RC:TxtMsg', { content: 'later' });
    expect(await isMember(KICK, room, b)).toBe(true);
  });

  it('exempts whitelisted users', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(KICK), uniqueId('a'));
    await joinOk(ca, room);
    const b = uniqueId('b');
    await memberGoneOffline(KICK, room, b);
    expect((await env(KICK).api.post('/chatroom/user/whitelist/add.json', { chatroomId: room, userId: b })).status).toBe(200);
    await sleep(1100);
    for (let i = 0; i < 5; i++) await send(ca, room, 'RC:TxtMsg', { content: `m${i}` });
    expect(await isMember(KICK, room, b)).toBe(true);
  });

  it('deletes the kicked member\'s auto-delete entries and tells the others (s_cmd type 2)', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(KICK), uniqueId('a'));
    await joinOk(ca, room);
    const b = uniqueId('b');
    const cb = await connectUser(env(KICK), b);
    await joinOk(cb, room);
    const set = await cb.query('setKV', room, encodeEntry('seat', 'b', 1));
    expect(set.status).toBe(0);
    await roomCommand(ca, room, 2);
    await cb.close();
    await sleep(50);
    for (let i = 0; i < 3; i++) await send(ca, room, 'RC:TxtMsg', { content: `m${i}` });
    await roomCommand(ca, room, 2);
    const entries = await env(KICK).api.post<{ keys: unknown[] }>('/chatroom/entry/query.json', { chatroomId: room });
    expect(entries.body.keys).toEqual([]);
  });
});

function encodeEntry(key: string, value: string, status: number): Uint8Array {
  return encodeByName('SetChrmKV', { entry: { key, value, status } });
}

describe('idle destruction', () => {
  it('destroys a room without message or join for idleDestroyMs and tells its members (s_cmd type 4)', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(IDLE), uniqueId('a'));
    await joinOk(ca, room);
    const destroyed = await roomCommand(ca, room, 4, 3000);
    expect(destroyed.time).toBeGreaterThan(0);
    expect((await join(ca, room, 'joinChrmR')).status).toBe(23410);
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status).toBe(23410);
    const query = await env(IDLE).api.post<{ chatRooms: unknown[] }>('/chatroom/query.json', { chatroomId: room });
    expect(query.body.chatRooms).toEqual([]);
  });

  it('messages keep a room alive; keepalive rooms are never destroyed', async () => {
    const room = uniqueId('r');
    const kept = uniqueId('k');
    const ca = await connectUser(env(IDLE), uniqueId('a'));
    const api = env(IDLE).api;
    await api.post('/chatroom/create.json', { [`chatroom[${kept}]`]: 'Kept' });
    expect((await api.post('/chatroom/keepalive/add.json', { chatroomId: kept })).status).toBe(200);
    await joinOk(ca, room);
    for (let i = 0; i < 6; i++) {
      await sleep(150);
      expect((await send(ca, room, 'RC:TxtMsg', { content: `alive ${i}` })).status).toBe(0);
    }
    expect(ca.frames.some((f) => f.kind === 'publish' && f.topic === 's_cmd')).toBe(false);
    await roomCommand(ca, room, 4, 3000);
    const query = await api.post<{ chatRooms: { chrmId: string }[] }>('/chatroom/query.json', { chatroomId: [room, kept] });
    expect(query.body.chatRooms.map((r) => r.chrmId)).toEqual([kept]);
    expect((await api.post<{ chatroomIds: string[] }>('/chatroom/keepalive/query.json')).body.chatroomIds).toContain(kept);
  });

  it('destroys every room idle past idleDestroyMs, however many went idle together (3,000 rooms), each once', async () => {
    // The sweep used to take one page of 100 idle rooms per app per sweep: 3,000 rooms needed 30 sweeps (6 s
    // at this server's 200 ms cadence; at the default 1 h idle time, 15 min sweeps, 400 rooms an hour).
    const api = env(BACKLOG).api;
    const prefix = uniqueId('bk');
    const ids = Array.from({ length: 3000 }, (_, i) => `${prefix}-${i}`);
    for (let at = 0; at < ids.length; at += 250) {
      const form: Record<string, string> = {};
      for (const id of ids.slice(at, at + 250)) form[`chatroom[${id}]`] = id;
      expect((await api.post<{ code: number }>('/chatroom/create.json', form)).body.code).toBe(200);
    }
    const created = Date.now();
    // A member in the last room: told of its end once.
    const watched = ids[ids.length - 1] as string;
    const ca = await connectUser(env(BACKLOG), uniqueId('a'));
    await joinOk(ca, watched);
    const remaining = async (): Promise<number> => {
      let n = 0;
      for (let at = 0; at < ids.length; at += 200) n += (await api.post<{ chatRooms: unknown[] }>('/chatroom/query.json', { chatroomId: ids.slice(at, at + 200) })).body.chatRooms.length;
      return n;
    };
    // Idle 1 s after creation (the watched room after the join), swept every 200 ms: all gone well within 2.5 s more.
    await sleep(Math.max(0, created + 3500 - Date.now()));
    const left = await remaining();
    expect({ left, of: ids.length }).toEqual({ left: 0, of: ids.length });
    await roomCommand(ca, watched, 4, 3000);
    await sleep(300);
    const notices = ca.frames.filter((f) => {
      if (f.kind !== 'publish' || (f as PublishFrame).topic !== 's_cmd') return false;
      const n = decodeByName('NotifyMsg', (f as PublishFrame).payload);
      return n.type === 4 && n.chrmId === watched;
    });
    expect(notices).toHaveLength(1);
  });
});

describe('drop policy', () => {
  async function publishAll(client: RawClient, room: string, batch: readonly { objectName: string; n: number }[]): Promise<PubackFrame[]> {
    // Pipelined like a busy client: every PUBLISH is on the wire before the first PUBACK is awaited.
    const acks: Promise<PubackFrame>[] = [];
    let i = 0;
    for (const { objectName, n } of batch) {
      for (let k = 0; k < n; k++) acks.push(client.publish('chatMsg', room, up(objectName, { content: `${objectName} ${i++}` }), { timeoutMs: 20_000 }));
    }
    return Promise.all(acks);
  }

  it('within one window: 20 reserved high + 20 shared, low only shared, whitelisted types and users always pass', async () => {
    const room = uniqueId('r');
    const api = env(FLOOD).api;
    expect((await api.post('/chatroom/message/priority/add.json', { objectName: 'App:Low' })).status).toBe(200);
    expect((await api.post('/chatroom/whitelist/add.json', { objectnames: 'App:Vip' })).status).toBe(200);
    const [a, v, o] = [uniqueId('a'), uniqueId('v'), uniqueId('o')];
    const ca = await connectUser(env(FLOOD), a);
    const cv = await connectUser(env(FLOOD), v);
    const other = await connectUser(env(FLOOD), o);
    const receiver = await connectUser(env(FLOOD), uniqueId('r'));
    await joinOk(ca, room);
    await joinOk(cv, room);
    await joinOk(other, room);
    const cursor = await joinOk(receiver, room);
    await api.post('/chatroom/user/whitelist/add.json', { chatroomId: room, userId: v });

    const acks = await publishAll(ca, room, [
      { objectName: 'App:Low', n: 15 }, // shared 15/20
      { objectName: 'RC:TxtMsg', n: 30 }, // high 20/20, then shared 20/20: 25 in, 5 dropped
      { objectName: 'App:Vip', n: 5 }, // never dropped, no quota left to consume
      { objectName: 'App:Low', n: 10 }, // dropped
      { objectName: 'RC:TxtMsg', n: 10 }, // dropped
    ]);
    acks.push(...(await publishAll(cv, room, [{ objectName: 'RC:TxtMsg', n: 4 }]))); // whitelisted user: all in
    acks.push(...(await publishAll(other, room, [{ objectName: 'RC:TxtMsg', n: 3 }]))); // dropped
    // The senders of dropped messages are acknowledged like the others.
    expect(acks.every((ack) => ack.status === 0 && ack.messageUId !== '')).toBe(true);

    const { list } = await drain(receiver, room, cursor);
    const count = (from: string, objectName: string): number => list.filter((m) => m.fromUserId === from && m.classname === objectName).length;
    expect([count(a, 'App:Low'), count(a, 'RC:TxtMsg'), count(a, 'App:Vip')]).toEqual([15, 25, 5]);
    expect(count(v, 'RC:TxtMsg')).toBe(4);
    expect(count(o, 'RC:TxtMsg')).toBe(0);
    // Excess newest are the ones dropped: the first 25 text messages made it.
    const texts = list.filter((m) => m.fromUserId === a && m.classname === 'RC:TxtMsg').map((m) => Number(JSON.parse(text(m.content)).content.split(' ')[1]));
    expect(texts).toEqual(Array.from({ length: 25 }, (_, k) => 15 + k));
  });

  it('with the default 40 per 200 ms a flood is cut to at most 40 per window and at least one full window', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(BURST), uniqueId('a'));
    const receiver = await connectUser(env(BURST), uniqueId('r'));
    await joinOk(ca, room);
    const cursor = await joinOk(receiver, room);
    const started = Date.now();
    const acks = await publishAll(ca, room, [{ objectName: 'RC:TxtMsg', n: 300 }]);
    const elapsed = Date.now() - started;
    expect(acks.every((ack) => ack.status === 0)).toBe(true);
    const { list } = await drain(receiver, room, cursor);
    const windows = Math.floor(elapsed / 200) + 1;
    expect(list.length).toBeGreaterThanOrEqual(40);
    expect(list.length).toBeLessThanOrEqual(40 * windows);
    expect(list.length).toBeLessThan(300);
    // Delivered messages keep their send order.
    const order = list.map((m) => Number(JSON.parse(text(m.content)).content.split(' ')[1]));
    expect([...order].sort((x, y) => x - y)).toEqual(order);
  });
});
