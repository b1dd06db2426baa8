/**
 * The notification of a client's chatroom KV change is a client room message (kv-notification.ts): it meets every
 * rule of a `chatMsg` — the room standing (23408), readUpStream's checks (33003 objectName, 30016 over 128 KiB),
 * the filter chain (sensitive words 21501 or their replacement), the per-connection send limit (20604) — and a
 * change whose notification may not be posted is refused with that status and not applied (single-key and batch
 * topics). KV changes without a notification, and the Server API's (admin) with one, are not sends.
 */
import { decodeByName, encodeByName } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import type { TestApp } from '../../../test/support/server-launcher';
import { ChrmKVSOutput, decodeE5, encodeE5, SetChrmKVS } from '../../src/services/e5-wire';
import { connectUser, drain, joinOk, send, sleep, text, uniqueId, utf8, useChatroomServer } from './chatroom-support';

const KVN: TestApp = { key: 'lxchrmkvn', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmMaxKeys: 100, chrmQuotaHigh: 100000 } };
/** The default send limit (5 per second). */
const LIMITED: TestApp = { key: 'lxchrmkvnlim', secret: 'lxchrmsecret', options: { chrmMaxKeys: 100, chrmQuotaHigh: 100000 } };
const Delete = 4;

const env = useChatroomServer([KVN, LIMITED]);


interface Note {
  readonly classname: string;
  readonly content: string | Uint8Array;
}

const kvNote = (key: string, value: string): Note => ({ classname: 'RC:chrmKVNotiMsg', content: JSON.stringify({ key, value, extra: '', type: 1 }) });
const textNote = (content: string): Note => ({ classname: 'RC:TxtMsg', content: JSON.stringify({ content }) });

function upstream(note: Note): { sessionId: number; classname: string; content: Uint8Array } {
  return { sessionId: 0, classname: note.classname, content: typeof note.content === 'string' ? utf8(note.content) : note.content };
}

async function setKV(client: RawClient, roomId: string, key: string, value: string, note?: Note, removal = false): Promise<number> {
  const notification = note === undefined ? {} : { bNotify: true, type: 4, notification: upstream(note) };
  const payload = encodeByName('SetChrmKV', { entry: { key, value, ...(removal ? { status: Delete } : {}) }, ...notification });
  return (await client.query(removal ? 'delKV' : 'setKV', roomId, payload)).status;
}

async function setKVS(client: RawClient, roomId: string, entries: ReadonlyArray<{ key: string; value: string }>, note: Note): Promise<{ status: number; payload: boolean }> {
  const payload = encodeE5(SetChrmKVS, {
    entry: entries.map((e) => ({ key: e.key, value: e.value, status: 0, uid: 'ignored', version: 1 })),
    bNotify: true,
    type: 4,
    notification: encodeByName('UpStreamMessage', upstream(note)),
  });
  const ack = await client.query('setKVS', roomId, payload);
  if (ack.payload.length > 0) decodeE5(ChrmKVSOutput, ack.payload);
  return { status: ack.status, payload: ack.payload.length > 0 };
}

async function keys(client: RawClient, roomId: string): Promise<Record<string, string>> {
  const ack = await client.query('pullKV', roomId, encodeByName('QueryChrmKV', { timestamp: 0 }));
  if (ack.status !== 0) throw new Error(`pullKV: status ${ack.status}`);
  return Object.fromEntries(decodeByName('ChrmKVOutput', ack.payload).entries.map((e) => [e.key, e.value]));
}

/** Two members: a (the changer) and b (who would receive a's notifications), and b's pull cursor. */
async function room2(app: TestApp = KVN, sdkVer?: string): Promise<{ room: string; a: string; ca: RawClient; cb: RawClient; cursor: number }> {
  const room = uniqueId('r');
  const a = uniqueId('a');
  const ca = await connectUser(env(app), a, sdkVer);
  const cb = await connectUser(env(app), uniqueId('b'));
  await joinOk(ca, room);
  const cursor = await joinOk(cb, room);
  return { room, a, ca, cb, cursor };
}

