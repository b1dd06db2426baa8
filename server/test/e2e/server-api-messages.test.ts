/**
 * Message endpoints beyond plain publish (SERVER_API.md §2.2) and the API-wide rules (§1.4): publish options
 * and their effect on what clients pull, status messages, broadcasts, template sends, the history log URL,
 * per-app rate limits (429 + 1008) and the error envelopes of bad input.
 */
import { decodeByName, encodeByName, type PublishFrame } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { connectUser, isPush, text, uniqueId } from './e2e-support';

const LIMITED_APP = { key: 'lxlimited', secret: 'lxlimitedsecret', options: { 'rate.message/private/publish': '3/min', 'rate.user/checkOnline': '2/h' } };
const ONCE_APP = { key: 'lxonce', secret: 'lxoncesecret', options: { 'rate.message/private/publish': '1/h', 'rate.message/chatroom/publish': '1/h' } };
let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

async function ok<T = Record<string, unknown>>(path: string, form: Record<string, string | number | readonly string[]>, client = api): Promise<T & { code: number }> {
  const response = await client.post<T & { code: number }>(path, form);
  expect({ path, status: response.status, body: response.body }).toMatchObject({ path, status: 200, body: { code: 200 } });
  return response.body;
}

async function expectError(path: string, form: Record<string, string | number | readonly string[]>, status: number, code: number, client = api): Promise<void> {
  const response = await client.post(path, form);
  expect({ status: response.status, code: response.body['code'], hasMessage: typeof response.body['errorMessage'] === 'string' }).toEqual({ status, code, hasMessage: true });
}

async function pull(client: RawClient) {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
  return decodeByName('DownStreamMessages', ack.payload).list;
}

const connect = (userId: string): Promise<RawClient> => connectUser(server.url, DEFAULT_TEST_APP.key, api, userId, clients);

