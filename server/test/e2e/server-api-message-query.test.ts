/**
 * `v3/message/{private,group,chatroom}/query` (SERVER_API.md §2.2, JSON bodies) against the real server: the
 * stored history clients read, as the querying user sees it, oldest first between startTime and endTime, paged
 * by pageSize; the documented fields; string-typed fields as server-sdk-go sends them; 1002 for bad input; 1009
 * for room history an app does not keep, and for ultragroups.
 */
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { connectUser, uniqueId, upstream } from './e2e-support';

const NOHIST = { key: 'lxqrynohist', secret: 'lxqrynohistsecret', options: { chrmHistory: 0 } };
let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

interface Queried {
  targetId: string;
  fromUserId: string;
  messageUID: string;
  msgTime: number;
  objectName: string;
  content: string;
  expansion: boolean;
  extraContent: string;
  busChannel: string;
}

async function ok<T = Record<string, unknown>>(path: string, form: Record<string, string | number | readonly string[]>): Promise<T & { code: number }> {
  const response = await api.post<T & { code: number }>(path, form);
  expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 200, code: 200 });
  return response.body;
}

async function query(kind: string, body: Record<string, unknown>, client = api): Promise<Queried[]> {
  const response = await client.postJson<{ code: number; data: Queried[] }>(`v3/message/${kind}/query`, body);
  expect({ status: response.status, code: response.body.code }).toEqual({ status: 200, code: 200 });
  expect(Object.keys(response.body).sort()).toEqual(['code', 'data']);
  return response.body.data;
}

const texts = (data: readonly Queried[]): string[] => data.map((m) => (JSON.parse(m.content) as { content: string }).content);
const connect = (userId: string): Promise<RawClient> => connectUser(server.url, DEFAULT_TEST_APP.key, api, userId, clients);
const say = (text: string, flags = 3): Uint8Array => upstream('RC:TxtMsg', { content: text }, flags);

