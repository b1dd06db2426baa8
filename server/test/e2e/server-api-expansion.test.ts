/**
 * `message/expansion/{set,delete,query}` (SERVER_API.md §2.2): the Server API changes a message's expansion
 * through the same store and limits as a client's `RC:MsgExMsg`; participants online get the update as
 * `RC:MsgExMsg`, sync returns the merged expansion, and refused input changes nothing.
 */
import { decodeByName, encodeByName, type PublishFrame } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { connectUser, isPush, text, uniqueId } from './e2e-support';

let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

async function ok<T = Record<string, unknown>>(path: string, form: Record<string, string | number | readonly string[]>): Promise<T & { code: number }> {
  const response = await api.post<T & { code: number }>(path, form);
  expect({ path, status: response.status, body: response.body }).toMatchObject({ path, status: 200, body: { code: 200 } });
  return response.body;
}

async function expectError(path: string, form: Record<string, string | number | readonly string[]>, status = 400, code = 1002): Promise<void> {
  const response = await api.post(path, form);
  expect({ path, form, status: response.status, code: response.body['code'], hasMessage: typeof response.body['errorMessage'] === 'string' }).toEqual({ path, form, status, code, hasMessage: true });
}

async function pull(client: RawClient) {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
  return decodeByName('DownStreamMessages', ack.payload).list;
}

const connect = (userId: string): Promise<RawClient> => connectUser(server.url, DEFAULT_TEST_APP.key, api, userId, clients);
const query = async (msgUID: string): Promise<unknown> => (await ok<{ extraContent: unknown }>('message/expansion/query', { msgUID })).extraContent;

