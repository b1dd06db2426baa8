/**
 * Breadth of the Server API (SERVER_API.md §1.3, §1.4, §2.1–§2.5) against a real server process: bounds, idempotent
 * adds and removals, array and JSON forms, odd values at every endpoint (never a 5xx), the effects a client sees,
 * the recall command's fields and the publish `extraContent`.
 */
import { serverApi, type ServerApiClient, type Form } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import type { RawClient } from '../../../test/support/raw-client';
import { decodeByName as decodeFrame, encodeByName as encodeFrame } from '../../../src/internal';
import { connectUser, uniqueId, upstream as up3 } from './e2e-support';

let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [{ ...DEFAULT_TEST_APP }] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.stop();
});

type Body = Record<string, unknown> & { code: number };

async function ok<T = Body>(path: string, form: Form = {}): Promise<T & { code: number }> {
  const response = await api.post<T & { code: number }>(path, form);
  expect({ path, status: response.status, body: response.body }).toEqual({ path, status: 200, body: expect.objectContaining({ code: 200 }) });
  return response.body;
}

async function okJson<T = Body>(path: string, json: unknown): Promise<T & { code: number }> {
  const response = await api.postJson<T & { code: number }>(path, json);
  expect({ path, status: response.status, body: response.body }).toEqual({ path, status: 200, body: expect.objectContaining({ code: 200 }) });
  return response.body;
}

async function fails(path: string, form: Form, code = 1002): Promise<void> {
  const response = await api.post(path, form);
  expect({ path, form, status: response.status < 500, code: response.body['code'], keys: Object.keys(response.body).sort() }).toEqual({ path, form, status: true, code, keys: ['code', 'errorMessage'] });
}

async function failsJson(path: string, json: unknown, code = 1002): Promise<void> {
  const response = await api.postJson(path, json);
  expect({ path, json, status: response.status < 500, code: response.body['code'] }).toEqual({ path, json, status: true, code });
}

async function createRoom(): Promise<string> {
  const room = uniqueId('room');
  await ok('chatroom/create', { [`chatroom[${room}]`]: 'Room' });
  return room;
}