beforeAll(async () => {
  server = await startServer({ apps: [DEFAULT_TEST_APP, LIMITED_APP, ONCE_APP] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('publish options', () => {
  it('disablePush, expansion and isCounted reach the stored status bits; pushExt and flags are validated', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const cb = await connect(b);
    const base = { fromUserId: a, toUserId: b, objectName: 'App:Custom', content: '{"v":1}' };
    await ok('message/private/publish', { ...base, disablePush: 'true', expansion: 'true', isCounted: 0, contentAvailable: 1, pushExt: '{"title":"T","pushConfigs":[{"HW":{"channelId":"c"}}]}', busChannel: '', count: 3 });
    const [m] = await pull(cb);
    // Upstream bits << 4: persisted 16, not counted, no push 512, expansion 1024.
    expect(m?.status).toBe(16 | 512 | 1024);
    await ok('message/private/publish', { ...base, isPersisted: 0 });
    const transient = await cb.nextFrame<PublishFrame>(isPush('s_msg'));
    expect(JSON.parse(text(decodeByName('DownStreamMessage', transient.payload).content))).toEqual({ v: 1 });
    await expectError('message/private/publish', { ...base, pushExt: 'not json' }, 400, 1002);
    await expectError('message/private/publish', { ...base, contentAvailable: 'maybe' }, 400, 1002);
    await expectError('message/private/publish', { ...base, verifyBlacklist: 2 }, 400, 1002);
  });
});

describe('status messages and broadcasts', () => {
  it('statusmessage/private/publish reaches online sessions only and is never stored', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const cb = await connect(b);
    const res = await ok<{ messageUIDs: { userId: string }[] }>('statusmessage/private/publish', { fromUserId: a, toUserId: b, objectName: 'App:Typing', content: '{"typing":true}' });
    expect(res.messageUIDs.map((m) => m.userId)).toEqual([b]);
    const push = await cb.nextFrame<PublishFrame>(isPush('s_msg'));
    expect(decodeByName('DownStreamMessage', push.payload)).toMatchObject({ fromUserId: a, classname: 'App:Typing' });
    expect(await pull(cb)).toHaveLength(0);
  });

  it('message/broadcast stores one SYSTEM message for every registered user; online/broadcast only pushes', async () => {
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const cb = await connect(b);
    const cc = await connect(c);
    const res = await ok<{ id: string }>('message/broadcast', { fromUserId: a, objectName: 'RC:TxtMsg', content: '{"content":"all"}', pushContent: 'news', os: 'iOS' });
    for (const client of [cb, cc]) {
      await client.nextFrame(isPush('s_ntf'));
      expect((await pull(client)).map((m) => [m.type, m.fromUserId, m.msgId])).toEqual([[6, a, res.id]]);
    }
    const online = await ok<{ id: string }>('message/online/broadcast', { fromUserId: a, objectName: 'App:Ping', content: '{"p":1}' });
    expect(decodeByName('DownStreamMessage', (await cb.nextFrame<PublishFrame>(isPush('s_msg'))).payload)).toMatchObject({ classname: 'App:Ping', msgId: online.id });
    await expectError('message/broadcast', { fromUserId: a, objectName: 'RC:TxtMsg', content: '{}', os: 'Symbian' }, 400, 1002);
  });
});

describe('template sends (JSON body)', () => {
  it('fill each recipient\'s values into content and pushContent, honouring verifyBlacklist', async () => {
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const cb = await connect(b);
    await ok('user/blacklist/add', { userId: c, blackUserId: a });
    const body = {
      fromUserId: a,
      objectName: 'RC:TxtMsg',
      content: '{"content":"Hi {name}, you have {n} points","score":{n}}',
      toUserId: [b, c],
      values: [{ name: 'B "the best"', n: '7' }, { '{name}': 'C', '{n}': '8' }],
      pushContent: ['{name}: {n}', 'x'],
      verifyBlacklist: 1,
    };
    const res = await api.postJson<{ code: number; messageUIDs: { userId: string }[] }>('message/private/publish_template', body);
    expect(res.body.messageUIDs.map((m) => m.userId)).toEqual([b]);
    const [m] = await pull(cb);
    expect(JSON.parse(text(m?.content ?? new Uint8Array()))).toEqual({ content: 'Hi B "the best", you have 7 points', score: 7 });
    expect(m?.pushContent).toBe('B "the best": 7');
    const wrong = await api.postJson('message/system/publish_template', { ...body, values: [{}] });
    expect({ status: wrong.status, code: wrong.body['code'] }).toEqual({ status: 400, code: 1002 });
  });
});

describe('message/history', () => {
  it('answers an empty url for an hour without messages, 1002 for a bad date; downloads need a valid signature', async () => {
    expect(await ok('message/history', { date: '2001010100' })).toEqual({ code: 200, url: '', date: '2001010100' });
    await expectError('message/history', { date: '2024023012' }, 400, 1002);
    await expectError('message/history/delete', {}, 400, 1002);
    await ok('message/private/publish', { fromUserId: uniqueId('a'), toUserId: uniqueId('b'), objectName: 'RC:TxtMsg', content: '{"content":"log me"}' });
    const d = new Date();
    const date = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}${String(d.getHours()).padStart(2, '0')}`;
    const { url } = await ok<{ url: string }>('message/history', { date });
    expect(url.startsWith(`${server.url}/message-history/${DEFAULT_TEST_APP.key}/${date}.zip?`)).toBe(true);
    expect((await fetch(url)).headers.get('content-type')).toBe('application/zip');
    expect((await fetch(url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
    expect((await fetch(url.replace(/expires=\d+/, 'expires=1'))).status).toBe(403);
  });
});

describe('rate limits', () => {
  it('answers 429 with code 1008 beyond the app\'s limit, counting messages and refunding failed requests', async () => {
    const limited = serverApi(server.url, LIMITED_APP.key, LIMITED_APP.secret);
    const form = { fromUserId: 'a', objectName: 'RC:TxtMsg', content: '{"content":"x"}' };
    await expectError('message/private/publish', { ...form, toUserId: ['b', 'c'], content: 'bad' }, 400, 1002, limited);
    await ok('message/private/publish', { ...form, toUserId: ['b', 'c'] }, limited);
    await ok('message/private/publish', { ...form, toUserId: 'd' }, limited);
    await expectError('message/private/publish', { ...form, toUserId: 'e' }, 429, 1008, limited);
    await ok('user/checkOnline', { userId: 'a' }, limited);
    await ok('user/checkOnline', { userId: 'a' }, limited);
    await expectError('user/checkOnline', { userId: 'a' }, 429, 1008, limited);
    // Other apps and endpoints keep their own budgets.
    await ok('user/checkOnline', { userId: 'a' });
    await ok('message/private/publish', { ...form, toUserId: 'e' });
  });
});

describe('rate limits after validation', () => {
  it('a request that fails validation is not charged and gets its own error, even over the limit or above the bucket', async () => {
    const base = { fromUserId: 'a', objectName: 'RC:TxtMsg', content: '{"content":"x"}' };
    // 101 toUserId on message/system/publish (limit 100 per second): more than the bucket holds, so only
    // validation can answer it, every time.
    const tooMany = Array.from({ length: 101 }, (_, i) => `u${i}`);
    for (let i = 0; i < 3; i++) await expectError('message/system/publish', { ...base, toUserId: tooMany }, 400, 1002);
    const { content: _content, ...noContent } = base;
    await expectError('message/system/publish', { ...noContent, toUserId: tooMany }, 400, 1002);
    const template = await api.postJson('message/system/publish_template', { ...base, toUserId: tooMany, values: tooMany.map(() => ({})) });
    expect({ status: template.status, code: template.body['code'] }).toEqual({ status: 400, code: 1002 });
    await ok('message/system/publish', { ...base, toUserId: tooMany.slice(0, 100) });

    // One message an hour: bad input before and after the one accepted send takes nothing and is never 429.
    const once = serverApi(server.url, ONCE_APP.key, ONCE_APP.secret);
    await expectError('message/private/publish', { ...base, toUserId: 'b', content: 'bad' }, 400, 1002, once);
    await expectError('message/private/publish', { ...base, toUserId: ['b', 'not ok'] }, 400, 1002, once);
    await ok('message/private/publish', { ...base, toUserId: 'b' }, once);
    await expectError('message/private/publish', { ...base, toUserId: 'b', content: 'bad' }, 400, 1002, once);
    await expectError('message/private/publish', { ...base, toUserId: 'b' }, 429, 1008, once);
    await expectError('message/chatroom/publish', { ...base, toChatroomId: 'no-such-room' }, 400, 1002, once);
    await expectError('message/chatroom/publish', { ...base, toChatroomId: 'no-such-room' }, 400, 1002, once);
  });

  it('a template send checks every recipient\'s values before sending to any', async () => {
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const cb = await connect(b);
    const body = { fromUserId: a, objectName: 'RC:TxtMsg', content: '{"content":"hi","n":{n}}', toUserId: [b, c] };
    for (const values of [[{ n: 1 }, 'not an object'], [{ n: 1 }, { n: 'not a number' }]]) {
      const res = await api.postJson('message/private/publish_template', { ...body, values });
      expect({ status: res.status, code: res.body['code'] }).toEqual({ status: 400, code: 1002 });
    }
    expect(await pull(cb)).toHaveLength(0);
  });
});

describe('error envelopes', () => {
  it('1002 for bad parameters, 1004 for a bad signature or an unknown app, 1508 for a large body, 404/405 otherwise', async () => {
    await expectError('message/private/publish', { fromUserId: 'a', objectName: 'RC:TxtMsg', content: '{}' }, 400, 1002);
    const forged = await api.post('user/checkOnline', { userId: 'a' }, { headers: { Signature: 'deadbeef' } });
    expect({ status: forged.status, code: forged.body['code'] }).toEqual({ status: 401, code: 1004 });
    const stranger = serverApi(server.url, 'nosuchapp', 'whatever');
    const unknown = await stranger.post('user/checkOnline', { userId: 'a' });
    expect({ status: unknown.status, code: unknown.body['code'] }).toEqual({ status: 401, code: 1004 });
    const large = await api.post('message/private/publish', { fromUserId: 'a', toUserId: 'b', objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x'.repeat(1_200_000) }) });
    expect({ status: large.status, code: large.body['code'] }).toEqual({ status: 413, code: 1508 });
    const content = await api.post('message/private/publish', { fromUserId: 'a', toUserId: 'b', objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x'.repeat(140_000) }) });
    expect({ status: content.status, code: content.body['code'] }).toEqual({ status: 400, code: 1005 });
    const missing = await api.post('no/such/endpoint', {});
    expect({ status: missing.status, code: missing.body['code'] }).toEqual({ status: 404, code: 404 });
    const get = await fetch(`${server.url}/user/checkOnline.json`, { headers: api.signedHeaders() });
    expect(get.status).toBe(405);
  });
});
