/**
 * Chatroom KV attributes over the raw protocol (PROTOCOL.md §7.6, §8.8): setKV/delKV with the status bits,
 * ownership and force, limits and validation, `s_cmd{type:2}` to the other members, incremental `pullKV`
 * with removals as DELETE, `RC:chrmKVNotiMsg` notifications, auto-delete on quit, and navi's `kvStorage`.
 */
import { decodeByName, encodeByName } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import type { TestApp } from '../../../test/support/server-launcher';
import { connectUser, drain, isPush, joinOk, quit, roomCommand, sleep, text, tokenFor, uniqueId, utf8, useChatroomServer } from './chatroom-support';

const KV: TestApp = { key: 'lxchrmkv', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmMaxKeys: 3, chrmMulti: 1 } };
const NOKV: TestApp = { key: 'lxchrmnokv', secret: 'lxchrmsecret', options: { chrmKv: 0 } };
/** Four client KV changes per room and second. */
const RATE: TestApp = { key: 'lxchrmkvrate', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmKvRate: 4, chrmMulti: 1 } };

const Bit = { AutoDelete: 1, Overwrite: 2, Delete: 4 } as const;

const env = useChatroomServer([KV, NOKV, RATE]);


interface EntryInput {
  readonly key: string;
  readonly value?: string;
  readonly status?: number;
  readonly notify?: { readonly extra: string; readonly type: 1 | 2 };
}

function kvPayload(input: EntryInput): Uint8Array {
  const notification = input.notify === undefined
    ? {}
    : {
        bNotify: true,
        type: 4,
        notification: {
          sessionId: 0,
          classname: 'RC:chrmKVNotiMsg',
          content: utf8(JSON.stringify({ key: input.key, value: input.value ?? '', extra: input.notify.extra, type: input.notify.type })),
        },
      };
  return encodeByName('SetChrmKV', { entry: { key: input.key, value: input.value ?? '', ...(input.status !== undefined ? { status: input.status } : {}) }, ...notification });
}

async function setKV(client: RawClient, roomId: string, input: EntryInput): Promise<number> {
  return (await client.query('setKV', roomId, kvPayload(input))).status;
}

async function delKV(client: RawClient, roomId: string, input: EntryInput): Promise<number> {
  return (await client.query('delKV', roomId, kvPayload({ ...input, status: (input.status ?? 0) | Bit.Delete }))).status;
}

async function pullKV(client: RawClient, roomId: string, timestamp: number) {
  const ack = await client.query('pullKV', roomId, encodeByName('QueryChrmKV', { timestamp }));
  if (ack.status !== 0) return { status: ack.status, entries: [], full: false, syncTime: 0 };
  const out = decodeByName('ChrmKVOutput', ack.payload);
  return {
    status: 0,
    full: out.bFullUpdate === true,
    syncTime: Number(out.syncTime),
    entries: out.entries.map((e) => ({ key: e.key, value: e.value, status: e.status ?? 0, uid: e.uid, timestamp: Number(e.timestamp) })),
  };
}

async function room2(): Promise<{ room: string; a: string; b: string; ca: RawClient; cb: RawClient }> {
  const room = uniqueId('r');
  const [a, b] = [uniqueId('a'), uniqueId('b')];
  const ca = await connectUser(env(), a);
  const cb = await connectUser(env(), b);
  await joinOk(ca, room);
  await joinOk(cb, room);
  return { room, a, b, ca, cb };
}