beforeAll(async () => {
  server = await startServer({ apps: [DEFAULT_TEST_APP] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('message/expansion', () => {
  it('set, delete and query a private message expansion; the peer gets RC:MsgExMsg, the operator with isSyncSender, and sync returns it', async () => {
    const [a, b] = [uniqueId('xa'), uniqueId('xb')];
    const [ca, cb] = [await connect(a), await connect(b)];
    const sent = await ok<{ messageUIDs: { messageUID: string }[] }>('message/private/publish', { fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: '{"content":"hi"}', expansion: 'true' });
    const uid = sent.messageUIDs[0]?.messageUID as string;
    await cb.nextFrame(isPush('s_ntf'));

    // b (the recipient) sets two keys in its conversation with a, synced to its own sessions.
    await ok('message/expansion/set', { msgUID: uid, userId: b, conversationType: 1, targetId: a, extraKeyVal: '{"k1":"v1","k2":"v2"}', isSyncSender: 1 });
    const toA = await ca.nextFrame<PublishFrame>((f) => isPush('s_msg')(f) && decodeByName('DownStreamMessage', (f as PublishFrame).payload).classname === 'RC:MsgExMsg');
    const downA = decodeByName('DownStreamMessage', toA.payload);
    expect({ from: downA.fromUserId, content: JSON.parse(text(downA.content)) }).toEqual({ from: b, content: { mid: uid, put: { k1: 'v1', k2: 'v2' } } });
    const echo = await cb.nextFrame<PublishFrame>((f) => f.kind === 'publish' && (f as PublishFrame).topic === 'ppMsgP');
    expect({ target: echo.targetId, content: JSON.parse(text(decodeByName('UpStreamMessage', echo.payload).content)) }).toEqual({ target: a, content: { mid: uid, put: { k1: 'v1', k2: 'v2' } } });
    expect(await query(uid)).toEqual({ k1: { v: 'v1' }, k2: { v: 'v2' } });
    const [synced] = await pull(cb);
    expect(JSON.parse(synced?.extraContent ?? '{}')).toEqual({ k1: { v: 'v1' }, k2: { v: 'v2' } });

    // a (the sender) deletes one key; b's session hears about it, a's does not (no isSyncSender).
    await ok('message/expansion/delete', { msgUID: uid, userId: a, conversationType: 1, targetId: b, extraKey: '["k1"]' });
    const toB = await cb.nextFrame<PublishFrame>((f) => isPush('s_msg')(f) && decodeByName('DownStreamMessage', (f as PublishFrame).payload).classname === 'RC:MsgExMsg');
    expect(JSON.parse(text(decodeByName('DownStreamMessage', toB.payload).content))).toEqual({ mid: uid, del: ['k1'] });
    expect(await query(uid)).toEqual({ k2: { v: 'v2' } });
    expect((await api.post('message/expansion/query', { msgUID: uid, pageNo: 2 })).body).toEqual({ code: 200, extraContent: {} });
  });

  it('works on a group message for any member, and refuses bad input, foreign conversations and unexpandable messages with 1002, changing nothing', async () => {
    const [a, b, c, g] = [uniqueId('xa'), uniqueId('xb'), uniqueId('xc'), uniqueId('xg')];
    await ok('group/create', { userId: [a, b], groupId: g, groupName: 'x' });
    const sent = await ok<{ messageUIDs: { messageUID: string }[] }>('message/group/publish', { fromUserId: a, toGroupId: g, objectName: 'RC:TxtMsg', content: '{"content":"g"}', expansion: 'true' });
    const uid = sent.messageUIDs[0]?.messageUID as string;
    const plain = await ok<{ messageUIDs: { messageUID: string }[] }>('message/private/publish', { fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: '{"content":"p"}' });
    const plainUid = plain.messageUIDs[0]?.messageUID as string;
    const ca = await connect(a);

    await ok('message/expansion/set', { msgUID: uid, userId: b, conversationType: 3, targetId: g, extraKeyVal: '{"like":"1"}' });
    const note = await ca.nextFrame<PublishFrame>((f) => isPush('s_msg')(f) && decodeByName('DownStreamMessage', (f as PublishFrame).payload).classname === 'RC:MsgExMsg');
    expect(JSON.parse(text(decodeByName('DownStreamMessage', note.payload).content))).toEqual({ mid: uid, put: { like: '1' } });

    const base = { msgUID: uid, userId: b, conversationType: 3, targetId: g };
    const twentyOne = JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])));
    await expectError('message/expansion/set', { ...base, extraKeyVal: twentyOne });
    await expectError('message/expansion/set', { ...base, extraKeyVal: '{"ok":"1","bad key":"x"}' });
    await expectError('message/expansion/set', { ...base, extraKeyVal: `{"${'k'.repeat(33)}":"x"}` });
    await expectError('message/expansion/set', { ...base, extraKeyVal: `{"long":"${'v'.repeat(4097)}"}` });
    await expectError('message/expansion/set', { ...base, extraKeyVal: 'not json' });
    await expectError('message/expansion/set', { ...base, extraKeyVal: '{}' });
    await expectError('message/expansion/set', { ...base, conversationType: 4, extraKeyVal: '{"x":"1"}' });
    await expectError('message/expansion/set', { ...base, targetId: 'other', extraKeyVal: '{"x":"1"}' });
    await expectError('message/expansion/set', { ...base, msgUID: plainUid, conversationType: 1, targetId: a, extraKeyVal: '{"x":"1"}' });
    await expectError('message/expansion/set', { msgUID: plainUid, userId: c, conversationType: 1, targetId: a, extraKeyVal: '{"x":"1"}' });
    await expectError('message/expansion/set', { ...base, msgUID: 'AAAA-BBBB-CCCC-DDDD', extraKeyVal: '{"x":"1"}' });
    await expectError('message/expansion/set', { ...base, extraKeyVal: '{"x":"1"}', userId: '' });
    await expectError('message/expansion/delete', { ...base, extraKey: '[]' });
    await expectError('message/expansion/delete', { ...base, extraKey: '{"like":1}' });
    await expectError('message/expansion/delete', { ...base, extraKey: JSON.stringify(Array.from({ length: 101 }, (_, i) => `k${i}`)) });
    await expectError('message/expansion/query', { msgUID: 'AAAA-BBBB-CCCC-DDDD' });
    await expectError('message/expansion/query', { msgUID: uid, pageNo: 0 });
    expect(await query(uid)).toEqual({ like: { v: '1' } });

    // 300 keys at most: 299 more fill the message, then an update adding one more new key is refused whole.
    const more = Array.from({ length: 299 }, (_, i) => `m${i}`);
    for (let from = 0; from < more.length; from += 20) {
      await ok('message/expansion/set', { ...base, extraKeyVal: JSON.stringify(Object.fromEntries(more.slice(from, from + 20).map((k) => [k, 'v']))) });
    }
    expect(Object.keys((await query(uid)) as object)).toHaveLength(300);
    await expectError('message/expansion/set', { ...base, extraKeyVal: '{"like":"2","new":"1"}' });
    await ok('message/expansion/set', { ...base, extraKeyVal: '{"like":"2"}' });
    expect(((await query(uid)) as Record<string, unknown>)['like']).toEqual({ v: '2' });
  });
});
