/**
 * Chatroom batch KV over the raw protocol (engine 5.x `setKVS` / `delKVS`, PROTOCOL-E5.md §3.4): per-key
 * results in ChrmKVSOutput (23428 when some keys failed), the 10-entry limit 23429 enforced by the server too,
 * whole-batch refusals without a payload, one s_cmd type 2 per batch, the force bit, one notification.
 */
import { encodeByName } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import type { TestApp } from '../../../test/support/server-launcher';
import { ChrmKVSOutput, decodeE5, encodeE5, SetChrmKVS } from '../../src/services/e5-wire';
import type { E5Object } from '../../src/services/e5-wire';
import { connectUser, isPush, joinOk, roomCommand, uniqueId, utf8, useChatroomServer } from './chatroom-support';

const KV: TestApp = { key: 'lxchrmkvs', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmMaxKeys: 5 } };
const NOKV: TestApp = { key: 'lxchrmkvsoff', secret: 'lxchrmsecret', options: { chrmKv: 0 } };
/** Four client KV changes per room and second. */
const RATE: TestApp = { key: 'lxchrmkvsrate', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmKvRate: 4 } };
const Bit = { Overwrite: 2, Delete: 4 } as const;

const env = useChatroomServer([KV, NOKV, RATE]);


interface Batch {
  readonly status: number;
  readonly errorKeys?: ReadonlyArray<{ key: string; errorCode: number }>;
  readonly keys?: readonly string[];
}

async function batch(client: RawClient, topic: 'setKVS' | 'delKVS', roomId: string, entries: ReadonlyArray<{ key: string; value?: string; status?: number }>, extra: E5Object = {}): Promise<Batch> {
  const payload = encodeE5(SetChrmKVS, {
    entry: entries.map((e) => ({ key: e.key, value: e.value ?? '', status: (e.status ?? 0) | (topic === 'delKVS' ? Bit.Delete : 0), uid: 'ignored', version: 1 })),
    ...extra,
  });
  const ack = await client.query(topic, roomId, payload);
  if (ack.payload.length === 0) return { status: ack.status };
  const out = decodeE5(ChrmKVSOutput, ack.payload);
  const list = (name: string): E5Object[] => (Array.isArray(out[name]) ? (out[name] as E5Object[]) : []);
  return {
    status: ack.status,
    errorKeys: list('errorKeys').map((e) => ({ key: String(e.key), errorCode: Number(e.errorCode) })),
    keys: list('keysVersion').map((e) => String(e.key)),
  };
}

async function room2(app: TestApp = KV): Promise<{ room: string; ca: RawClient; cb: RawClient }> {
  const room = uniqueId('r');
  const ca = await connectUser(env(app), uniqueId('a'), '5.38.0');
  const cb = await connectUser(env(app), uniqueId('b'), '5.38.0');
  await joinOk(ca, room);
  await joinOk(cb, room);
  return { room, ca, cb };
}

describe('chatroom batch KV (setKVS / delKVS)', () => {
  it('every key of a batch counts against the room\'s KV changes per second: a batch past it is refused whole (23425)', async () => {
    const { room, ca } = await room2(RATE);
    expect(await batch(ca, 'setKVS', room, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'c', value: '3' }])).toMatchObject({ status: 0, keys: ['a', 'b', 'c'] });
    expect(await batch(ca, 'delKVS', room, [{ key: 'a' }, { key: 'b' }])).toEqual({ status: 23425 });
    expect(await batch(ca, 'delKVS', room, [{ key: 'a' }])).toMatchObject({ status: 0, keys: ['a'] });
  });

  it('sets several keys in one batch with their versions; the other members get one s_cmd', async () => {
    const { room, ca, cb } = await room2();
    const result = await batch(ca, 'setKVS', room, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
    expect(result).toEqual({ status: 0, errorKeys: [], keys: ['a', 'b'] });
    await roomCommand(cb, room, 2);
    await cb.ping();
    expect(cb.frames.filter(isPush('s_cmd'))).toHaveLength(1);
  });

  it('reports refused keys with 23428 and applies the rest; the force bit overrides ownership', async () => {
    const { room, ca, cb } = await room2();
    expect((await batch(cb, 'setKVS', room, [{ key: 'theirs', value: 'b' }])).status).toBe(0);
    const partial = await batch(ca, 'setKVS', room, [{ key: 'theirs', value: 'a' }, { key: 'mine', value: 'a' }, { key: 'bad key!', value: 'a' }]);
    expect(partial).toEqual({ status: 23428, errorKeys: [{ key: 'theirs', errorCode: 23424 }, { key: 'bad key!', errorCode: 23412 }], keys: ['mine'] });
    expect(await batch(ca, 'setKVS', room, [{ key: 'theirs', value: 'a', status: Bit.Overwrite }])).toMatchObject({ status: 0, keys: ['theirs'] });

    const removal = await batch(cb, 'delKVS', room, [{ key: 'mine' }, { key: 'missing' }]);
    expect(removal).toEqual({ status: 23428, errorKeys: [{ key: 'mine', errorCode: 23424 }, { key: 'missing', errorCode: 23427 }], keys: [] });
    expect(await batch(ca, 'delKVS', room, [{ key: 'mine' }, { key: 'theirs' }])).toEqual({ status: 0, errorKeys: [], keys: ['mine', 'theirs'] });
  });

  it('refuses the whole batch without a payload: over 10 entries 23429, not a member 23406, KV off 23426, nothing 23412', async () => {
    const { room, ca } = await room2();
    const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(await batch(ca, 'setKVS', room, eleven)).toEqual({ status: 23429 });
    expect(await batch(ca, 'setKVS', room, [])).toEqual({ status: 23412 });
    const outsider = await connectUser(env(), uniqueId('o'), '5.38.0');
    expect(await batch(outsider, 'setKVS', room, [{ key: 'k', value: 'v' }])).toEqual({ status: 23406 });
    const off = await room2(NOKV);
    expect(await batch(off.ca, 'setKVS', off.room, [{ key: 'k', value: 'v' }])).toEqual({ status: 23426 });
    // The app's key limit (5 here) applies key by key.
    const six = Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(await batch(ca, 'setKVS', room, six)).toEqual({ status: 23428, errorKeys: [{ key: 'k5', errorCode: 23423 }], keys: ['k0', 'k1', 'k2', 'k3', 'k4'] });
  });

  it('sends the notification once for the batch', async () => {
    const { room, ca, cb } = await room2();
    const notification = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:chrmKVNotiMsg', content: utf8(JSON.stringify({ key: 'a', value: '1', type: 1 })) });
    expect((await batch(ca, 'setKVS', room, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], { bNotify: true, notification, type: 4 })).status).toBe(0);
    await roomCommand(cb, room, 2);
    await cb.ping();
    const ntf = cb.frames.filter(isPush('s_ntf'));
    expect(ntf.length).toBeLessThanOrEqual(1);
    expect(ntf.length + cb.frames.filter(isPush('s_msg')).length).toBe(1);
  });
});