describe('chatroom KV', () => {
  it('a set reaches the other members as s_cmd type 2 (not the changer); pullKV(0) gives the full list', async () => {
    const { room, a, ca, cb } = await room2();
    expect(await setKV(ca, room, { key: 'title', value: 'Live!' })).toBe(0);
    const cmd = await roomCommand(cb, room, 2);
    const full = await pullKV(cb, room, 0);
    expect(full).toMatchObject({ status: 0, full: true, syncTime: cmd.time });
    expect(full.entries).toEqual([{ key: 'title', value: 'Live!', status: 0, uid: a, timestamp: cmd.time }]);
    await ca.ping();
    expect(ca.frames.some(isPush('s_cmd'))).toBe(false);
  });

  it('another user\'s key needs force (23424 otherwise); incremental pulls carry the overwrite bit', async () => {
    const { room, b, ca, cb } = await room2();
    expect(await setKV(ca, room, { key: 'k', value: 'a' })).toBe(0);
    const cursor = (await pullKV(cb, room, 0)).syncTime;
    expect(await setKV(cb, room, { key: 'k', value: 'b' })).toBe(23424);
    expect(await setKV(cb, room, { key: 'k', value: 'b', status: Bit.Overwrite })).toBe(0);
    const delta = await pullKV(ca, room, cursor);
    expect(delta.full).toBe(false);
    expect(delta.entries).toEqual([{ key: 'k', value: 'b', status: Bit.Overwrite, uid: b, timestamp: delta.syncTime }]);
    // Now b owns it: a needs force in turn.
    expect(await setKV(ca, room, { key: 'k', value: 'a2' })).toBe(23424);
  });

  it('removals: own keys only unless forced, 23427 for a missing key, others see a DELETE entry', async () => {
    const { room, ca, cb } = await room2();
    expect(await setKV(ca, room, { key: 'x', value: '1' })).toBe(0);
    expect(await setKV(ca, room, { key: 'y', value: '2' })).toBe(0);
    const cursor = (await pullKV(cb, room, 0)).syncTime;
    expect(await delKV(cb, room, { key: 'x' })).toBe(23424);
    expect(await delKV(ca, room, { key: 'x' })).toBe(0);
    expect(await delKV(cb, room, { key: 'y', status: Bit.Overwrite })).toBe(0);
    expect(await delKV(ca, room, { key: 'x' })).toBe(23427);
    expect(await delKV(ca, room, { key: 'never' })).toBe(23427);
    const delta = await pullKV(cb, room, cursor);
    expect(delta.entries.map((e) => [e.key, e.value, e.status & Bit.Delete])).toEqual([['x', '', Bit.Delete], ['y', '', Bit.Delete]]);
    expect((await pullKV(cb, room, 0)).entries).toEqual([]);
  });

  it('limits: 23423 past the app\'s key count, 23412 for a bad key or an over-long value', async () => {
    const { room, ca } = await room2();
    for (const key of ['k1', 'k2', 'k3']) expect(await setKV(ca, room, { key, value: 'v' })).toBe(0);
    expect(await setKV(ca, room, { key: 'k4', value: 'v' })).toBe(23423);
    expect(await setKV(ca, room, { key: 'k1', value: 'updated' })).toBe(0);
    expect(await setKV(ca, room, { key: 'bad key!', value: 'v' })).toBe(23412);
    expect(await setKV(ca, room, { key: 'x'.repeat(129), value: 'v' })).toBe(23412);
    expect(await setKV(ca, room, { key: 'k1', value: 'v'.repeat(4097) })).toBe(23412);
    expect(await setKV(ca, room, { key: 'k1', value: 'v'.repeat(4096) })).toBe(0);
  });

  it('23425 past the app\'s client KV changes per room and second (sets and removals alike); the Server API is not limited', async () => {
    const room = uniqueId('r');
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const [ca, cb] = [await connectUser(env(RATE), a), await connectUser(env(RATE), b)];
    await joinOk(ca, room);
    await joinOk(cb, room);
    const other = uniqueId('r');
    await joinOk(ca, other);
    const started = Date.now();
    for (const key of ['k1', 'k2', 'k3']) expect(await setKV(ca, room, { key, value: 'v' })).toBe(0);
    expect(await delKV(cb, room, { key: 'k1', status: Bit.Overwrite })).toBe(0);
    expect(await setKV(cb, room, { key: 'k4', value: 'v' })).toBe(23425);
    expect(await delKV(ca, room, { key: 'k2' })).toBe(23425);
    // Another room has its own allowance; the Server API writes on.
    expect(await setKV(ca, other, { key: 'k1', value: 'v' })).toBe(0);
    expect((await env(RATE).api.post('/chatroom/entry/set.json', { chatroomId: room, userId: a, key: 'admin', value: 'v' })).body).toMatchObject({ code: 200 });
    expect(Date.now() - started).toBeLessThan(1000);
    // Refused changes changed nothing.
    expect((await pullKV(cb, room, 0)).entries.map((e) => e.key).sort()).toEqual(['admin', 'k2', 'k3']);
    await sleep(1000 - (Date.now() - started) + 50);
    expect(await setKV(cb, room, { key: 'k4', value: 'v' })).toBe(0);
  });

  it('the KV limit is per rolling second: a burst right after a window boundary is not a new allowance (a window reset each second admitted twice the limit)', async () => {
    const room = uniqueId('r');
    const ca = await connectUser(env(RATE), uniqueId('a'));
    await joinOk(ca, room);
    await sleep(1100);
    const started = Date.now();
    expect(await setKV(ca, room, { key: 'k1', value: 'v0' })).toBe(0);
    await sleep(500 - (Date.now() - started));
    const burst = async (from: number): Promise<number[]> => Promise.all([0, 1, 2, 3].map((i) => setKV(ca, room, { key: `k${(i % 3) + 1}`, value: `v${from + i}` })));
    // 3 more within the second of the first (limit 4).
    expect((await burst(1)).filter((status) => status === 0)).toHaveLength(3);
    // 1200 ms after the first, ~700 after these: only the first change left the last second.
    await sleep(1200 - (Date.now() - started));
    const later = await burst(5);
    expect(later.filter((status) => status === 0)).toHaveLength(1);
    expect(later.filter((status) => status === 23425)).toHaveLength(3);
  });

  it('members only for changes (23406), anyone may pull; unknown rooms answer 23410', async () => {
    const { room, ca } = await room2();
    await setKV(ca, room, { key: 'k', value: 'v' });
    const outsider = await connectUser(env(), uniqueId('o'));
    expect(await setKV(outsider, room, { key: 'mine', value: 'v' })).toBe(23406);
    expect((await pullKV(outsider, room, 0)).entries.map((e) => e.key)).toEqual(['k']);
    expect(await setKV(outsider, uniqueId('nope'), { key: 'k', value: 'v' })).toBe(23410);
  });

  it('bNotify sends the RC:chrmKVNotiMsg to the room; the changer does not get its own', async () => {
    const { room, a, ca, cb } = await room2();
    // A rejoin answers the original join time: the pull cursor both members start from.
    const joinCursor = await joinOk(cb, room);
    expect(await setKV(ca, room, { key: 'topic', value: 'news', notify: { extra: 'hi', type: 1 } })).toBe(0);
    expect(await delKV(ca, room, { key: 'topic', notify: { extra: 'bye', type: 2 } })).toBe(0);
    await sleep(30);
    const { list } = await drain(cb, room, joinCursor);
    const notes = list.filter((m) => m.classname === 'RC:chrmKVNotiMsg');
    expect(notes.map((m) => [m.fromUserId, JSON.parse(text(m.content))])).toEqual([
      [a, { key: 'topic', value: 'news', extra: 'hi', type: 1 }],
      [a, { key: 'topic', value: '', extra: 'bye', type: 2 }],
    ]);
    expect((await drain(ca, room, joinCursor)).list.filter((m) => m.classname === 'RC:chrmKVNotiMsg')).toEqual([]);
  });

  it('auto-delete entries go when their owner quits; others are told and see DELETE', async () => {
    const { room, ca, cb } = await room2();
    expect(await setKV(ca, room, { key: 'seat', value: 'a', status: Bit.AutoDelete })).toBe(0);
    expect(await setKV(ca, room, { key: 'keep', value: 'a' })).toBe(0);
    const cursor = (await pullKV(cb, room, 0)).syncTime;
    expect((await quit(ca, room)).status).toBe(0);
    const cmd = await roomCommand(cb, room, 2, 5000, cursor);
    const delta = await pullKV(cb, room, cursor);
    expect(delta.entries.map((e) => [e.key, e.status])).toEqual([['seat', Bit.AutoDelete | Bit.Delete]]);
    expect(delta.syncTime).toBe(cmd.time);
    expect((await pullKV(cb, room, 0)).entries.map((e) => e.key)).toEqual(['keep']);
  });

  it('apps without KV answer 23426 and navi says kvStorage 0; navi follows joinMChrm', async () => {
    const room = uniqueId('r');
    const c = await connectUser(env(NOKV), uniqueId('n'));
    await joinOk(c, room);
    expect(await setKV(c, room, { key: 'k', value: 'v' })).toBe(23426);
    expect((await pullKV(c, room, 0)).status).toBe(23426);

    const navi = async (app: TestApp): Promise<Record<string, unknown>> => {
      const token = await tokenFor(env(app), uniqueId('navi'));
      const res = await fetch(`${env(app).url}/navi.js?appId=${app.key}&token=${encodeURIComponent(token)}&callBack=getServerEndpoint&v=2.9.2`);
      const body = await res.text();
      return JSON.parse(body.slice('getServerEndpoint('.length, -2)) as Record<string, unknown>;
    };
    expect(await navi(NOKV)).toMatchObject({ kvStorage: 0, joinMChrm: false });
    expect(await navi(KV)).toMatchObject({ kvStorage: 1, joinMChrm: true });
  });
});
