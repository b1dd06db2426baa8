/**
 * User tags, `push`, chatroom distribution and the discussion publish, driven by RongCloud's own Node server SDK
 * (`rongcloud-sdk@3.1.1`, unchanged) against the real server process, with the effect checked on raw CMP clients:
 * a tag push reaches exactly the users carrying the tags (online at once, offline at their next sync), a
 * notification-only push reaches nobody in-app, a stopped chatroom delivers no member message until resumed.
 * Bad input gets the documented envelope (1002, HTTP 400) from our signed client.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE_NAME } from '../../src/config';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { PushRecord } from '../../src/store/push-repository';
import { decodeByName, encodeByName, type PublishFrame } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { drain, joinOk, roomNotify, send as sendToRoom } from './chatroom-support';
import { connectUser, isPush, text, uniqueId } from './e2e-support';

type Call = (input?: unknown) => Promise<Record<string, unknown>>;
interface Sdk {
  readonly User: { readonly Tag: { readonly set: Call; readonly remove: Call; readonly batchSet: Call; readonly batchRemove: Call; readonly getList: Call } };
  readonly Push: { readonly push: Call; readonly message: Call };
  readonly Chatroom: { readonly create: Call; readonly Distribute: { readonly stop: Call; readonly resume: Call } };
  readonly Message: { readonly Chatroom: { readonly send: Call }; readonly Discussion: { readonly send: Call; readonly recall: Call } };
}

// Pushes are limited to a few per hour by RongCloud; this app lifts that so one run may push many times.
const APP: TestApp = { key: 'lxpushapp', secret: 'lxpushsecret', options: { 'rate.push': 'off', chrmMulti: 1 } };
const LIMITED: TestApp = { key: 'lxpushlimited', secret: 'lxpushsecret', options: { 'rate.push': '1/h' } };
const load = createRequire(__filename);
let server: RunningServer;
let rc: Sdk;
let api: ServerApiClient;
const clients: RawClient[] = [];

async function ok(call: Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const res = await call;
  expect(res).toMatchObject({ code: 200 });
  return res;
}

const connect = async (userId: string): Promise<RawClient> => {
  const client = await connectUser(server.url, APP.key, api, userId, clients);
  expect(client.connack.status).toBe(0);
  return client;
};

async function pull(client: RawClient) {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
  return decodeByName('DownStreamMessages', ack.payload).list;
}

/** The system messages from `from` in the client's sync, as `{msgId, content}`. */
async function systemFrom(client: RawClient, from: string): Promise<{ msgId: string; content: unknown; classname: string }[]> {
  return (await pull(client))
    .filter((m) => m.type === 6 && m.fromUserId === from)
    .map((m) => ({ msgId: m.msgId ?? '', content: JSON.parse(text(m.content)) as unknown, classname: m.classname }));
}

