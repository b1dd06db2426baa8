/**
 * `user/chat/fb/set` and `user/chat/fb/querylist` (SERVER_API.md §2.1) against the real server: a PERSON ban
 * refuses the user's client private sends with 20106, a GROUP ban its group sends with 22408, at once (the
 * node's cache is dropped by the change), until lifted; nobody else is affected, Server API sends are not, and
 * the query pages the banned users in ban order with their total. Bad input is 1002 and changes nothing.
 */
import { decodeByName, encodeByName } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { connectUser, text, uniqueId, upstream } from './e2e-support';

let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

async function ok<T = Record<string, unknown>>(path: string, form: Record<string, string | number | readonly string[]>): Promise<T & { code: number }> {
  const response = await api.post<T & { code: number }>(path, form);
  expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 200, code: 200 });
  return response.body;
}

const connect = (userId: string): Promise<RawClient> => connectUser(server.url, DEFAULT_TEST_APP.key, api, userId, clients);
const say = (text: string): Uint8Array => upstream('RC:TxtMsg', { content: text });

/** `sender:text` of every text message in the client's inbox (pullMsg from the start). */
async function inbox(client: RawClient): Promise<string[]> {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
  expect(ack.status).toBe(0);
  return decodeByName('DownStreamMessages', ack.payload).list.map((m) => `${m.fromUserId}:${(JSON.parse(text(m.content)) as { content: string }).content}`);
}

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