describe('user endpoints: bounds, idempotency, JSON arrays', () => {
  it('block minute bounds and types', async () => {
    const u = uniqueId('bk');
    await fails('user/block', { userId: u, minute: 0 });
    await fails('user/block', { userId: u, minute: 43201 });
    await fails('user/block', { userId: u, minute: 'abc' });
    await fails('user/block', { userId: u, minute: '1.5' });
    await fails('user/block', { userId: u, minute: '-5' });
    await fails('user/block', { userId: u });
    await fails('user/block', { minute: 5 });
    await fails('user/block', { userId: Array.from({ length: 21 }, (_, i) => `${u}x${i}`), minute: 5 });
    await ok('user/block', { userId: u, minute: 43200 });
    await ok('user/unblock', { userId: u });
    await ok('user/unblock', { userId: u });
    await ok('user/unblock', { userId: uniqueId('never') });
  });

  it('blacklist add twice, remove absent, limits', async () => {
    const owner = uniqueId('bo');
    const b = uniqueId('bb');
    await ok('user/blacklist/add', { userId: owner, blackUserId: b });
    await ok('user/blacklist/add', { userId: owner, blackUserId: [b, b] });
    expect((await ok<{ users: string[] }>('user/blacklist/query', { userId: owner })).users).toEqual([b]);
    await ok('user/blacklist/remove', { userId: owner, blackUserId: uniqueId('absent') });
    await fails('user/blacklist/add', { userId: owner, blackUserId: Array.from({ length: 21 }, (_, i) => `${b}x${i}`) });
    await fails('user/blacklist/add', { userId: owner });
    await fails('user/blacklist/add', { blackUserId: b });
    await fails('user/blacklist/add', { userId: owner, blackUserId: 'bad id' });
    await fails('user/blacklist/query', { userId: owner, size: 1001 });
    await fails('user/blacklist/query', { userId: owner, size: 'x' });
    await ok('user/blacklist/remove', { userId: owner, blackUserId: b });
    expect((await ok<{ users: string[] }>('user/blacklist/query', { userId: owner })).users).toEqual([]);
  });

  it('blacklist via JSON body with an array', async () => {
    const owner = uniqueId('bj');
    const [b, c] = [uniqueId('b'), uniqueId('c')];
    await okJson('user/blacklist/add', { userId: owner, blackUserId: [b, c] });
    expect((await ok<{ users: string[] }>('user/blacklist/query', { userId: owner })).users.sort()).toEqual([b, c].sort());
  });

  it('whitelist add/query/remove shape', async () => {
    const owner = uniqueId('wo');
    const w = uniqueId('ww');
    await ok('user/whitelist/add', { userId: owner, whiteUserId: w });
    await ok('user/whitelist/add', { userId: owner, whiteUserId: w });
    const q = await ok('user/whitelist/query', { userId: owner });
    expect(q).toEqual({ code: 200, users: [w] });
    await ok('user/whitelist/remove', { userId: owner, whiteUserId: [w, uniqueId('absent')] });
    expect(await ok('user/whitelist/query', { userId: owner })).toEqual({ code: 200, users: [] });
    await fails('user/whitelist/add', { userId: owner, whiteUserId: Array.from({ length: 21 }, (_, i) => `${w}x${i}`) });
  });

  it('checkOnline for an unknown user, info for unknown user', async () => {
    expect(await ok('user/checkOnline', { userId: uniqueId('ghost') })).toEqual({ code: 200, status: '0' });
    await fails('user/checkOnline', {});
    const r = await api.post('user/info', { userId: uniqueId('ghost') });
    expect(r.status).toBeLessThan(500);
  });

  it('tags limits', async () => {
    const u = uniqueId('tg');
    await failsJson('user/tag/set', { userId: u, tags: ['x'.repeat(41)] });
    await okJson('user/tag/set', { userId: u, tags: ['x'.repeat(40)] });
    await failsJson('user/tag/set', { userId: u, tags: [{ a: 1 }] });
    await failsJson('user/tag/set', { userId: u });
    await failsJson('user/tag/batch/set', { userIds: [], tags: ['a'] });
    await fails('user/tags/get', { userIds: Array.from({ length: 51 }, (_, i) => `${u}x${i}`) });
    expect(await ok('user/tags/get', { userIds: u })).toEqual({ code: 200, result: { [u]: ['x'.repeat(40)] } });
  });

  it('getToken edge cases', async () => {
    await fails('user/getToken', { userId: 'x'.repeat(65) });
    await fails('user/getToken', { userId: 'a b' });
    await fails('user/getToken', { userId: 'a/b' });
    await fails('user/getToken', { userId: 'ä' });
    await fails('user/getToken', { userId: 'u1', portraitUri: 'p'.repeat(1025) });
    await fails('user/getToken', { userId: 'u1', name: 'n'.repeat(129) });
    await failsJson('user/getToken', { userId: { x: 1 } });
    await failsJson('user/getToken', { userId: null });
    await failsJson('user/getToken', ['u']);
    const r = await api.postJson('user/getToken', { userId: 12345 });
    expect(r.body['code']).toBe(200);
  });

  it('refresh of unknown user then info', async () => {
    const u = uniqueId('rf');
    await ok('user/refresh', { userId: u, name: 'N' });
    const info = await ok('user/info', { userId: u });
    expect(info).toEqual({ code: 200, userName: 'N', userPortrait: expect.any(String), createTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
  });
});

describe('group endpoints: bounds and idempotency', () => {
  it('group validation', async () => {
    const g = uniqueId('g');
    await fails('group/create', { userId: 'u', groupId: g, groupName: 'n'.repeat(65) });
    await fails('group/create', { userId: 'u', groupId: 'g'.repeat(65), groupName: 'n' });
    await fails('group/create', { userId: 'u', groupId: g });
    await fails('group/create', { groupId: g, groupName: 'n' });
    await fails('group/refresh', { groupId: g });
    await fails('group/user/gag/add', { userId: 'u', groupId: g, minute: 43201 });
    await fails('group/user/gag/add', { userId: 'u', groupId: g, minute: -1 });
    await fails('group/user/gag/add', { userId: 'u', groupId: g });
    await fails('group/user/gag/add', { userId: Array.from({ length: 21 }, (_, i) => `u${i}`), groupId: g, minute: 1 });
    await fails('group/ban/add', { groupId: Array.from({ length: 21 }, (_, i) => `g${i}`) });
    await fails('group/ban/query', { size: 201 });
    await fails('group/dismiss', { groupId: g });
    await fails('group/user/ban/whitelist/add', { groupId: g });
  });

  it('group quit absent, dismiss absent, refresh absent', async () => {
    const g = uniqueId('g');
    await ok('group/quit', { userId: 'nobody', groupId: g });
    await ok('group/dismiss', { userId: 'nobody', groupId: g });
    const r = await api.post('group/refresh', { groupId: g, groupName: 'N' });
    expect(r.status).toBeLessThan(500);
  });

  it('group gag twice, rollback absent, list shape', async () => {
    const g = uniqueId('g');
    const u = uniqueId('u');
    await ok('group/create', { userId: u, groupId: g, groupName: 'G' });
    await ok('group/user/gag/add', { userId: u, groupId: g, minute: 5 });
    await ok('group/user/gag/add', { userId: u, groupId: g, minute: 10 });
    const list = await ok<{ users: { userId: string; time: string; startTime: string }[] }>('group/user/gag/list', { groupId: g });
    expect(list.users).toHaveLength(1);
    await ok('group/user/gag/rollback', { userId: [u, 'absent'], groupId: g });
    expect((await ok<{ users: unknown[] }>('group/user/gag/list', { groupId: g })).users).toEqual([]);
  });

  it('group ban query by ids includes non-banned as stat 0', async () => {
    const [g1, g2] = [uniqueId('g'), uniqueId('g')];
    await ok('group/ban/add', { groupId: g1 });
    await ok('group/ban/add', { groupId: g1 });
    expect(await ok('group/ban/query', { groupId: [g1, g2] })).toEqual({ code: 200, groupinfo: [{ groupId: g1, stat: 1 }, { groupId: g2, stat: 0 }] });
    await ok('group/ban/rollback', { groupId: [g1, g2] });
    expect(await ok('group/ban/query', { groupId: g1 })).toEqual({ code: 200, groupinfo: [{ groupId: g1, stat: 0 }] });
  });
});

describe('chatroom endpoints: bounds and idempotency', () => {
  it('chatroom validation', async () => {
    const room = await createRoom();
    await fails('chatroom/user/query', { chatroomId: room, order: 3 });
    await fails('chatroom/user/query', { chatroomId: room, count: 'x' });
    await fails('chatroom/user/gag/add', { chatroomId: room, userId: 'u', minute: 0 });
    await fails('chatroom/user/gag/add', { chatroomId: room, userId: 'u' });
    await fails('chatroom/user/ban/add', { userId: Array.from({ length: 21 }, (_, i) => `u${i}`), minute: 1 });
    await fails('chatroom/user/ban/add', { userId: 'u', minute: 43201 });
    await fails('chatroom/user/block/add', { chatroomId: room, userId: 'u', minute: 43201 });
    await fails('chatroom/user/block/add', { chatroomId: room, userId: 'u', minute: 0 });
    await fails('chatroom/entry/set', { chatroomId: room, userId: 'u', key: 'k'.repeat(129), value: 'v' });
    await fails('chatroom/entry/set', { chatroomId: room, userId: 'u', key: 'k', value: 'v'.repeat(4097) });
    await fails('chatroom/entry/set', { chatroomId: room, userId: 'u', key: 'bad key', value: 'v' });
    await fails('chatroom/user/whitelist/add', { chatroomId: room, userId: Array.from({ length: 6 }, (_, i) => `u${i}`) });
    await fails('chatroom/whitelist/add', { objectnames: Array.from({ length: 21 }, (_, i) => `T:${i}`) });
    await fails('chatroom/whitelist/add', { objectnames: 'x'.repeat(33) });
    await fails('chatroom/message/priority/add', {});
    await fails('chatroom/ban/add', { chatroomId: 'bad id' });
  });

  it('count=0 on user/query', async () => {
    const room = await createRoom();
    const r = await api.post('chatroom/user/query', { chatroomId: room, count: 0 });
    expect(r.status).toBeLessThan(500);
  });

  it('chatroom gag twice / rollback absent / ban idempotent', async () => {
    const room = await createRoom();
    const u = uniqueId('u');
    await ok('chatroom/user/gag/add', { chatroomId: room, userId: u, minute: 5 });
    await ok('chatroom/user/gag/add', { chatroomId: room, userId: [u, u], minute: 5 });
    expect((await ok<{ users: unknown[] }>('chatroom/user/gag/list', { chatroomId: room })).users).toHaveLength(1);
    await ok('chatroom/user/gag/rollback', { chatroomId: room, userId: 'absent' });
    await ok('chatroom/user/ban/add', { userId: u, minute: 5 });
    await ok('chatroom/user/ban/add', { userId: u, minute: 5 });
    const bans = await ok<{ users: { userId: string }[] }>('chatroom/user/ban/query');
    expect(bans.users.filter((x) => x.userId === u)).toHaveLength(1);
    await ok('chatroom/user/ban/remove', { userId: u });
    await ok('chatroom/user/ban/remove', { userId: u });
    await ok('chatroom/ban/add', { chatroomId: room });
    await ok('chatroom/ban/add', { chatroomId: room });
    expect((await ok<{ chatroomIds: string[] }>('chatroom/ban/query')).chatroomIds.filter((x) => x === room)).toHaveLength(1);
    await ok('chatroom/ban/rollback', { chatroomId: room });
    await ok('chatroom/ban/rollback', { chatroomId: room });
    expect(await ok('chatroom/ban/check', { chatroomId: room })).toEqual({ code: 200, status: 0 });
  });

  it('message priority add twice, remove absent', async () => {
    const t = `X:${uniqueId('p')}`.slice(0, 30);
    await ok('chatroom/message/priority/add', { objectName: [t, t] });
    expect((await ok<{ objectNames: string[] }>('chatroom/message/priority/query')).objectNames.filter((x) => x === t)).toHaveLength(1);
    await ok('chatroom/message/priority/remove', { objectName: [t, 'Y:absent'] });
    expect((await ok<{ objectNames: string[] }>('chatroom/message/priority/query')).objectNames).not.toContain(t);
  });

  it('entry remove absent key / query non-existent room', async () => {
    const room = await createRoom();
    const r = await api.post('chatroom/entry/remove', { chatroomId: room, userId: 'u', key: 'absent' });
    expect(r.status).toBeLessThan(500);
    await fails('chatroom/entry/query', { chatroomId: uniqueId('nope') });
  });
});

describe('sensitive words: bounds and idempotency', () => {
  it('sensitive word validation and idempotency', async () => {
    await fails('sensitiveword/add', { word: 'w'.repeat(33) });
    await fails('sensitiveword/add', {});
    await fails('sensitiveword/list', { type: 3 });
    await fails('sensitiveword/delete', {});
    const w = uniqueId('sw');
    await ok('sensitiveword/add', { word: w, replaceWord: '***' });
    await ok('sensitiveword/add', { word: w, replaceWord: '***' });
    const list = await ok<{ words: { word: string }[] }>('sensitiveword/list', { type: 2 });
    expect(list.words.filter((x) => x.word === w)).toHaveLength(1);
    await ok('sensitiveword/delete', { word: w });
    await ok('sensitiveword/delete', { word: w });
    await ok('sensitiveword/batch/delete', { words: [w, 'absent'] });
  });
});

describe('push settings, history and clean: validation', () => {
  it('blockPushPeriod validation', async () => {
    const u = uniqueId('pp');
    await fails('user/blockPushPeriod/set', { userId: u, startTime: '24:00:00', period: 10 });
    await fails('user/blockPushPeriod/set', { userId: u, startTime: '23:00', period: 10 });
    await fails('user/blockPushPeriod/set', { userId: u, startTime: '23:00:00', period: 1440 });
    await fails('user/blockPushPeriod/set', { userId: u, startTime: '23:00:00', period: -1 });
    await fails('user/blockPushPeriod/set', { userId: u, startTime: '23:00:00', period: 10, level: 2 });
    await ok('user/blockPushPeriod/set', { userId: u, startTime: '23:00:00', period: 10, level: 5 });
    expect(await ok('user/blockPushPeriod/get', { userId: u })).toEqual({ code: 200, data: { startTime: '23:00:00', period: 10, unPushLevel: 5 } });
    await ok('user/blockPushPeriod/delete', { userId: u });
    await ok('user/blockPushPeriod/delete', { userId: u });
  });

  it('history date validation', async () => {
    await fails('message/history', { date: '2024130100' });
    await fails('message/history', { date: '2024010124' });
    await fails('message/history', { date: '20240101' });
    await fails('message/history', {});
    await fails('message/history/delete', { date: 'abc' });
  });

  it('history clean validation', async () => {
    await fails('conversation/message/history/clean', { conversationType: 2, fromUserId: 'a', targetId: 'b' });
    await fails('conversation/message/history/clean', { conversationType: 1, targetId: 'b' });
    await fails('conversation/message/history/clean', { conversationType: 1, fromUserId: 'a' });
    await fails('conversation/message/history/clean', { conversationType: 1, fromUserId: 'a', targetId: 'b', msgTimestamp: 'x' });
  });
});

const ROUTES = `chatroom/ban/add chatroom/ban/check chatroom/ban/query chatroom/ban/rollback chatroom/create chatroom/create_new chatroom/destroy chatroom/destroy/set chatroom/entry/batch/set chatroom/entry/query chatroom/entry/remove chatroom/entry/set chatroom/get chatroom/keepalive/add chatroom/keepalive/query chatroom/keepalive/remove chatroom/message/priority/add chatroom/message/priority/query chatroom/message/priority/remove chatroom/message/resumeDistribution chatroom/message/stopDistribution chatroom/query chatroom/user/ban/add chatroom/user/ban/query chatroom/user/ban/remove chatroom/user/ban/whitelist/add chatroom/user/ban/whitelist/query chatroom/user/ban/whitelist/rollback chatroom/user/block/add chatroom/user/block/list chatroom/user/block/rollback chatroom/user/exist chatroom/user/gag/add chatroom/user/gag/list chatroom/user/gag/rollback chatroom/user/query chatroom/user/whitelist/add chatroom/user/whitelist/query chatroom/user/whitelist/remove chatroom/users/exist chatroom/whitelist/add chatroom/whitelist/delete chatroom/whitelist/query conversation/message/history/clean conversation/notification/get conversation/notification/set conversation/top/set conversation/type/notification/get conversation/type/notification/set group/ban/add group/ban/query group/ban/rollback group/create group/dismiss group/join group/quit group/refresh group/sync group/user/ban/whitelist/add group/user/ban/whitelist/query group/user/ban/whitelist/rollback group/user/gag/add group/user/gag/list group/user/gag/rollback group/user/query message/broadcast message/broadcast/recall message/chatroom/broadcast message/chatroom/publish message/expansion/delete message/expansion/query message/expansion/set message/group/publish message/history message/history/delete message/online/broadcast message/private/publish message/private/publish_template message/recall message/system/publish message/system/publish_template sensitiveword/add sensitiveword/batch/add sensitiveword/batch/delete sensitiveword/delete sensitiveword/list statusmessage/group/publish statusmessage/private/publish user/block user/block/query user/blockPushPeriod/delete user/blockPushPeriod/get user/blockPushPeriod/set user/chat/fb/querylist user/chat/fb/set user/checkOnline user/getToken user/group/query user/info user/refresh user/remarks/del user/remarks/get user/remarks/set user/tag/batch/set user/tag/set user/tags/get user/token/expire user/unblock v3/message/chatroom/query v3/message/group/query v3/message/private/query push user/blacklist/add user/blacklist/remove user/blacklist/query user/whitelist/add user/whitelist/remove user/whitelist/query`.split(' ');
const PARAMS = `autoDelete busChannel chatroomId content contentAvailable conversationType count date destroyTime destroyType disablePush disableUpdateLastMsg entryInfo entryOwnerId expansion extra extraContent fromUserId groupId groupName includeStart isAdmin isBan isCounted isDelete isIncludeSender isMentioned isMuted isPersisted isSyncSender key keys level messageUID minute msgTimestamp msgUID name num objectName objectnames offset order os page pageNo pageSize pageToken period portraitUri pushContent pushData pushExt remarks replaceWord requestId sentTime setTop size startTime state tags targetId time toChatroomId toGroupId toUserId type unpushLevel userId userIds value verifyBlacklist whiteUserIds word words blackUserId whiteUserId extraKeyVal extraKey values platform audience notification message fromuserid`.split(' ');

describe('no 5xx for odd JSON values (every endpoint, every parameter at once)', () => {
  const shapes: [string, (name: string) => unknown][] = [
    ['object', () => ({ a: 1 })],
    ['array of objects', () => [{}, { a: [1] }]],
    ['null', () => null],
    ['huge number', () => 1e300],
    ['empty array', () => []],
    ['nested arrays', () => [['a']]],
    ['true', () => true],
    ['"1"', () => '1'],
    ['"a"', () => 'a'],
    ['negative', () => -1],
    ['json text', (n) => (n === 'content' || n === 'entryInfo' || n === 'extraKeyVal' || n === 'pushExt' || n === 'extraContent' ? '{"a":{"b":null}}' : 'x1')],
    ['array json', (n) => (['content', 'entryInfo', 'extraKeyVal', 'extraKey', 'remarks'].includes(n) ? '[1,null,{}]' : ['a', 'b'])],
  ];
  it('never answers 5xx for odd JSON values', async () => {
    const bad: string[] = [];
    const started = Date.now();
    for (const route of ROUTES) {
      for (const [label, make] of shapes) {
        if (Date.now() - started > 60_000) break;
        const body: Record<string, unknown> = {};
        for (const name of PARAMS) body[name] = make(name);
        const response = await api.postJson(route, body);
        if (response.status >= 500 || typeof response.body['code'] !== 'number') bad.push(`${route} [${label}] → ${response.status} ${response.text.slice(0, 200)}`);
      }
    }
    expect(bad).toEqual([]);
  }, 90_000);
});

const ROUTE_PARAMS: Record<string, string[]> = {"user/chat/fb/querylist": ["num", "offset", "state", "type", "userId"], "user/chat/fb/set": ["num", "offset", "state", "type", "userId"], "user/unblock": ["minute", "page", "pageToken", "size", "time", "userId"], "user/block": ["minute", "page", "pageToken", "size", "time", "userId"], "user/block/query": ["minute", "page", "pageToken", "size", "time", "userId"], "user/token/expire": ["minute", "page", "pageToken", "size", "time", "userId"], "user/info": ["minute", "page", "pageToken", "size", "time", "userId"], "user/checkOnline": ["minute", "page", "pageToken", "size", "time", "userId"], "message/private/publish": ["content", "conversationType", "disablePush", "disableUpdateLastMsg", "expansion", "extra", "fromUserId", "isAdmin", "isCounted", "isDelete", "isIncludeSender", "isPersisted", "messageUID", "objectName", "sentTime", "targetId", "toUserId"], "message/group/publish": ["fromUserId", "isIncludeSender", "isMentioned", "objectName", "toGroupId", "toUserId"], "message/chatroom/publish": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "message/system/publish": ["content", "conversationType", "disablePush", "disableUpdateLastMsg", "expansion", "extra", "fromUserId", "isAdmin", "isCounted", "isDelete", "isIncludeSender", "isPersisted", "messageUID", "objectName", "sentTime", "targetId", "toUserId"], "message/system/publish_template": ["content", "contentAvailable", "conversationType", "extra", "fromUserId", "isAdmin", "isDelete", "messageUId", "objectName", "os", "toUserId", "verifyBlacklist"], "message/private/publish_template": ["content", "contentAvailable", "conversationType", "extra", "fromUserId", "isAdmin", "isDelete", "messageUId", "objectName", "os", "toUserId", "verifyBlacklist"], "statusmessage/group/publish": ["fromUserId", "isIncludeSender", "isMentioned", "objectName", "toGroupId", "toUserId"], "statusmessage/private/publish": ["content", "conversationType", "disablePush", "disableUpdateLastMsg", "expansion", "extra", "fromUserId", "isAdmin", "isCounted", "isDelete", "isIncludeSender", "isPersisted", "messageUID", "objectName", "sentTime", "targetId", "toUserId"], "message/expansion/query": ["conversationType", "isSyncSender", "msgUID", "pageNo", "targetId", "userId"], "message/expansion/delete": ["conversationType", "isSyncSender", "msgUID", "pageNo", "targetId", "userId"], "message/expansion/set": ["conversationType", "isSyncSender", "msgUID", "pageNo", "targetId", "userId"], "group/sync": ["groupId", "groupName", "minute", "page", "size", "userId"], "user/group/query": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/create": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/user/gag/list": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/ban/rollback": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/dismiss": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/user/query": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/user/ban/whitelist/add": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/ban/add": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/join": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/ban/query": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/user/ban/whitelist/rollback": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/user/ban/whitelist/query": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/user/gag/add": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/refresh": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/user/gag/rollback": ["groupId", "groupName", "minute", "page", "size", "userId"], "group/quit": ["groupId", "groupName", "minute", "page", "size", "userId"], "user/tag/batch/set": ["tags", "userId", "userIds"], "user/tags/get": ["tags", "userId", "userIds"], "user/tag/set": ["tags", "userId", "userIds"], "v3/message/group/query": ["busChannel", "includeStart", "pageSize", "targetId", "userId"], "v3/message/private/query": ["busChannel", "includeStart", "pageSize", "targetId", "userId"], "v3/message/chatroom/query": ["busChannel", "includeStart", "pageSize", "targetId", "userId"], "message/broadcast/recall": ["content", "conversationType", "disablePush", "disableUpdateLastMsg", "expansion", "extra", "fromUserId", "isAdmin", "isCounted", "isDelete", "isIncludeSender", "isPersisted", "messageUID", "objectName", "sentTime", "targetId", "toUserId"], "message/recall": ["content", "conversationType", "disablePush", "disableUpdateLastMsg", "expansion", "extra", "fromUserId", "isAdmin", "isCounted", "isDelete", "isIncludeSender", "isPersisted", "messageUID", "objectName", "sentTime", "targetId", "toUserId"], "user/remarks/del": ["level", "page", "period", "remarks", "size", "startTime", "targetId", "userId"], "user/remarks/get": ["level", "page", "period", "remarks", "size", "startTime", "targetId", "userId"], "user/blockPushPeriod/get": ["level", "page", "period", "remarks", "size", "startTime", "targetId", "userId"], "user/blockPushPeriod/set": ["level", "page", "period", "remarks", "size", "startTime", "targetId", "userId"], "user/blockPushPeriod/delete": ["level", "page", "period", "remarks", "size", "startTime", "targetId", "userId"], "user/remarks/set": ["level", "page", "period", "remarks", "size", "startTime", "targetId", "userId"], "chatroom/user/gag/add": ["minute", "objectName", "objectnames", "userId"], "chatroom/message/priority/query": ["minute", "objectName", "objectnames", "userId"], "chatroom/whitelist/delete": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/ban/whitelist/rollback": ["minute", "objectName", "objectnames", "userId"], "chatroom/whitelist/add": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/block/rollback": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/ban/query": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/whitelist/add": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/ban/add": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/block/list": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/ban/whitelist/add": ["minute", "objectName", "objectnames", "userId"], "chatroom/message/priority/add": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/gag/list": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/ban/whitelist/query": ["minute", "objectName", "objectnames", "userId"], "chatroom/message/priority/remove": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/block/add": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/whitelist/query": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/gag/rollback": ["minute", "objectName", "objectnames", "userId"], "chatroom/whitelist/query": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/whitelist/remove": ["minute", "objectName", "objectnames", "userId"], "chatroom/user/ban/remove": ["minute", "objectName", "objectnames", "userId"], "sensitiveword/batch/delete": ["replaceWord", "type", "word", "words"], "sensitiveword/list": ["replaceWord", "type", "word", "words"], "sensitiveword/delete": ["replaceWord", "type", "word", "words"], "sensitiveword/add": ["replaceWord", "type", "word", "words"], "sensitiveword/batch/add": ["replaceWord", "type", "word", "words"], "user/getToken": ["name", "portraitUri", "userId"], "user/refresh": ["name", "portraitUri", "userId"], "message/online/broadcast": ["content", "contentAvailable", "conversationType", "extra", "fromUserId", "isAdmin", "isDelete", "messageUId", "objectName", "os", "toUserId", "verifyBlacklist"], "message/broadcast": ["content", "contentAvailable", "conversationType", "extra", "fromUserId", "isAdmin", "isDelete", "messageUId", "objectName", "os", "toUserId", "verifyBlacklist"], "chatroom/message/stopDistribution": [], "chatroom/message/resumeDistribution": [], "chatroom/query": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/create": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/entry/remove": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/entry/set": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/keepalive/query": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/user/query": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/ban/check": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "message/chatroom/broadcast": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/ban/rollback": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/ban/add": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/destroy": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/entry/query": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/ban/query": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/entry/batch/set": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/users/exist": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/get": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/keepalive/remove": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/keepalive/add": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/user/exist": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/create_new": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "chatroom/destroy/set": ["autoDelete", "chatroomId", "content", "count", "destroyTime", "destroyType", "entryInfo", "entryOwnerId", "fromUserId", "isBan", "isIncludeSender", "key", "keys", "objectName", "order", "page", "size", "toChatroomId", "userId", "value", "whiteUserIds"], "conversation/top/set": ["busChannel", "conversationType", "fromUserId", "isMuted", "msgTimestamp", "requestId", "setTop", "targetId", "unpushLevel", "userId"], "conversation/type/notification/set": ["busChannel", "conversationType", "fromUserId", "isMuted", "msgTimestamp", "requestId", "setTop", "targetId", "unpushLevel", "userId"], "conversation/notification/get": ["busChannel", "conversationType", "fromUserId", "isMuted", "msgTimestamp", "requestId", "setTop", "targetId", "unpushLevel", "userId"], "conversation/message/history/clean": ["busChannel", "conversationType", "fromUserId", "isMuted", "msgTimestamp", "requestId", "setTop", "targetId", "unpushLevel", "userId"], "conversation/notification/set": ["busChannel", "conversationType", "fromUserId", "isMuted", "msgTimestamp", "requestId", "setTop", "targetId", "unpushLevel", "userId"], "conversation/type/notification/get": ["busChannel", "conversationType", "fromUserId", "isMuted", "msgTimestamp", "requestId", "setTop", "targetId", "unpushLevel", "userId"], "message/history": ["date"], "message/history/delete": ["date"], "push": ["platform", "audience", "notification", "message", "fromuserid"], "user/blacklist/add": ["userId", "blackUserId", "pageToken", "size"], "user/blacklist/remove": ["userId", "blackUserId", "pageToken", "size"], "user/blacklist/query": ["userId", "blackUserId", "pageToken", "size"], "user/whitelist/add": ["userId", "whiteUserId", "pageToken", "size"], "user/whitelist/remove": ["userId", "whiteUserId", "pageToken", "size"], "user/whitelist/query": ["userId", "whiteUserId", "pageToken", "size"]};

describe('no 5xx for one odd parameter in a plausible body', () => {
  it('never answers 5xx when one parameter of a plausible body is odd', async () => {
    const room = await createRoom();
    await ok('group/create', { userId: ['fz1', 'fz2'], groupId: 'fzg', groupName: 'G' });
    const base: Record<string, unknown> = {
      userId: 'fz1', fromUserId: 'fz1', toUserId: 'fz2', groupId: 'fzg', chatroomId: room, toGroupId: 'fzg', toChatroomId: room,
      objectName: 'RC:TxtMsg', content: '{"content":"hi"}', minute: 5, name: 'n', groupName: 'g', targetId: 'fz2', conversationType: 1,
      messageUID: 'ABCD-1234', msgUID: 'ABCD-1234', sentTime: Date.now(), time: 0, key: 'k', value: 'v', keys: 'k', word: 'fzword', words: ['fzword'],
      userIds: ['fz1'], tags: ['t'], date: '2024010101', requestId: 'fz1', isMuted: 1, setTop: 'true', startTime: 0, endTime: Date.now(), period: 10,
      level: 1, type: 'PERSON', state: 1, remarks: [{ id: 'fz2', remark: 'r' }], entryOwnerId: 'fz1', entryInfo: '{"a":"b"}', objectnames: 'RC:TxtMsg',
      blackUserId: 'fz2', whiteUserId: 'fz2', extraKeyVal: '{"k":"v"}', extraKey: '["k"]', platform: ['ios'], audience: { userid: ['fz1'] },
      notification: { alert: 'a' }, fromuserid: 'fz1', unpushLevel: 1, destroyType: 0, count: 10, order: 1,
    };
    const odd: [string, unknown][] = [['object', { a: 1 }], ['objects', [{}]], ['null', null], ['1e300', 1e300], ['[]', []], ['[[]]', [['a']]], ['long', 'x'.repeat(5000)], ['-1', -1], ['unicode', '\u0000\ud800'], ['float', 1.5]];
    const bad: string[] = [];
    const started = Date.now();
    for (const [route, names] of Object.entries(ROUTE_PARAMS)) {
      for (const name of names) {
        for (const [label, value] of odd) {
          if (Date.now() - started > 120_000) break;
          const response = await api.postJson(route, { ...base, [name]: value });
          if (response.status >= 500 || typeof response.body['code'] !== 'number') bad.push(`${route} ${name}=[${label}] → ${response.status} ${response.text.slice(0, 160)}`);
        }
      }
    }
    expect(bad).toEqual([]);
  }, 150_000);
});

const joinRoom = async (client: RawClient, roomId: string): Promise<number> => (await client.query('joinChrm', roomId, encodeFrame('ChrmInput', { nothing: 1 }))).status;
const sendRoom = async (client: RawClient, roomId: string): Promise<number> => (await client.publish('chatMsg', roomId, up3('RC:TxtMsg', { content: 'x' }))).status ?? -1;
const sendGroup = async (client: RawClient, groupId: string): Promise<number> => (await client.publish('pgMsgP', groupId, up3('RC:TxtMsg', { content: 'x' }))).status ?? -1;
const sendPrivate = async (client: RawClient, to: string): Promise<number> => (await client.publish('ppMsgP', to, up3('RC:TxtMsg', { content: 'x' }))).status ?? -1;

describe('chatroom moderation needNotify and extra', () => {
  it('are checked on every gag, ban, block and mute-whitelist change: 1002 when malformed, accepted when well-formed', async () => {
    const room = await createRoom();
    const u = uniqueId('nn');
    const cases: Array<[string, Form]> = [
      ['chatroom/user/gag/add', { chatroomId: room, userId: u, minute: 1 }],
      ['chatroom/user/gag/rollback', { chatroomId: room, userId: u }],
      ['chatroom/user/ban/add', { userId: u, minute: 1 }],
      ['chatroom/user/ban/remove', { userId: u }],
      ['chatroom/user/block/add', { chatroomId: room, userId: u, minute: 1 }],
      ['chatroom/user/block/rollback', { chatroomId: room, userId: u }],
      ['chatroom/user/ban/whitelist/add', { chatroomId: room, userId: u }],
      ['chatroom/user/ban/whitelist/rollback', { chatroomId: room, userId: u }],
      ['chatroom/ban/add', { chatroomId: room }],
      ['chatroom/ban/rollback', { chatroomId: room }],
    ];
    for (const [path, form] of cases) {
      await fails(path, { ...form, needNotify: 'maybe' });
      await fails(path, { ...form, extra: 'x'.repeat(4097) });
      await ok(path, { ...form, needNotify: 'true', extra: '{"why":"spam"}' });
    }
  });
});

describe('client-visible effects', () => {
  it('chatroom block of a non-member keeps them out; gag of a non-member applies once they join', async () => {
    const room = await createRoom();
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    await ok('chatroom/user/block/add', { chatroomId: room, userId: a, minute: 5 });
    await ok('chatroom/user/gag/add', { chatroomId: room, userId: b, minute: 5 });
    const ca = await connectUser(server.url, DEFAULT_TEST_APP.key, api, a, clients);
    const cb = await connectUser(server.url, DEFAULT_TEST_APP.key, api, b, clients);
    expect(await joinRoom(ca, room)).toBe(23409);
    expect(await joinRoom(cb, room)).toBe(0);
    expect(await sendRoom(cb, room)).toBe(23408);
    await ok('chatroom/user/block/rollback', { chatroomId: room, userId: a });
    expect(await joinRoom(ca, room)).toBe(0);
  });

  it('group gag minute=0 lasts until lifted, listed with an empty time', async () => {
    const g = uniqueId('g');
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    await ok('group/create', { userId: [a, b], groupId: g, groupName: 'G' });
    await ok('group/user/gag/add', { userId: a, groupId: g, minute: 0 });
    const ca = await connectUser(server.url, DEFAULT_TEST_APP.key, api, a, clients);
    expect(await sendGroup(ca, g)).toBe(22408);
    const list = await ok<{ users: { userId: string; time: string }[] }>('group/user/gag/list', { groupId: g });
    expect(list.users.map((u) => [u.userId, u.time])).toEqual([[a, '']]);
  });

  it('blacklist removal lets the sender through again at once; a dismissed and re-created group starts clean', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const cb = await connectUser(server.url, DEFAULT_TEST_APP.key, api, b, clients);
    await ok('user/blacklist/add', { userId: a, blackUserId: b });
    expect(await sendPrivate(cb, a)).toBe(405);
    await ok('user/blacklist/remove', { userId: a, blackUserId: b });
    expect(await sendPrivate(cb, a)).toBe(0);

    const g = uniqueId('g');
    await ok('group/create', { userId: [a, b], groupId: g, groupName: 'G' });
    await ok('group/ban/add', { groupId: g });
    await ok('group/user/gag/add', { userId: b, groupId: g, minute: 5 });
    await ok('group/dismiss', { userId: a, groupId: g });
    await ok('group/create', { userId: [b], groupId: g, groupName: 'G2' });
    expect(await ok('group/ban/query', { groupId: g })).toEqual({ code: 200, groupinfo: [{ groupId: g, stat: 0 }] });
    expect(await sendGroup(cb, g)).toBe(0);
    expect(await ok('group/user/query', { groupId: g })).toEqual({ code: 200, users: [{ id: b }] });
  });

  it('user/block takes the user offline for checkOnline', async () => {
    const a = uniqueId('a');
    const ca = await connectUser(server.url, DEFAULT_TEST_APP.key, api, a, clients);
    expect(ca.connack.status).toBe(0);
    expect((await ok('user/checkOnline', { userId: a }))['status']).toBe('1');
    await ok('user/block', { userId: a, minute: 1 });
    await ca.closed;
    const deadline = Date.now() + 3000;
    let status = '1';
    while (Date.now() < deadline && status !== '0') {
      status = (await ok<{ status: string }>('user/checkOnline', { userId: a })).status;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('0');
    await ok('user/unblock', { userId: a });
  });
});

async function pullInbox(client: RawClient): Promise<{ objectName: string; type: number; content: Record<string, unknown> }[]> {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeFrame('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
  expect(ack.status).toBe(0);
  return decodeFrame('DownStreamMessages', ack.payload).list.map((m) => ({
    objectName: m.classname,
    type: m.type,
    content: JSON.parse(Buffer.from(m.content).toString('utf8')) as Record<string, unknown>,
  }));
}

describe('message/recall parameters', () => {
  it('message/recall carries isAdmin, isDelete and extra into the RC:RcCmd, as message/broadcast/recall does', async () => {
    // SERVER_API.md §2.2 `message/recall`: `isAdmin` (0/1), `isDelete` (0/1), `extra`… "Sends an RC:RcCmd recall command";
    // message/broadcast/recall (same section, same parameters) puts them in the command (docs/server-api-coverage.md "Broadcast recall").
    const [a, b] = [uniqueId('ra'), uniqueId('rb')];
    const cb = await connectUser(server.url, DEFAULT_TEST_APP.key, api, b, clients);
    const sent = await ok<{ messageUIDs: { messageUID: string }[] }>('message/private/publish', { fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'oops' }) });
    const uid = sent.messageUIDs[0]!.messageUID;
    await ok('message/recall', { fromUserId: a, conversationType: 1, targetId: b, messageUID: uid, sentTime: 0, isAdmin: 1, isDelete: 1, extra: 'mistake' });
    const inbox = await pullInbox(cb);
    const command = inbox.find((m) => m.objectName === 'RC:RcCmd');
    expect(command?.content).toEqual(expect.objectContaining({ messageUId: uid, isAdmin: 1, isDelete: 1, extra: 'mistake' }));
  });

  it('message/recall refuses a malformed isDelete, disablePush or disableUpdateLastMsg with 1002, as message/broadcast/recall does', async () => {
    // §1.3 flags are "0"/"1" or "true"/"false"; message/broadcast/recall answers 1002 for isDelete=maybe.
    const [a, b] = [uniqueId('ra'), uniqueId('rb')];
    const sent = await ok<{ messageUIDs: { messageUID: string }[] }>('message/private/publish', { fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'oops' }) });
    const uid = sent.messageUIDs[0]!.messageUID;
    await fails('message/broadcast/recall', { fromUserId: a, messageUID: uid, isDelete: 'maybe' });
    await fails('message/recall', { fromUserId: a, conversationType: 1, targetId: b, messageUID: uid, isDelete: 'maybe' });
    await fails('message/recall', { fromUserId: a, conversationType: 1, targetId: b, messageUID: uid, disablePush: 'maybe' });
    await fails('message/recall', { fromUserId: a, conversationType: 1, targetId: b, messageUID: uid, disableUpdateLastMsg: 'maybe' });
    await fails('message/recall', { fromUserId: a, conversationType: 1, targetId: b, messageUID: uid, extra: 'x'.repeat(4097) });
  });
});

