/**
 * Users and conversations through the signed Server API against the real server (SERVER_API.md §2.1, §2.5):
 * block (DISCONNECT BLOCK now, CONNACK 9 until unblocked), blacklist (405 on private sends, `verifyBlacklist`
 * for API sends), whitelist mode (407), online check, user info, DND and top with the owner's devices told.
 */
import { decodeByName, encodeByName, type DisconnectFrame, type PublishFrame } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { connectUser, isPush, tokenFor, uniqueId, upstream } from './e2e-support';

const WHITELIST_APP = { key: 'lxwhitelist', secret: 'lxwhitelistsecret', options: { whitelistMode: true, userListMax: 3 } };
let server: RunningServer;
let api: ServerApiClient;
let wl: ServerApiClient;
const clients: RawClient[] = [];

async function ok<T = Record<string, unknown>>(client: ServerApiClient, path: string, form: Record<string, string | number | readonly string[]>): Promise<T & { code: number }> {
  const response = await client.post<T & { code: number }>(path, form);
  expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 200, code: 200 });
  return response.body;
}

const connect = (userId: string, app = DEFAULT_TEST_APP.key, client = api): Promise<RawClient> => connectUser(server.url, app, client, userId, clients);

beforeAll(async () => {
  server = await startServer({ apps: [{ ...DEFAULT_TEST_APP, options: { multiDevice: true } }, WHITELIST_APP] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  wl = serverApi(server.url, WHITELIST_APP.key, WHITELIST_APP.secret);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('user/block', () => {
  it('disconnects every session with BLOCK, refuses reconnects with CONNACK 9 until unblocked', async () => {
    const a = uniqueId('blk');
    const first = await connect(a);
    const second = await connect(a);
    expect([first.connack.status, second.connack.status]).toEqual([0, 0]);
    await ok(api, 'user/block', { userId: a, minute: 5 });
    for (const client of [first, second]) {
      const frame = await client.nextFrame<DisconnectFrame>((f) => f.kind === 'disconnect');
      expect(frame.reason).toBe(2);
      await client.closed;
    }
    const token = await tokenFor(api, a);
    const refused = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token });
    clients.push(refused);
    expect(refused.connack.status).toBe(9);

    const query = await ok<{ users: { userId: string; blockEndTime: string }[] }>(api, 'user/block/query', { page: 1, size: 100 });
    const entry = query.users.find((u) => u.userId === a);
    expect(entry?.blockEndTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    await ok(api, 'user/unblock', { userId: a });
    expect((await ok<{ users: { userId: string }[] }>(api, 'user/block/query', {})).users.some((u) => u.userId === a)).toBe(false);
    const back = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token });
    clients.push(back);
    expect(back.connack.status).toBe(0);
  });

  it('blocks users who never called getToken, and validates minute and the id count', async () => {
    await ok(api, 'user/block', { userId: [uniqueId('x'), uniqueId('y')], minute: 43_200 });
    for (const minute of [0, 43_201, 'ten']) expect((await api.post('user/block', { userId: 'u', minute })).body).toMatchObject({ code: 1002 });
    expect((await api.post('user/block', { userId: Array.from({ length: 21 }, (_, i) => `u${i}`), minute: 1 })).body).toMatchObject({ code: 1002 });
    expect((await api.post('user/block', { minute: 1 })).status).toBe(400);
  });
});

describe('user/checkOnline and user/info', () => {
  it('reports "1" while a session is open and "0" after; info has the profile fields', async () => {
    const a = uniqueId('on');
    expect(await ok(api, 'user/checkOnline', { userId: a })).toMatchObject({ status: '0' });
    const client = await connect(a);
    expect(await ok(api, 'user/checkOnline', { userId: a })).toMatchObject({ status: '1' });
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await ok(api, 'user/checkOnline', { userId: a })).toMatchObject({ status: '0' });
    expect(await ok(api, 'user/info', { userId: a })).toEqual({
      code: 200,
      userName: a,
      userPortrait: 'http://example.com/p.png',
      createTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
    });
    expect((await api.post('user/info', { userId: uniqueId('nobody') })).body).toMatchObject({ code: 1002 });
  });
});