describe('user/chat/fb', () => {
  it('PERSON: refuses the banned user\'s private sends with 20106 at once, not its group sends nor anyone else\'s, until lifted', async () => {
    const [a, b, g] = [uniqueId('a'), uniqueId('b'), uniqueId('g')];
    const ca = await connect(a);
    const cb = await connect(b);
    await ok('group/create', { userId: [a, b], groupId: g, groupName: 'G' });
    // A send before the ban loads the node's cache: the ban must still apply to the very next send.
    expect((await ca.publish('ppMsgP', b, say('before'))).status).toBe(0);

    await ok('user/chat/fb/set', { userId: a, state: 1, type: 'PERSON' });
    expect((await ca.publish('ppMsgP', b, say('banned'))).status).toBe(20106);
    expect((await ca.publish('ppMsgP', a, say('to myself'))).status).toBe(20106);
    expect((await ca.publish('pgMsgP', g, say('group is fine'))).status).toBe(0);
    // The refused messages reached nobody: b's inbox holds the message before the ban and the group message.
    expect(await inbox(cb)).toEqual([`${a}:before`, `${a}:group is fine`]);
    expect((await cb.publish('ppMsgP', a, say('b is not banned'))).status).toBe(0);
    // Server API sends are not subject to bans.
    expect((await ok<{ messageUIDs: unknown[] }>('message/private/publish', { fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: '{"content":"api"}' })).messageUIDs).toHaveLength(1);

    await ok('user/chat/fb/set', { userId: a, state: 0, type: 'PERSON' });
    expect((await ca.publish('ppMsgP', b, say('after'))).status).toBe(0);
  });

  it('GROUP: refuses the banned user\'s group sends with 22408, not its private sends; several users per call', async () => {
    const [a, c, b, g] = [uniqueId('a'), uniqueId('c'), uniqueId('b'), uniqueId('g')];
    const ca = await connect(a);
    const cc = await connect(c);
    await connect(b);
    await ok('group/create', { userId: [a, b, c], groupId: g, groupName: 'G' });
    await ok('user/chat/fb/set', { userId: [a, c], state: '1', type: 'GROUP' });
    expect((await ca.publish('pgMsgP', g, say('banned'))).status).toBe(22408);
    expect((await cc.publish('pgMsgP', g, say('banned too'))).status).toBe(22408);
    expect((await ca.publish('ppMsgP', b, say('private is fine'))).status).toBe(0);
    await ok('user/chat/fb/set', { userId: [a, c], state: 0, type: 'GROUP' });
    expect((await ca.publish('pgMsgP', g, say('lifted'))).status).toBe(0);
    expect((await cc.publish('pgMsgP', g, say('lifted'))).status).toBe(0);
  });

  it('querylist pages the banned users of a type in ban order with the total (num default 100, ≤ 200; offset)', async () => {
    const users = [uniqueId('q3'), uniqueId('q1'), uniqueId('q2')];
    const before = await ok<{ total: number; users: string[] }>('user/chat/fb/querylist', { type: 'PERSON' });
    for (const userId of users) await ok('user/chat/fb/set', { userId, state: 1, type: 'PERSON' });
    // Banning again keeps the first ban's place.
    await ok('user/chat/fb/set', { userId: users[0] as string, state: 1, type: 'PERSON' });
    const all = await ok<{ total: number; users: string[] }>('user/chat/fb/querylist', { type: 'PERSON' });
    expect(Object.keys(all).sort()).toEqual(['code', 'total', 'users']);
    expect(all.total).toBe(before.total + 3);
    expect(all.users.slice(-3)).toEqual(users);
    expect(await ok('user/chat/fb/querylist', { type: 'PERSON', num: 1, offset: before.total + 1 })).toEqual({ code: 200, total: before.total + 3, users: [users[1]] });
    expect((await ok<{ users: string[] }>('user/chat/fb/querylist', { type: 'GROUP' })).users).not.toContain(users[0]);
    await ok('user/chat/fb/set', { userId: users, state: 0, type: 'PERSON' });
    expect(await ok('user/chat/fb/querylist', { type: 'PERSON' })).toEqual(before);
  });

  it('querylist takes num=0 as the default 100 (server-sdk-go and the python SDK send num whatever it is)', async () => {
    const users = Array.from({ length: 101 }, (_, i) => uniqueId(`z${i}`));
    const before = await ok<{ total: number }>('user/chat/fb/querylist', { type: 'PERSON' });
    await ok('user/chat/fb/set', { userId: users, state: 1, type: 'PERSON' });
    type Page = { total: number; users: string[] };
    const unset = await ok<Page>('user/chat/fb/querylist', { type: 'PERSON', offset: before.total });
    expect(unset.users).toHaveLength(100);
    expect(await ok<Page>('user/chat/fb/querylist', { type: 'PERSON', num: 0, offset: before.total })).toEqual(unset);
    expect(await ok<Page>('user/chat/fb/querylist', { type: 'PERSON', num: '0', offset: before.total })).toEqual(unset);
    const rest = await ok<Page>('user/chat/fb/querylist', { type: 'PERSON', num: 0, offset: before.total + 100 });
    expect(new Set([...unset.users, ...rest.users])).toEqual(new Set(users));
    await ok('user/chat/fb/set', { userId: users, state: 0, type: 'PERSON' });
  });

  it('answers 1002 for bad input and changes nothing', async () => {
    const a = uniqueId('bad');
    const bad: Array<[string, Record<string, string | number | readonly string[]>]> = [
      ['user/chat/fb/set', { state: 1, type: 'PERSON' }],
      ['user/chat/fb/set', { userId: a, type: 'PERSON' }],
      ['user/chat/fb/set', { userId: a, state: 2, type: 'PERSON' }],
      ['user/chat/fb/set', { userId: a, state: 1 }],
      ['user/chat/fb/set', { userId: a, state: 1, type: 'CHATROOM' }],
      ['user/chat/fb/set', { userId: [a, 'bad id'], state: 1, type: 'PERSON' }],
      ['user/chat/fb/set', { userId: Array.from({ length: 1001 }, (_, i) => `${a}${i}`), state: 1, type: 'PERSON' }],
      ['user/chat/fb/querylist', {}],
      ['user/chat/fb/querylist', { type: 'person' }],
      ['user/chat/fb/querylist', { type: 'PERSON', num: 201 }],
      ['user/chat/fb/querylist', { type: 'PERSON', num: -1 }],
      ['user/chat/fb/querylist', { type: 'PERSON', offset: -1 }],
    ];
    for (const [path, form] of bad) {
      const response = await api.post(path, form);
      expect({ path, form, status: response.status, code: response.body['code'] }).toEqual({ path, form, status: 400, code: 1002 });
    }
    expect((await ok<{ users: string[] }>('user/chat/fb/querylist', { type: 'PERSON', num: 200 })).users).not.toContain(a);
  });
});
