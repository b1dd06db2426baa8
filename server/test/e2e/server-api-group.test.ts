/**
 * `group/*`, `user/group/query`, `message/group/publish`, `statusmessage/group/publish` and group recall through
 * `message/recall` (SERVER_API.md §2.2, §2.3) against the real server process: exact response field names,
 * limits (batch sizes, 3000 members by default, per-app `maxGroupMembers`, gag minutes ≤ 43200) and the 1002
 * answer for every invalid call.
 */
import { decodeByName, encodeByName } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';

const APP: TestApp = { key: 'grpapiapp', secret: 'grpapisecret' };
const SMALL: TestApp = { key: 'grpsmallapp', secret: 'grpsmallsecret', options: { maxGroupMembers: 3 } };

let server: RunningServer;
let api: ServerApiClient;
let small: ServerApiClient;
const clients: RawClient[] = [];
let seq = 0;
const unique = (name: string): string => `${name}${Date.now().toString(36)}${(seq++).toString(36)}`;
const users = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

beforeAll(async () => {
  server = await startServer({ apps: [APP, SMALL] });
  api = serverApi(server.url, APP.key, APP.secret);
  small = serverApi(server.url, SMALL.key, SMALL.secret);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.stop();
});

async function ok(path: string, form: Record<string, string | number | readonly string[]>, client = api): Promise<Record<string, unknown>> {
  const response = await client.post(path, form);
  expect({ path, status: response.status, body: response.body }).toMatchObject({ status: 200, body: { code: 200 } });
  return response.body;
}

async function bad(path: string, form: Record<string, string | number | readonly string[]>, message?: RegExp, client = api): Promise<void> {
  const response = await client.post(path, form);
  expect({ path, status: response.status, code: response.body['code'] }).toEqual({ path, status: 400, code: 1002 });
  expect(Object.keys(response.body).sort()).toEqual(['code', 'errorMessage']);
  if (message !== undefined) expect(response.body['errorMessage']).toMatch(message);
}

async function memberIds(groupId: string, client = api): Promise<string[]> {
  const body = await ok('group/user/query', { groupId }, client);
  expect(Object.keys(body).sort()).toEqual(['code', 'users']);
  return (body['users'] as { id: string }[]).map((u) => u.id).sort();
}

async function connect(userId: string): Promise<RawClient> {
  const { body } = await api.post<{ token: string }>('user/getToken', { userId, name: userId });
  const client = await connectRaw({ url: server.url, appKey: APP.key, token: body.token });
  expect(client.connack.status).toBe(0);
  clients.push(client);
  return client;
}

async function pull(client: RawClient) {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
  expect(ack.status).toBe(0);
  return decodeByName('DownStreamMessages', ack.payload).list;
}