describe('publish extraContent', () => {
  it('message/private/publish refuses an extraContent that is not a JSON object of valid expansion keys with 1002', async () => {
    // SERVER_API.md §2.2 common publish params: `extraContent` (JSON); message/expansion/set refuses the same data with 1002
    // ("extraKeyVal must be JSON", key alphabet [A-Za-z0-9_=+-]). It was stored as is, and expansion/query answered {}
    // while v3/message/private/query handed back "not json".
    const [a, b] = [uniqueId('xa'), uniqueId('xb')];
    const base = { fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }), expansion: 'true' };
    await fails('message/private/publish', { ...base, extraContent: 'not json' });
    await fails('message/private/publish', { ...base, extraContent: '{"bad key":"v"}' });
    await fails('message/private/publish', { ...base, extraContent: '["a"]' });
    await fails('message/private/publish', { ...base, extraContent: '{"k":{"nested":1}}' });
    await fails('message/private/publish', { ...base, extraContent: JSON.stringify({ k: 'v'.repeat(4097) }) });
    await fails('message/expansion/set', { msgUID: 'x', userId: b, conversationType: 1, targetId: a, extraKeyVal: 'not json' });
  });

  it('a plain {"key": "value"} extraContent reaches clients and expansion/query in the wire form {"key":{"v":"value"}}', async () => {
    const [a, b] = [uniqueId('xa'), uniqueId('xb')];
    const cb = await connectUser(server.url, DEFAULT_TEST_APP.key, api, b, clients);
    const sent = await ok<{ messageUIDs: { messageUID: string }[] }>('message/private/publish', {
      fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }), expansion: 'true', extraContent: JSON.stringify({ type: '3', n: 7 }),
    });
    const uid = sent.messageUIDs[0]!.messageUID;
    const ack = await cb.query('pullMsg', b, encodeFrame('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
    const pulled = decodeFrame('DownStreamMessages', ack.payload).list.find((m) => m.msgId === uid);
    expect(JSON.parse(pulled?.extraContent ?? '{}')).toEqual({ type: { v: '3' }, n: { v: '7' } });
    expect(await ok('message/expansion/query', { msgUID: uid })).toEqual({ code: 200, extraContent: { type: { v: '3' }, n: { v: '7' } } });
  });
});