/** What b pulls from a since `cursor`: [objectName, content text]. */
async function receivedFrom(cb: RawClient, room: string, a: string, cursor: number): Promise<Array<[string, string]>> {
  await sleep(30);
  return (await drain(cb, room, cursor)).list.filter((m) => m.fromUserId === a).map((m) => [m.classname, text(m.content)]);
}

describe('a client KV change with a notification meets the rules of chatMsg', () => {
  it('gagged, banned from every room, or in a muted room: 23408 as for chatMsg, the change not applied, nothing posted', async () => {
    const { room, a, ca, cb, cursor } = await room2();
    const api = env().api;
    expect(await setKV(ca, room, 'before', 'v')).toBe(0);
    const refusals = async (): Promise<Array<number | undefined>> => [
      (await send(ca, room, 'RC:TxtMsg', { content: 'x' })).status,
      await setKV(ca, room, 'k', 'v', kvNote('k', 'v')),
      await setKV(ca, room, 'k2', 'v', textNote('posted while gagged')),
      await setKV(ca, room, 'before', '', kvNote('before', ''), true),
    ];
    expect((await api.post('/chatroom/user/gag/add.json', { chatroomId: room, userId: a, minute: 5 })).status).toBe(200);
    expect(await refusals()).toEqual([23408, 23408, 23408, 23408]);
    expect((await api.post('/chatroom/user/gag/rollback.json', { chatroomId: room, userId: a })).status).toBe(200);
    expect((await api.post('/chatroom/user/ban/add.json', { userId: a, minute: 5 })).status).toBe(200);
    expect(await refusals()).toEqual([23408, 23408, 23408, 23408]);
    expect((await api.post('/chatroom/user/ban/remove.json', { userId: a })).status).toBe(200);
    expect((await api.post('/chatroom/ban/add.json', { chatroomId: room })).status).toBe(200);
    expect(await refusals()).toEqual([23408, 23408, 23408, 23408]);

    expect(await keys(cb, room)).toEqual({ before: 'v' });
    expect(await receivedFrom(cb, room, a, cursor)).toEqual([]);
    // A KV change without a notification is no message: the room's state, not its conversation.
    expect(await setKV(ca, room, 'quiet', 'v')).toBe(0);
    expect(await keys(cb, room)).toEqual({ before: 'v', quiet: 'v' });

    expect((await api.post('/chatroom/ban/rollback.json', { chatroomId: room })).status).toBe(200);
    expect(await setKV(ca, room, 'k', 'v', kvNote('k', 'v'))).toBe(0);
    expect(await receivedFrom(cb, room, a, cursor)).toEqual([['RC:chrmKVNotiMsg', JSON.stringify({ key: 'k', value: 'v', extra: '', type: 1 })]]);
  });

  it('readUpStream\'s checks: 30016 over 128 KiB, 33003 for an objectName over 32 characters; nothing applied or posted', async () => {
    const { room, a, ca, cb, cursor } = await room2();
    const big = { classname: 'App:Big', content: JSON.stringify({ content: 'x'.repeat(200 * 1024) }) };
    expect((await send(ca, room, 'App:Big', { content: 'x'.repeat(200 * 1024) })).status).toBe(30016);
    expect(await setKV(ca, room, 'big', 'v', big)).toBe(30016);
    expect(await setKV(ca, room, 'long', 'v', { classname: `App:${'X'.repeat(40)}`, content: '{}' })).toBe(33003);
    expect(await keys(cb, room)).toEqual({});
    expect(await receivedFrom(cb, room, a, cursor)).toEqual([]);
  });

  it('sensitive words: a block word refuses the change (21501), a replace word is replaced in the posted notification', async () => {
    const { room, a, ca, cb, cursor } = await room2();
    const api = env().api;
    expect((await api.post('/sensitiveword/add.json', { word: 'kvblockword' })).body).toEqual({ code: 200 });
    expect((await api.post('/sensitiveword/add.json', { word: 'kvreplaceword', replaceWord: '***' })).body).toEqual({ code: 200 });
    expect((await send(ca, room, 'RC:TxtMsg', { content: 'a kvblockword' })).status).toBe(21501);
    expect(await setKV(ca, room, 'k', 'v', textNote('a kvblockword'))).toBe(21501);
    expect(await keys(cb, room)).toEqual({});
    expect(await setKV(ca, room, 'k', 'v', textNote('a kvreplaceword'))).toBe(0);
    expect(await keys(cb, room)).toEqual({ k: 'v' });
    expect(await receivedFrom(cb, room, a, cursor)).toEqual([['RC:TxtMsg', JSON.stringify({ content: 'a ***' })]]);
  });

  it('the send limit counts each notified change as a message (20604 past it, the change not applied); changes without one are not counted', async () => {
    const { room, ca, cb } = await room2(LIMITED);
    const notified = await Promise.all(Array.from({ length: 8 }, (_, i) => setKV(ca, room, `n${i}`, 'v', kvNote(`n${i}`, 'v'))));
    expect(notified.filter((s) => s === 0).length).toBeLessThanOrEqual(5);
    expect(notified.filter((s) => s === 20604).length).toBeGreaterThanOrEqual(3);
    expect(notified.every((s) => s === 0 || s === 20604)).toBe(true);
    const applied = Object.keys(await keys(cb, room)).sort();
    expect(applied).toEqual(notified.flatMap((s, i) => (s === 0 ? [`n${i}`] : [])).sort());
    await sleep(1100);
    const quiet = await Promise.all(Array.from({ length: 8 }, (_, i) => setKV(ca, room, `q${i}`, 'v')));
    expect(quiet).toEqual(Array.from({ length: 8 }, () => 0));
  });

  it('engine 5 batches (setKVS): refused as a whole with the chatMsg status and no payload, no key applied', async () => {
    const { room, a, ca, cb, cursor } = await room2(KVN, '5.38.0');
    const entries = [{ key: 'a', value: '1' }, { key: 'b', value: '2' }];
    expect(await setKVS(ca, room, entries, { classname: 'App:Big', content: 'x'.repeat(129 * 1024) })).toEqual({ status: 30016, payload: false });
    expect((await env().api.post('/chatroom/user/gag/add.json', { chatroomId: room, userId: a, minute: 5 })).status).toBe(200);
    expect(await setKVS(ca, room, entries, kvNote('a', '1'))).toEqual({ status: 23408, payload: false });
    expect(await keys(cb, room)).toEqual({});
    expect((await env().api.post('/chatroom/user/gag/rollback.json', { chatroomId: room, userId: a })).status).toBe(200);
    expect(await setKVS(ca, room, entries, kvNote('a', '1'))).toEqual({ status: 0, payload: true });
    expect(await keys(cb, room)).toEqual({ a: '1', b: '2' });
    expect(await receivedFrom(cb, room, a, cursor)).toEqual([['RC:chrmKVNotiMsg', JSON.stringify({ key: 'a', value: '1', extra: '', type: 1 })]]);
  });

  it('the Server API (admin) still sets an entry with a notification for a gagged user', async () => {
    const { room, a, cb, cursor } = await room2();
    const api = env().api;
    expect((await api.post('/chatroom/user/gag/add.json', { chatroomId: room, userId: a, minute: 5 })).status).toBe(200);
    const content = JSON.stringify({ key: 'k', value: 'v', extra: '', type: 1 });
    expect((await api.post('/chatroom/entry/set.json', { chatroomId: room, userId: a, key: 'k', value: 'v', objectName: 'RC:chrmKVNotiMsg', content })).body).toEqual({ code: 200 });
    expect(await keys(cb, room)).toEqual({ k: 'v' });
    expect(await receivedFrom(cb, room, a, cursor)).toEqual([['RC:chrmKVNotiMsg', content]]);
  });
});