beforeAll(async () => {
  server = await startServer({ apps: [DEFAULT_TEST_APP, NOHIST] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('v3/message/private/query', () => {
  it('answers the user\'s view of the conversation, oldest first, with the documented fields', async () => {
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const ca = await connect(a);
    const cb = await connect(b);
    const first = await ca.publish('ppMsgP', b, say('one'));
    expect((await cb.publish('ppMsgP', a, say('two'))).status).toBe(0);
    // Sent expandable (bit 64), then given an expansion through the Server API.
    const third = await ca.publish('ppMsgP', b, say('three', 3 | 64));
    await ok('message/expansion/set', { msgUID: third.messageUId ?? '', userId: a, conversationType: 1, targetId: b, extraKeyVal: '{"k":"v"}' });
    // Another conversation of a's, and a message to c that b must not see.
    expect((await ca.publish('ppMsgP', c, say('to c'))).status).toBe(0);

    const all = await query('private', { userId: a, targetId: b, startTime: 0, endTime: Date.now() + 60_000, pageSize: 10, includeStart: true });
    expect(texts(all)).toEqual(['one', 'two', 'three']);
    expect(all[0]).toEqual({
      targetId: b,
      fromUserId: a,
      messageUID: first.messageUId,
      msgTime: expect.any(Number),
      objectName: 'RC:TxtMsg',
      content: '{"content":"one"}',
      expansion: false,
      extraContent: '',
      busChannel: '',
    });
    expect(all[1]).toMatchObject({ targetId: a, fromUserId: b });
    expect(all[2]).toMatchObject({ expansion: true, messageUID: third.messageUId });
    expect(JSON.parse((all[2] as Queried).extraContent)).toEqual({ k: { v: 'v' } });
    expect(all.map((m) => m.msgTime)).toEqual([...all.map((m) => m.msgTime)].sort((x, y) => x - y));

    // b sees the same conversation from its side; c has no conversation with b.
    expect(texts(await query('private', { userId: b, targetId: a, startTime: 0, endTime: Date.now() + 60_000 }))).toEqual(['one', 'two', 'three']);
    expect(await query('private', { userId: c, targetId: b, startTime: 0, endTime: Date.now() + 60_000 })).toEqual([]);
  });

  it('pages by pageSize from startTime (includeStart) up to endTime', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(a);
    for (const text of ['m1', 'm2', 'm3', 'm4', 'm5']) expect((await ca.publish('ppMsgP', b, say(text))).status).toBe(0);
    const all = await query('private', { userId: a, targetId: b, startTime: 0, endTime: Date.now() + 60_000 });
    const times = all.map((m) => m.msgTime);
    expect(texts(all)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);

    const page1 = await query('private', { userId: a, targetId: b, startTime: 0, endTime: Date.now() + 60_000, pageSize: 2 });
    expect(texts(page1)).toEqual(['m1', 'm2']);
    const page2 = await query('private', { userId: a, targetId: b, startTime: page1[1]?.msgTime, endTime: Date.now() + 60_000, pageSize: 2, includeStart: false });
    expect(texts(page2)).toEqual(['m3', 'm4']);
    expect(texts(await query('private', { userId: a, targetId: b, startTime: times[1], endTime: times[3], includeStart: true }))).toEqual(['m2', 'm3', 'm4']);
    expect(texts(await query('private', { userId: a, targetId: b, startTime: times[1], endTime: times[3], includeStart: false }))).toEqual(['m3', 'm4']);
    expect(texts(await query('private', { userId: a, targetId: b, startTime: times[4], endTime: times[4] }))).toEqual(['m5']);

    // server-sdk-go sends every field as a JSON string.
    expect(texts(await query('private', { userId: a, targetId: b, startTime: String(times[2]), endTime: String(times[4]), pageSize: '2', includeStart: 'false' }))).toEqual(['m4', 'm5']);
    // No business channels here: every message is in the default one.
    expect(await query('private', { userId: a, targetId: b, startTime: 0, endTime: Date.now() + 60_000, busChannel: 'ch1' })).toEqual([]);
  });
});

describe('v3/message/group/query and chatroom/query', () => {
  it('answers a member\'s group history and nothing to a non-member', async () => {
    const [a, b, c, g] = [uniqueId('a'), uniqueId('b'), uniqueId('c'), uniqueId('g')];
    const ca = await connect(a);
    await ok('group/create', { userId: [a, b], groupId: g, groupName: 'G' });
    for (const text of ['g1', 'g2']) expect((await ca.publish('pgMsgP', g, say(text))).status).toBe(0);
    const data = await query('group', { userId: b, targetId: g, startTime: 0, endTime: Date.now() + 60_000 });
    expect(texts(data)).toEqual(['g1', 'g2']);
    expect(data[0]).toMatchObject({ targetId: g, fromUserId: a, objectName: 'RC:TxtMsg' });
    expect(texts(await query('group', { userId: a, targetId: g, startTime: 0, endTime: Date.now() + 60_000, pageSize: 1 }))).toEqual(['g1']);
    expect(await query('group', { userId: c, targetId: g, startTime: 0, endTime: Date.now() + 60_000 })).toEqual([]);
  });

  it('answers a room\'s persisted history; 1009 when the app keeps none', async () => {
    const [a, room] = [uniqueId('a'), uniqueId('room')];
    await ok('chatroom/create', { [`chatroom[${room}]`]: 'Room' });
    for (const text of ['r1', 'r2', 'r3']) await ok('message/chatroom/publish', { fromUserId: a, toChatroomId: room, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: text }) });
    const data = await query('chatroom', { userId: a, targetId: room, startTime: 0, endTime: Date.now() + 60_000, pageSize: 2 });
    expect(texts(data)).toEqual(['r1', 'r2']);
    expect(data[0]).toMatchObject({ targetId: room, fromUserId: a, expansion: false, extraContent: '', busChannel: '' });

    const nohist = serverApi(server.url, NOHIST.key, NOHIST.secret);
    const refused = await nohist.postJson('v3/message/chatroom/query', { userId: a, targetId: room, startTime: 0, endTime: Date.now() });
    expect({ status: refused.status, code: refused.body['code'] }).toEqual({ status: 430, code: 1009 });
  });
});

describe('v3 query input', () => {
  it('answers 1002 naming the field for bad input; ultragroups stay 1009', async () => {
    const good = { userId: 'u1', targetId: 'u2', startTime: 1000, endTime: 2000, pageSize: 10, includeStart: true };
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['private', { ...good, userId: undefined }, /userId/],
      ['private', { ...good, userId: 'bad id' }, /userId/],
      ['group', { ...good, targetId: '' }, /targetId/],
      ['private', { ...good, startTime: undefined }, /startTime/],
      ['private', { ...good, endTime: undefined }, /endTime/],
      ['private', { ...good, startTime: 'yesterday' }, /startTime/],
      ['private', { ...good, startTime: -1 }, /startTime/],
      ['chatroom', { ...good, startTime: 3000 }, /endTime/],
      // Not the default, unlike user/remarks/get's size=0: every official SDK leaves an unset pageSize out.
      ['private', { ...good, pageSize: 0 }, /pageSize/],
      ['group', { ...good, pageSize: 101 }, /pageSize/],
      ['private', { ...good, includeStart: 'maybe' }, /includeStart/],
      ['private', { ...good, busChannel: 'x'.repeat(21) }, /busChannel/],
    ];
    for (const [kind, body, message] of bad) {
      const response = await api.postJson(`v3/message/${kind}/query`, body);
      expect({ kind, body, status: response.status, code: response.body['code'] }).toEqual({ kind, body, status: 400, code: 1002 });
      expect(response.body['errorMessage']).toMatch(message);
    }
    const ultra = await api.postJson('v3/message/ultragroup/query', good);
    expect({ status: ultra.status, code: ultra.body['code'] }).toEqual({ status: 430, code: 1009 });
  });
});