describe('group membership endpoints', () => {
  it('create / join / quit / query / dismiss keep membership, with {code:200} only', async () => {
    const g = unique('g');
    const created = await ok('group/create', { userId: ['u1', 'u2'], groupId: g, groupName: 'Group' });
    expect(Object.keys(created)).toEqual(['code']);
    expect(await memberIds(g)).toEqual(['u1', 'u2']);
    await ok('group/join', { userId: ['u2', 'u3'], groupId: g });
    await ok('group/join', { userId: 'u4', groupId: g, groupName: 'Renamed' });
    expect(await memberIds(g)).toEqual(['u1', 'u2', 'u3', 'u4']);
    // create on an existing group adds members (create is an alias of join).
    await ok('group/create', { userId: 'u5', groupId: g, groupName: 'Group' });
    await ok('group/quit', { userId: ['u1', 'u5', 'nobody'], groupId: g });
    expect(await memberIds(g)).toEqual(['u2', 'u3', 'u4']);
    expect(await ok('user/group/query', { userId: 'u3' })).toEqual({ code: 200, groups: expect.arrayContaining([{ id: g, name: 'Group' }]) });
    await ok('group/refresh', { groupId: g, groupName: 'New name' });
    expect((await ok('user/group/query', { userId: 'u3' }))['groups']).toContainEqual({ id: g, name: 'New name' });
    await ok('group/dismiss', { userId: 'u2', groupId: g });
    expect(await memberIds(g)).toEqual([]);
    expect((await ok('user/group/query', { userId: 'u3' }))['groups']).not.toContainEqual(expect.objectContaining({ id: g }));
    // Unknown groups answer empty rather than failing.
    expect(await memberIds(unique('none'))).toEqual([]);
    await ok('group/refresh', { groupId: unique('none'), groupName: 'x' });
    await ok('group/dismiss', { userId: 'u1', groupId: unique('none') });
  });

  it('group/sync makes the listed groups exactly the user\'s groups', async () => {
    const [g1, g2, g3] = [unique('s'), unique('s'), unique('s')];
    const user = unique('syncuser');
    await ok('group/create', { userId: [user, 'other'], groupId: g1, groupName: 'one' });
    await ok('group/sync', { userId: user, [`group[${g2}]`]: 'two', [`group[${g3}]`]: 'three' });
    const groups = (await ok('user/group/query', { userId: user }))['groups'];
    expect(groups).toEqual([{ id: g2, name: 'two' }, { id: g3, name: 'three' }].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await memberIds(g1)).toEqual(['other']);
    await ok('group/sync', { userId: user });
    expect((await ok('user/group/query', { userId: user }))['groups']).toEqual([]);
    await bad('group/sync', { [`group[${g1}]`]: 'x' }, /userId/);
    await bad('group/sync', { userId: user, 'group[bad id]': 'x' }, /group\[bad id\]/);
  });

  it('enforces the member limit per app and the batch sizes', async () => {
    const g = unique('lim');
    await ok('group/create', { userId: ['a', 'b'], groupId: g, groupName: 'small' }, small);
    await bad('group/join', { userId: ['c', 'd'], groupId: g }, /exceed 3 members/, small);
    expect(await memberIds(g, small)).toEqual(['a', 'b']);
    await ok('group/join', { userId: ['a', 'c'], groupId: g }, small);
    await bad('group/join', { userId: 'e', groupId: g }, /exceed/, small);
    await bad('group/create', { userId: users('x', 4), groupId: unique('lim'), groupName: 'n' }, /exceed/, small);
    await bad('group/sync', { userId: 'z', [`group[${g}]`]: 'n' }, /exceed/, small);

    // Default app: 3000 members, at most 1000 per call.
    const big = unique('big');
    await bad('group/create', { userId: users('m', 1001), groupId: big, groupName: 'big' }, /at most 1000/);
    await bad('group/quit', { userId: users('m', 1001), groupId: big }, /at most 1000/);
    for (let i = 0; i < 3; i++) await ok('group/join', { userId: users(`m${i}-`, 1000), groupId: big });
    expect((await memberIds(big)).length).toBe(3000);
    await bad('group/join', { userId: 'one-more', groupId: big }, /exceed 3000 members/);
  });

  it('answers 1002 for missing or invalid parameters', async () => {
    await bad('group/create', { groupId: 'g', groupName: 'n' }, /userId/);
    await bad('group/create', { userId: 'u', groupName: 'n' }, /groupId/);
    await bad('group/create', { userId: 'u', groupId: 'g' }, /groupName/);
    await bad('group/create', { userId: 'u', groupId: 'bad id', groupName: 'n' }, /groupId/);
    await bad('group/create', { userId: 'u', groupId: 'g'.repeat(65), groupName: 'n' }, /groupId/);
    await bad('group/create', { userId: 'u', groupId: 'g', groupName: 'n'.repeat(65) }, /groupName/);
    await bad('group/join', { userId: 'bad user', groupId: 'g' }, /userId/);
    await bad('group/quit', { groupId: 'g' }, /userId/);
    await bad('group/dismiss', { groupId: 'g' }, /userId/);
    await bad('group/dismiss', { userId: 'u' }, /groupId/);
    await bad('group/refresh', { groupId: 'g' }, /groupName/);
    await bad('group/user/query', {}, /groupId/);
    await bad('user/group/query', {}, /userId/);
  });
});