describe('blacklist', () => {
  it('refuses private sends from a blacklisted sender with 405 (other conversation types unaffected)', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    await ok(api, 'user/blacklist/add', { userId: b, blackUserId: [a] });
    expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'hi' }))).status).toBe(405);
    // b may still write to a, and a to itself.
    expect((await cb.publish('ppMsgP', a, upstream('RC:TxtMsg', { content: 'yo' }))).status).toBe(0);
    expect((await ca.publish('ppMsgP', a, upstream('RC:TxtMsg', { content: 'me' }))).status).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cb.frames.filter(isPush('s_ntf'))).toHaveLength(0);

    await ok(api, 'user/blacklist/remove', { userId: b, blackUserId: a });
    expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'again' }))).status).toBe(0);
    await cb.nextFrame<PublishFrame>(isPush('s_ntf'));
  });

  it('applies to Server API sends only with verifyBlacklist=1, leaving refusing recipients out', async () => {
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    await ok(api, 'user/blacklist/add', { userId: b, blackUserId: a });
    const form = { fromUserId: a, toUserId: [b, c], objectName: 'RC:TxtMsg', content: '{"content":"x"}' };
    expect((await ok<{ messageUIDs: { userId: string }[] }>(api, 'message/private/publish', form)).messageUIDs.map((m) => m.userId)).toEqual([b, c]);
    expect((await ok<{ messageUIDs: { userId: string }[] }>(api, 'message/private/publish', { ...form, verifyBlacklist: 1 })).messageUIDs.map((m) => m.userId)).toEqual([c]);
  });

  it('pages with pageToken/size and answers the documented shape', async () => {
    const owner = uniqueId('o');
    await ok(api, 'user/blacklist/add', { userId: owner, blackUserId: ['u3', 'u1', 'u2'] });
    expect(await ok(api, 'user/blacklist/query', { userId: owner })).toEqual({ code: 200, users: ['u1', 'u2', 'u3'] });
    const page = await ok<{ users: string[]; next: string }>(api, 'user/blacklist/query', { userId: owner, size: 2 });
    expect(page).toEqual({ code: 200, users: ['u1', 'u2'], next: 'u2' });
    expect(await ok(api, 'user/blacklist/query', { userId: owner, size: 2, pageToken: page.next })).toEqual({ code: 200, users: ['u3'] });
    expect((await api.post('user/blacklist/add', { userId: owner })).body).toMatchObject({ code: 1002 });
    expect((await api.post('user/blacklist/add', { userId: owner, blackUserId: Array.from({ length: 21 }, (_, i) => `v${i}`) })).body).toMatchObject({ code: 1002 });
  });
});

describe('whitelist mode', () => {
  it('lets a sender through only when the recipient whitelisted it (407 otherwise), capped by userListMax', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(a, WHITELIST_APP.key, wl);
    await connect(b, WHITELIST_APP.key, wl);
    expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'hi' }))).status).toBe(407);
    await ok(wl, 'user/whitelist/add', { userId: b, whiteUserId: a });
    expect(await ok(wl, 'user/whitelist/query', { userId: b })).toEqual({ code: 200, users: [a] });
    expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'hi' }))).status).toBe(0);
    await ok(wl, 'user/whitelist/remove', { userId: b, whiteUserId: a });
    expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'hi' }))).status).toBe(407);

    await ok(wl, 'user/whitelist/add', { userId: b, whiteUserId: ['w1', 'w2', 'w3'] });
    await ok(wl, 'user/whitelist/add', { userId: b, whiteUserId: ['w1'] });
    const over = await wl.post('user/whitelist/add', { userId: b, whiteUserId: 'w4' });
    expect({ status: over.status, code: over.body['code'] }).toEqual({ status: 400, code: 1502 });
  });
});