/** The push record as the server stored it, read through a second store on the server's database file. */
async function storedPush(id: string): Promise<PushRecord | undefined> {
  const store = createSqliteStore({ file: join(server.dataDir, DB_FILE_NAME) });
  try {
    return await store.pushes.get(APP.key, id);
  } finally {
    await store.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = await startServer({ apps: [APP, LIMITED] });
  api = serverApi(server.url, APP.key, APP.secret);
  const init = load('rongcloud-sdk') as (config: { appkey: string; secret: string; api: string }) => Sdk;
  rc = init({ appkey: APP.key, secret: APP.secret, api: server.url });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('User.Tag (rongcloud-sdk)', () => {
  it('set, batchSet, getList (renamed result → tags), remove and batchRemove', async () => {
    const [u1, u2, u3] = [uniqueId('t'), uniqueId('t'), uniqueId('t')];
    await ok(rc.User.Tag.set({ id: u1, tags: ['young', 'female', 'young'] }));
    await ok(rc.User.Tag.batchSet({ users: [{ id: u2 }, { id: u3 }], tags: ['beijing'] }));
    expect((await ok(rc.User.Tag.getList([{ id: u1 }, { id: u2 }, { id: u3 }])))['tags']).toEqual({ [u1]: ['young', 'female'], [u2]: ['beijing'], [u3]: ['beijing'] });
    await ok(rc.User.Tag.set({ id: u1, tags: ['old'] }));
    await ok(rc.User.Tag.remove({ id: u2 }));
    expect((await ok(rc.User.Tag.getList([{ id: u1 }, { id: u2 }])))['tags']).toEqual({ [u1]: ['old'], [u2]: [] });
    await ok(rc.User.Tag.batchRemove({ users: [{ id: u1 }, { id: u3 }] }));
    expect((await ok(rc.User.Tag.getList({ id: u3 })))['tags']).toEqual({ [u3]: [] });
  });

  it('refuses bad input with 1002: missing tags, > 20 tags, a tag > 40 bytes, bad user ids, > 50 users queried', async () => {
    const u = uniqueId('t');
    const fails = async (path: string, body: unknown, json = true): Promise<void> => {
      const res = json ? await api.postJson(path, body) : await api.post(path, body as Record<string, string[]>);
      expect({ path, status: res.status, code: res.body['code'] }).toEqual({ path, status: 400, code: 1002 });
    };
    await fails('user/tag/set', { userId: u });
    await fails('user/tag/set', { tags: ['a'] });
    await fails('user/tag/set', { userId: u, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) });
    await fails('user/tag/set', { userId: u, tags: ['x'.repeat(41)] });
    await fails('user/tag/set', { userId: u, tags: [''] });
    await fails('user/tag/set', { userId: 'bad id!', tags: ['a'] });
    await fails('user/tag/batch/set', { userIds: [], tags: ['a'] });
    await fails('user/tag/batch/set', { userIds: Array.from({ length: 1001 }, (_, i) => `u${i}`), tags: ['a'] });
    await fails('user/tags/get', { userIds: Array.from({ length: 51 }, (_, i) => `u${i}`) }, false);
    await fails('user/tags/get', {}, false);
    expect((await rc.User.Tag.set({ id: u, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }))['code']).toBe(1002);
  });
});

describe('Push (rongcloud-sdk)', () => {
  it('Push.message by tag reaches exactly the users carrying every tag: online at once, offline at their next sync', async () => {
    const admin = uniqueId('admin');
    const [both, onlyYoung, none, offline] = [uniqueId('p'), uniqueId('p'), uniqueId('p'), uniqueId('p')];
    const tag = uniqueId('tag');
    await ok(rc.User.Tag.batchSet({ users: [{ id: both }, { id: offline }], tags: [`${tag}young`, `${tag}female`] }));
    await ok(rc.User.Tag.set({ id: onlyYoung, tags: [`${tag}young`] }));
    const [cBoth, cYoung, cNone] = [await connect(both), await connect(onlyYoung), await connect(none)];
    await api.post('user/getToken', { userId: offline, name: offline, portraitUri: 'http://example.com/p.png' });

    const res = await ok(rc.Push.message({
      platform: ['ios', 'android'],
      fromUserId: admin,
      audience: { tag: [`${tag}young`, `${tag}female`], is_to_all: false },
      notification: { alert: 'sale today', ios: { title: 'Shop', extras: { id: '1' } }, android: { extras: { id: '1' } } },
      message: { content: JSON.stringify({ content: 'sale today' }), objectName: 'RC:TxtMsg' },
    }));
    expect(res).toEqual({ code: 200, id: expect.stringMatching(/^[0-9A-V]{4}(-[0-9A-V]{4}){3}$/) });
    await cBoth.nextFrame(isPush('s_ntf'));
    expect(await systemFrom(cBoth, admin)).toEqual([{ msgId: res['id'], content: { content: 'sale today' }, classname: 'RC:TxtMsg' }]);
    expect(await systemFrom(cYoung, admin)).toEqual([]);
    expect(await systemFrom(cNone, admin)).toEqual([]);
    const cOffline = await connect(offline);
    expect((await systemFrom(cOffline, admin)).map((m) => m.msgId)).toEqual([res['id']]);
    expect(await storedPush(String(res['id']))).toMatchObject({ fromUserId: admin, platforms: ['ios', 'android'], objectName: 'RC:TxtMsg', recipientCount: 2 });
  });

  it('tag_or, userid (wins over tags) and is_to_all pick their audiences; packageName alone reaches nobody in-app', async () => {
    const admin = uniqueId('admin');
    const tag = uniqueId('tag');
    const [a, b, c] = [uniqueId('q'), uniqueId('q'), uniqueId('q')];
    await ok(rc.User.Tag.set({ id: a, tags: [`${tag}bj`] }));
    await ok(rc.User.Tag.set({ id: b, tags: [`${tag}sh`] }));
    const [ca, cb, cc] = [await connect(a), await connect(b), await connect(c)];
    const message = (label: string) => ({ content: JSON.stringify({ content: label }), objectName: 'RC:TxtMsg' });
    const push = (audience: Record<string, unknown>, label: string) =>
      ok(rc.Push.message({ platform: ['android'], fromUserId: admin, audience, notification: { alert: label }, message: message(label) }));
    await push({ tag_or: [`${tag}bj`, `${tag}sh`] }, 'or');
    await push({ userid: [c], tag: [`${tag}bj`] }, 'user');
    await push({ packageName: 'com.example.student' }, 'package');
    await push({ is_to_all: true }, 'all');
    await push({ tag: [`${tag}bj`], tag_or: [`${tag}sh`, `${tag}gz`] }, 'and');
    const labels = async (client: RawClient) => (await systemFrom(client, admin)).map((m) => (m.content as { content: string }).content);
    expect(await labels(ca)).toEqual(['or', 'all']);
    expect(await labels(cb)).toEqual(['or', 'all']);
    expect(await labels(cc)).toEqual(['user', 'all']);
  });

  it('Push.push (notification only) is accepted and recorded but delivers nothing in-app', async () => {
    const tag = uniqueId('tag');
    const u = uniqueId('n');
    await ok(rc.User.Tag.set({ id: u, tags: [tag] }));
    const client = await connect(u);
    const res = await ok(rc.Push.push({ platform: ['ios', 'android'], audience: { tag: [tag], is_to_all: false }, notification: { alert: 'only a notification' } }));
    expect(res).toEqual({ code: 200, id: expect.any(String) });
    await sleep(300);
    expect(client.frames.filter((f) => f.kind === 'publish' && ['s_ntf', 's_msg'].includes((f as PublishFrame).topic))).toEqual([]);
    expect(await pull(client)).toEqual([]);
    const record = await storedPush(String(res['id']));
    expect(record).toMatchObject({ fromUserId: '', recipientCount: 0, notification: JSON.stringify({ alert: 'only a notification' }) });
    expect(record?.objectName).toBeUndefined();
  });

  it('refuses bad input with 1002 in the envelope (never a 5xx)', async () => {
    const good = { platform: ['ios'], fromuserid: 'admin', audience: { tag: ['x'] }, notification: { alert: 'a' }, message: { content: '{"content":"x"}', objectName: 'RC:TxtMsg' } };
    const cases: [string, unknown][] = [
      ['no platform', { ...good, platform: undefined }],
      ['empty platform', { ...good, platform: [] }],
      ['unknown platform', { ...good, platform: ['symbian'] }],
      ['platform not an array', { ...good, platform: 'ios' }],
      ['no audience', { ...good, audience: undefined }],
      ['empty audience', { ...good, audience: {} }],
      ['audience not an object', { ...good, audience: ['x'] }],
      ['21 tags', { ...good, audience: { tag: Array.from({ length: 21 }, (_, i) => `t${i}`) } }],
      ['tag_or not an array', { ...good, audience: { tag_or: 'x' } }],
      ['1001 users', { ...good, audience: { userid: Array.from({ length: 1001 }, (_, i) => `u${i}`) } }],
      ['bad user id', { ...good, audience: { userid: ['a b'] } }],
      ['is_to_all not a boolean', { ...good, audience: { is_to_all: 'yes' } }],
      ['no notification', { ...good, notification: undefined }],
      ['no alert', { ...good, notification: { ios: { alert: 'x' } } }],
      ['extras not an object', { ...good, notification: { alert: 'a', android: { extras: 'x' } } }],
      ['message without sender', { ...good, fromuserid: undefined }],
      ['message content not JSON', { ...good, message: { content: 'hi', objectName: 'RC:TxtMsg' } }],
      ['message without objectName', { ...good, message: { content: '{}' } }],
      ['objectName too long', { ...good, message: { content: '{}', objectName: 'X'.repeat(33) } }],
    ];
    for (const [name, body] of cases) {
      const res = await api.postJson('push', body);
      expect({ name, status: res.status, code: res.body['code'], message: typeof res.body['errorMessage'] }).toEqual({ name, status: 400, code: 1002, message: 'string' });
    }
    expect((await api.postJson('push', good)).body).toMatchObject({ code: 200 });
    expect(await rc.Push.push({ platform: ['ios'], audience: {}, notification: { alert: 'a' } })).toMatchObject({ code: 1002 });
  });
});

describe('push rate limit', () => {
  it('a per-app rate.push limit answers 1008 with HTTP 429; refused input does not use it up', async () => {
    const limited = serverApi(server.url, LIMITED.key, LIMITED.secret);
    const body = { platform: ['ios'], audience: { is_to_all: true }, notification: { alert: 'once an hour' } };
    expect((await limited.postJson('push', { ...body, platform: [] })).body).toMatchObject({ code: 1002 });
    expect((await limited.postJson('push', body)).body).toMatchObject({ code: 200 });
    const second = await limited.postJson('push', body);
    expect({ status: second.status, code: second.body['code'] }).toEqual({ status: 429, code: 1008 });
  });
});

describe('Chatroom.Distribute (rongcloud-sdk)', () => {
  it('stop: members\' messages are acknowledged but reach nobody; Server API messages still do; resume restarts delivery', async () => {
    const room = uniqueId('room');
    const [alice, bob, eve] = [uniqueId('ca'), uniqueId('cb'), uniqueId('ce')];
    await ok(rc.Chatroom.create([{ id: room, name: 'Room' }]));
    const [ca, cb, ce] = [await connect(alice), await connect(bob), await connect(eve)];
    await joinOk(ca, room);
    const bobJoined = await joinOk(cb, room);
    let cursor = bobJoined;

    const deliveredToBob = async (): Promise<string[]> => {
      const { list, cursor: next } = await drain(cb, room, cursor);
      cursor = next;
      return list.filter((m) => m.classname === 'RC:TxtMsg').map((m) => (JSON.parse(text(m.content)) as { content: string }).content);
    };

    expect((await sendToRoom(ca, room, 'RC:TxtMsg', { content: 'before' })).status).toBe(0);
    await roomNotify(cb, room);
    expect(await deliveredToBob()).toEqual(['before']);

    await ok(rc.Chatroom.Distribute.stop({ id: room }));
    const notices = (): number => cb.frames.filter((f) => f.kind === 'publish' && (f as PublishFrame).topic === 's_ntf').length;
    const noticesBefore = notices();
    const held = await sendToRoom(ca, room, 'RC:TxtMsg', { content: 'while stopped' });
    expect(held).toMatchObject({ status: 0 });
    // A non-member still gets its refusal.
    expect((await sendToRoom(ce, room, 'RC:TxtMsg', { content: 'outsider' })).status).toBe(23406);
    await sleep(300);
    expect(notices()).toBe(noticesBefore);
    expect(await deliveredToBob()).toEqual([]);

    await ok(rc.Message.Chatroom.send({ senderId: 'moderator', targetId: room, objectName: 'RC:TxtMsg', content: { content: 'approved' } }));
    await roomNotify(cb, room);
    expect(await deliveredToBob()).toEqual(['approved']);

    await ok(rc.Chatroom.Distribute.resume({ id: room }));
    expect((await sendToRoom(ca, room, 'RC:TxtMsg', { content: 'after' })).status).toBe(0);
    await roomNotify(cb, room);
    expect(await deliveredToBob()).toEqual(['after']);
  });

  it('a stop survives a restart of the server', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-distribution-'));
    const room = uniqueId('room');
    const [alice, bob] = [uniqueId('ra'), uniqueId('rb')];
    let first: RunningServer | undefined = await startServer({ apps: [APP], dataDir });
    try {
      const api1 = serverApi(first.url, APP.key, APP.secret);
      expect((await api1.post('chatroom/create', { [`chatroom[${room}]`]: 'Room' })).body).toMatchObject({ code: 200 });
      expect((await api1.post('chatroom/keepalive/add', { chatroomId: room })).body).toMatchObject({ code: 200 });
      expect((await api1.post('chatroom/message/stopDistribution', { chatroomId: room })).body).toMatchObject({ code: 200 });
      await first.stop();
      first = await startServer({ apps: [APP], dataDir });
      const api2 = serverApi(first.url, APP.key, APP.secret);
      const ca = await connectUser(first.url, APP.key, api2, alice, clients);
      const cb = await connectUser(first.url, APP.key, api2, bob, clients);
      await joinOk(ca, room);
      const joined = await joinOk(cb, room);
      expect((await sendToRoom(ca, room, 'RC:TxtMsg', { content: 'held' })).status).toBe(0);
      await sleep(300);
      expect((await drain(cb, room, joined)).list.filter((m) => m.classname === 'RC:TxtMsg')).toEqual([]);
      expect((await api2.post('chatroom/message/resumeDistribution', { chatroomId: room })).body).toMatchObject({ code: 200 });
      expect((await sendToRoom(ca, room, 'RC:TxtMsg', { content: 'flows' })).status).toBe(0);
      await roomNotify(cb, room);
      expect((await drain(cb, room, joined)).list.map((m) => JSON.parse(text(m.content)) as unknown)).toContainEqual({ content: 'flows' });
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await first?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('answers 1002 for a missing or unknown chatroom', async () => {
    expect(await rc.Chatroom.Distribute.stop({ id: uniqueId('nowhere') })).toMatchObject({ code: 1002 });
    const res = await api.post('chatroom/message/resumeDistribution', {});
    expect({ status: res.status, code: res.body['code'] }).toEqual({ status: 400, code: 1002 });
  });
});

describe('Message.Discussion (rongcloud-sdk)', () => {
  it('send answers 1009 (discussions are not supported), recall finds no message (1002)', async () => {
    const sent = await rc.Message.Discussion.send({ senderId: 'a1', targetId: 'd1', objectName: 'RC:TxtMsg', content: { content: 'hi' } });
    expect(sent).toMatchObject({ code: 1009, msg: expect.stringContaining('discussions') });
    const res = await api.post('message/discussion/publish', { fromUserId: 'a1', toDiscussionId: 'd1', objectName: 'RC:TxtMsg', content: 'not json' });
    expect({ status: res.status, code: res.body['code'] }).toEqual({ status: 430, code: 1009 });
    expect(await rc.Message.Discussion.recall({ senderId: 'a1', targetId: 'd1', uId: 'AAAA-AAAA-AAAA-AAAA', sentTime: Date.now() })).toMatchObject({ code: 1002 });
  });
});