describe('text parameters: U+0000 and lone surrogates (the same rule on SQLite and PostgreSQL)', () => {
  const NUL = 'a\u0000b';

  async function refused(path: string, form: Form, parameter: string): Promise<void> {
    const response = await api.post(path, form);
    expect({ path, status: response.status, body: response.body }).toEqual({ path, status: 400, body: { code: 1002, errorMessage: expect.stringContaining(`${parameter} must not contain U+0000`) } });
  }

  async function refusedJson(path: string, json: unknown, parameter: string): Promise<void> {
    const response = await api.postJson(path, json);
    expect({ path, status: response.status, body: response.body }).toEqual({ path, status: 400, body: { code: 1002, errorMessage: expect.stringContaining(`${parameter} must not contain U+0000`) } });
  }

  it('a raw U+0000 in any form parameter is refused with 1002 naming the parameter, and nothing is stored', async () => {
    const [u, v, g, r] = [uniqueId('nu'), uniqueId('nv'), uniqueId('ng'), uniqueId('nr')];
    await refused('user/getToken', { userId: u, name: NUL, portraitUri: 'p' }, 'name');
    expect((await api.post('user/info', { userId: u })).body['userName']).toBeUndefined();
    await ok('user/getToken', { userId: u, name: 'u', portraitUri: 'p' });
    await refused('user/refresh', { userId: u, portraitUri: NUL }, 'portraitUri');
    await refused('group/create', { userId: u, groupId: g, groupName: NUL }, 'groupName');
    expect((await ok<{ groups: unknown[] }>('user/group/query', { userId: u })).groups).toEqual([]);
    await ok('group/create', { userId: u, groupId: g, groupName: 'g' });
    await refused('group/refresh', { groupId: g, groupName: NUL }, 'groupName');
    const synced = uniqueId('ns');
    await refused('group/sync', { userId: u, [`group[${synced}]`]: NUL }, `group[${synced}]`);
    const publish = { fromUserId: u, toUserId: v, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }) };
    await refused('message/private/publish', { ...publish, pushContent: NUL }, 'pushContent');
    await refused('message/private/publish', { ...publish, pushData: NUL }, 'pushData');
    await refused('message/private/publish', { ...publish, objectName: 'X:a\u0000b' }, 'objectName');
    await refused('message/private/publish', { ...publish, toUserId: [v, NUL] }, 'toUserId[1]');
    await refused('chatroom/create', { [`chatroom[${r}]`]: NUL }, `chatroom[${r}]`);
    await ok('chatroom/create', { [`chatroom[${r}]`]: 'room' });
    await refused('chatroom/entry/set', { chatroomId: r, userId: u, key: 'k1', value: NUL, autoDelete: 0 }, 'value');
    expect((await ok<{ keys: unknown[] }>('chatroom/entry/query', { chatroomId: r })).keys).toEqual([]);
    await refused('sensitiveword/add', { word: `${uniqueId('w')}\u0000`, replaceWord: 'r' }, 'word');
    await refused('conversation/notification/set', { requestId: u, conversationType: 1, targetId: NUL, isMuted: 1 }, 'targetId');
    await refused('conversation/notification/get', { requestId: u, conversationType: 1, targetId: NUL }, 'targetId');
    await refused('conversation/message/history/clean', { conversationType: 1, fromUserId: u, targetId: NUL, msgTimestamp: Date.now() }, 'targetId');
    // A parameter name holding U+0000 is refused too (its NUL shown escaped).
    await refused('chatroom/create', { [`chatroom[x\u0000y]`]: 'room' }, 'chatroom[x\\u0000y]');
  });

  it('JSON bodies: a raw U+0000 in any string, nested ones included, is refused with 1002 naming its path', async () => {
    const u = uniqueId('nj');
    await refusedJson('user/tag/set', { userId: u, tags: ['ok', NUL] }, 'tags[1]');
    expect((await ok<{ result: Record<string, unknown> }>('user/tags/get', { userIds: u })).result).toEqual({ [u]: [] });
    const now = Date.now();
    await refusedJson('v3/message/private/query', { userId: u, targetId: NUL, startTime: now - 60_000, endTime: now, pageSize: 10 }, 'targetId');
    await refusedJson('user/getToken', { userId: u, name: NUL, portraitUri: 'p' }, 'name');
  });

  it('JSON texts whose strings are stored one by one (remarks, entryInfo) refuse an escaped \\u0000 in them', async () => {
    const [u, v, r] = [uniqueId('nk'), uniqueId('nl'), uniqueId('nm')];
    await refused('user/remarks/set', { userId: u, remarks: JSON.stringify([{ id: v, remark: NUL }]) }, 'remarks[0].remark');
    expect((await ok<{ total: number }>('user/remarks/get', { userId: u })).total).toBe(0);
    await ok('chatroom/create', { [`chatroom[${r}]`]: 'room' });
    await refused('chatroom/entry/batch/set', { chatroomId: r, autoDelete: 0, entryOwnerId: u, entryInfo: JSON.stringify({ k: NUL }) }, 'entryInfo.k');
  });

  it('an escaped \\u0000 inside a JSON-text parameter (content, extraContent) is not a raw U+0000: accepted and delivered as sent', async () => {
    const [a, b] = [uniqueId('ne'), uniqueId('nf')];
    const cb = await connectUser(server.url, DEFAULT_TEST_APP.key, api, b, clients);
    const content = '{"content":"a\\u0000b"}';
    const sent = await ok<{ messageUIDs: { messageUID: string }[] }>('message/private/publish', { fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content, expansion: 'true', extraContent: JSON.stringify({ k: NUL }) });
    const uid = sent.messageUIDs[0]!.messageUID;
    const ack = await cb.query('pullMsg', b, encodeFrame('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
    const pulled = decodeFrame('DownStreamMessages', ack.payload).list.find((m) => m.msgId === uid);
    expect(Buffer.from(pulled?.content ?? new Uint8Array()).toString('utf8')).toBe(content);
    expect(JSON.parse(pulled?.extraContent ?? '{}')).toEqual({ k: { v: NUL } });
  });

  it('a lone surrogate in a string parameter is stored as one U+FFFD (JSON bodies and JSON texts alike)', async () => {
    const [u, v] = [uniqueId('ns'), uniqueId('nt')];
    await okJson('user/getToken', { userId: u, name: 'x\ud800y', portraitUri: 'p\udc00' });
    expect(await ok('user/info', { userId: u })).toEqual(expect.objectContaining({ userName: 'x\ufffdy', userPortrait: 'p\ufffd' }));
    await okJson('user/tag/set', { userId: u, tags: ['t\ud83d'] });
    expect((await ok<{ result: Record<string, string[]> }>('user/tags/get', { userIds: u })).result[u]).toEqual(['t\ufffd']);
    await ok('user/remarks/set', { userId: u, remarks: '[{"id":"' + v + '","remark":"r\\ud800s"}]' });
    expect((await ok<{ users: { id: string; remark: string }[] }>('user/remarks/get', { userId: u })).users).toEqual([{ id: v, remark: 'r\ufffds' }]);
    // A surrogate pair is not lone: kept as it is.
    await okJson('user/refresh', { userId: u, name: '😀\ud83d\ude00' });
    expect((await ok('user/info', { userId: u }))['userName']).toBe('😀😀');
  });
});