describe('conversation settings', () => {
  it('DND set/get and top set change the owner\'s states and tell its sessions (s_cmd type 3)', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(a);
    await ok(api, 'conversation/notification/set', { requestId: a, conversationType: 1, targetId: b, isMuted: 1 });
    const cmd = await ca.nextFrame<PublishFrame>(isPush('s_cmd'));
    expect(decodeByName('NotifyMsg', cmd.payload).type).toBe(3);
    expect(await ok(api, 'conversation/notification/get', { requestId: a, conversationType: 1, targetId: b })).toMatchObject({ isMuted: 1 });
    await ok(api, 'conversation/top/set', { userId: a, conversationType: 1, targetId: b, setTop: 'true' });
    const states = decodeByName('SessionStates', (await ca.query('pullSeAtts', a, encodeByName('SessionReq', { time: 0 }))).payload);
    const items = states.state?.[0]?.stateItem?.map((i) => [i.sessionStateType, i.value]);
    expect(items).toEqual(expect.arrayContaining([[1, '1'], [2, '1']]));

    await ok(api, 'conversation/notification/set', { requestId: a, conversationType: 1, targetId: b, unpushLevel: -1 });
    expect(await ok(api, 'conversation/notification/get', { requestId: a, conversationType: 1, targetId: b })).toMatchObject({ isMuted: 0 });
    expect((await api.post('conversation/top/set', { userId: a, conversationType: 1, targetId: b })).body).toMatchObject({ code: 1002 });
    expect((await api.post('conversation/notification/set', { requestId: a, conversationType: 99, targetId: b, isMuted: 1 })).body).toMatchObject({ code: 1002 });
  });

  it('notification/set without isMuted and without unpushLevel answers 1002 and leaves the mute as it was', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const conversation = { requestId: a, conversationType: 1, targetId: b };
    await ok(api, 'conversation/notification/set', { ...conversation, isMuted: 1 });
    for (const form of [conversation, { ...conversation, isMuted: '' }, { ...conversation, busChannel: '' }]) {
      const response = await api.post('conversation/notification/set', form);
      expect({ status: response.status, code: response.body['code'], errorMessage: response.body['errorMessage'] }).toEqual({ status: 400, code: 1002, errorMessage: 'isMuted is required' });
    }
    expect(await ok(api, 'conversation/notification/get', conversation)).toEqual({ code: 200, isMuted: 1, unpushLevel: 5 });
    // Either parameter alone still works.
    await ok(api, 'conversation/notification/set', { ...conversation, unpushLevel: 0 });
    expect(await ok(api, 'conversation/notification/get', conversation)).toMatchObject({ isMuted: 0 });
    await ok(api, 'conversation/notification/set', { ...conversation, isMuted: 'true' });
    expect(await ok(api, 'conversation/notification/get', conversation)).toMatchObject({ isMuted: 1 });
  });

  it('type/notification set/get keep an owner\'s unpushLevel per conversation type; bad input answers 1002 and changes nothing', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const get = (requestId: string, conversationType: number) => ok(api, 'conversation/type/notification/get', { requestId, conversationType });
    expect(await get(a, 1)).toEqual({ code: 200, unpushLevel: 0, isMuted: 0 });
    await ok(api, 'conversation/type/notification/set', { requestId: a, conversationType: 3, unpushLevel: 1 });
    await ok(api, 'conversation/type/notification/set', { requestId: a, conversationType: 1, unpushLevel: -1 });
    expect(await get(a, 3)).toEqual({ code: 200, unpushLevel: 1, isMuted: 1 });
    expect(await get(a, 1)).toEqual({ code: 200, unpushLevel: -1, isMuted: 0 });
    // Scoped to the owner and the type; per-conversation DND is a different setting.
    expect(await get(b, 3)).toMatchObject({ unpushLevel: 0 });
    expect(await get(a, 6)).toMatchObject({ unpushLevel: 0 });
    expect(await ok(api, 'conversation/notification/get', { requestId: a, conversationType: 3, targetId: 'g1' })).toMatchObject({ isMuted: 0 });
    for (const form of [
      { requestId: a, conversationType: 3 },
      { requestId: a, conversationType: 3, unpushLevel: '' },
      { requestId: a, conversationType: 3, unpushLevel: 3 },
      { requestId: a, conversationType: 3, unpushLevel: 6 },
      { requestId: a, conversationType: 3, unpushLevel: 'x' },
      { requestId: a, conversationType: 0, unpushLevel: 5 },
      { requestId: '', conversationType: 3, unpushLevel: 5 },
    ]) {
      const response = await api.post('conversation/type/notification/set', form);
      expect({ form, status: response.status, code: response.body['code'] }).toEqual({ form, status: 400, code: 1002 });
    }
    expect((await api.post('conversation/type/notification/get', { requestId: a })).body).toMatchObject({ code: 1002 });
    expect(await get(a, 3)).toMatchObject({ unpushLevel: 1 });
    await ok(api, 'conversation/type/notification/set', { requestId: a, conversationType: 3, unpushLevel: 0 });
    expect(await get(a, 3)).toEqual({ code: 200, unpushLevel: 0, isMuted: 0 });
  });
});