describe('group moderation endpoints', () => {
  it('gag add / list / rollback with minutes up to 43200, per group or for every group', async () => {
    const g = unique('gag');
    const before = Date.now();
    await ok('group/user/gag/add', { userId: ['u1', 'u2'], groupId: g, minute: 43200 });
    await ok('group/user/gag/add', { userId: 'u3', minute: 0 });
    const list = await ok('group/user/gag/list', { groupId: g });
    expect(Object.keys(list).sort()).toEqual(['code', 'users']);
    const gagged = list['users'] as { userId: string; time: string; startTime: string }[];
    expect(gagged.map((u) => u.userId)).toEqual(['u1', 'u2']);
    const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
    expect(gagged[0]!.time).toMatch(DATE);
    expect(gagged[0]!.startTime).toMatch(DATE);
    const until = new Date(gagged[0]!.time.replace(' ', 'T')).getTime();
    expect(until).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 43200 * 60_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 43200 * 60_000);
    expect((await ok('group/user/gag/list', {}))['users']).toContainEqual({ userId: 'u3', time: '', startTime: expect.stringMatching(DATE) });
    await ok('group/user/gag/rollback', { userId: 'u1', groupId: g });
    expect(((await ok('group/user/gag/list', { groupId: g }))['users'] as { userId: string }[]).map((u) => u.userId)).toEqual(['u2']);
    await ok('group/user/gag/rollback', { userId: 'u3', groupId: '' });
    expect((await ok('group/user/gag/list', { groupId: '' }))['users']).not.toContainEqual(expect.objectContaining({ userId: 'u3' }));

    await bad('group/user/gag/add', { userId: 'u1', groupId: g, minute: 43201 }, /minute/);
    await bad('group/user/gag/add', { userId: 'u1', groupId: g, minute: -1 }, /minute/);
    await bad('group/user/gag/add', { userId: 'u1', groupId: g }, /minute/);
    await bad('group/user/gag/add', { userId: users('u', 21), groupId: g, minute: 1 }, /at most 20/);
    await bad('group/user/gag/add', { groupId: g, minute: 1 }, /userId/);
    await bad('group/user/gag/rollback', { groupId: g }, /userId/);
  });

  it('ban add / query / rollback and the ban whitelist', async () => {
    const [g1, g2, g3] = [unique('ban'), unique('ban'), unique('ban')];
    await ok('group/ban/add', { groupId: [g1, g2] });
    const states = await ok('group/ban/query', { groupId: [g1, g3] });
    expect(states).toEqual({ code: 200, groupinfo: [{ groupId: g1, stat: 1 }, { groupId: g3, stat: 0 }] });
    const page = (await ok('group/ban/query', { page: 1, size: 200 }))['groupinfo'] as { groupId: string; stat: number }[];
    expect(page).toEqual(expect.arrayContaining([{ groupId: g1, stat: 1 }, { groupId: g2, stat: 1 }]));
    const firstOnly = (await ok('group/ban/query', { page: 1, size: 1 }))['groupinfo'] as unknown[];
    expect(firstOnly).toHaveLength(1);
    await ok('group/ban/rollback', { groupId: g1 });
    expect((await ok('group/ban/query', { groupId: g1 }))['groupinfo']).toEqual([{ groupId: g1, stat: 0 }]);

    await ok('group/user/ban/whitelist/add', { groupId: g2, userId: ['w2', 'w1'] });
    expect(await ok('group/user/ban/whitelist/query', { groupId: g2 })).toEqual({ code: 200, userIds: ['w1', 'w2'] });
    await ok('group/user/ban/whitelist/rollback', { groupId: g2, userId: 'w1' });
    expect(await ok('group/user/ban/whitelist/query', { groupId: g2 })).toEqual({ code: 200, userIds: ['w2'] });

    await bad('group/ban/add', {}, /groupId/);
    await bad('group/ban/add', { groupId: users('g', 21) }, /at most 20/);
    await bad('group/ban/rollback', {}, /groupId/);
    await bad('group/ban/query', { size: 201 }, /size/);
    await bad('group/ban/query', { groupId: users('g', 21) }, /at most 20/);
    await bad('group/user/ban/whitelist/add', { groupId: g2 }, /userId/);
    await bad('group/user/ban/whitelist/add', { userId: 'w' }, /groupId/);
    await bad('group/user/ban/whitelist/rollback', { groupId: g2 }, /userId/);
    await bad('group/user/ban/whitelist/query', {}, /groupId/);
  });
});

describe('group message endpoints', () => {
  it('publish stores one message per group for every member (not the sender unless included) and lists {groupId, messageUID}', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const [g1, g2] = [unique('pg'), unique('pg')];
    await ok('group/create', { userId: [a, b, c], groupId: g1, groupName: 'one' });
    await ok('group/create', { userId: [b], groupId: g2, groupName: 'two' });
    const body = await ok('message/group/publish', { fromUserId: a, toGroupId: [g1, g2], objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'hello group' }) });
    expect(Object.keys(body).sort()).toEqual(['code', 'messageUIDs']);
    const uids = body['messageUIDs'] as { groupId: string; messageUID: string }[];
    expect(uids.map((u) => u.groupId)).toEqual([g1, g2]);
    const cb = await connect(b);
    const atB = await pull(cb);
    expect(atB.map((m) => [m.groupId, m.msgId, m.type, m.fromUserId])).toEqual(uids.map((u) => [u.groupId, u.messageUID, 3, a]));
    const ca = await connect(a);
    expect(await pull(ca)).toEqual([]);
    await ok('message/group/publish', { fromUserId: a, toGroupId: g1, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'mine too' }), isIncludeSender: 1 });
    expect((await pull(ca)).map((m) => [m.groupId, m.direction])).toEqual([[g1, 1]]);
  });

  it('directed publish (toUserId) and isMentioned reach only the named members, with status bit 64 for the mentioned', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = unique('dg');
    await ok('group/create', { userId: [a, b, c], groupId: g, groupName: 'd' });
    await ok('message/group/publish', { fromUserId: a, toGroupId: g, toUserId: [b, 'stranger'], objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'for b' }) });
    const mention = JSON.stringify({ content: '@c', mentionedInfo: { type: 2, userIdList: [c] } });
    await ok('message/group/publish', { fromUserId: a, toGroupId: g, objectName: 'RC:TxtMsg', content: mention, isMentioned: 1 });
    await ok('message/group/publish', { fromUserId: a, toGroupId: g, toUserId: '', objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'empty toUserId' }) });
    const atB = await pull(await connect(b));
    const atC = await pull(await connect(c));
    expect(atB.map((m) => JSON.parse(Buffer.from(m.content).toString()).content)).toEqual(['for b', '@c', 'empty toUserId']);
    expect(atC.map((m) => JSON.parse(Buffer.from(m.content).toString()).content)).toEqual(['@c', 'empty toUserId']);
    expect(atC[0]!.status & 64).toBe(64);
    expect(atB[1]!.status & 64).toBe(0);
  });

  it('status publish reaches online members only and is never stored', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const g = unique('st');
    await ok('group/create', { userId: [a, b, c], groupId: g, groupName: 's' });
    const cb = await connect(b);
    const body = await ok('statusmessage/group/publish', { fromUserId: a, toGroupId: g, objectName: 'App:Status', content: '{"s":1}' });
    const push = await cb.nextFrame((f) => f.kind === 'publish' && f.topic === 's_msg');
    const m = push.kind === 'publish' ? decodeByName('DownStreamMessage', push.payload) : undefined;
    expect(m).toMatchObject({ classname: 'App:Status', groupId: g, msgId: (body['messageUIDs'] as { messageUID: string }[])[0]!.messageUID });
    expect(await pull(cb)).toEqual([]);
    expect(await pull(await connect(c))).toEqual([]);
  });

  it('recall of a group message through message/recall reaches the members', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const g = unique('rc');
    await ok('group/create', { userId: [a, b], groupId: g, groupName: 'r' });
    const body = await ok('message/group/publish', { fromUserId: a, toGroupId: g, objectName: 'RC:TxtMsg', content: '{"content":"oops"}' });
    const uid = (body['messageUIDs'] as { messageUID: string }[])[0]!.messageUID;
    await ok('message/recall', { fromUserId: a, conversationType: 3, targetId: g, messageUID: uid, sentTime: 0 });
    const atB = await pull(await connect(b));
    expect(atB.map((m) => m.classname)).toEqual(['RC:TxtMsg', 'RC:RcCmd']);
    expect(atB[1]).toMatchObject({ type: 3, groupId: g, fromUserId: a });
    expect(JSON.parse(Buffer.from(atB[1]!.content).toString())).toMatchObject({ conversationType: 3, targetId: g, messageUId: uid });
    await bad('message/recall', { fromUserId: b, conversationType: 3, targetId: g, messageUID: uid, sentTime: 0 }, /cannot be recalled/);
  });

  it('answers 1002 for missing or invalid publish parameters', async () => {
    const base = { fromUserId: 'a', toGroupId: 'g', objectName: 'RC:TxtMsg', content: '{"content":"x"}' };
    const without = (key: keyof typeof base): Record<string, string> => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
    await bad('message/group/publish', without('fromUserId'), /fromUserId/);
    await bad('message/group/publish', without('toGroupId'), /toGroupId/);
    await bad('message/group/publish', without('objectName'), /objectName/);
    await bad('message/group/publish', without('content'), /content/);
    await bad('message/group/publish', { ...base, toGroupId: ['g1', 'g2', 'g3', 'g4'] }, /at most 3/);
    await bad('message/group/publish', { ...base, content: 'not json' }, /JSON/);
    await bad('message/group/publish', { ...base, objectName: 'X'.repeat(33) }, /objectName/);
    await bad('message/group/publish', { ...base, isMentioned: 'maybe' }, /isMentioned/);
    await bad('statusmessage/group/publish', without('toGroupId'), /toGroupId/);
  });
});
