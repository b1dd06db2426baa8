/**
 * `message/broadcast/recall` (SERVER_API.md §2.2) against the real server: a broadcast leaves every user's history,
 * and every user who got it — and only they — receives the RC:RcCmd in the broadcaster's SYSTEM conversation, with
 * isDelete and extra; only the sender recalls without isAdmin; anything but an unrecalled broadcast is 1002; the
 * documented 2-per-hour limit applies.
 */
import { decodeByName, encodeByName } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer } from '../../../test/support/server-launcher';
import { connectUser, isPush, text, tokenFor, uniqueId, upstream } from './e2e-support';

const APP = { key: 'lxbcrecall', secret: 'lxbcrecallsecret', options: { 'rate.message/broadcast': 'off', 'rate.message/broadcast/recall': 'off' } };
const LIMITED = { key: 'lxbclimited', secret: 'lxbclimitedsecret', options: { 'rate.message/broadcast': 'off' } };
let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

interface Pulled {
  type: number;
  fromUserId: string;
  targetId: string;
  objectName: string;
  uid: string;
  content: Record<string, unknown>;
}

async function ok<T = Record<string, unknown>>(path: string, form: Record<string, string | number | readonly string[]>, client = api): Promise<T & { code: number }> {
  const response = await client.post<T & { code: number }>(path, form);
  expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 200, code: 200 });
  return response.body;
}

const connect = (userId: string): Promise<RawClient> => connectUser(server.url, APP.key, api, userId, clients);

/** Every message in the client's inbox (pullMsg from the start). */
async function pull(client: RawClient): Promise<Pulled[]> {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
  expect(ack.status).toBe(0);
  return decodeByName('DownStreamMessages', ack.payload).list.map((m) => ({
    type: m.type,
    fromUserId: m.fromUserId,
    targetId: m.groupId ?? '',
    objectName: m.classname,
    uid: m.msgId ?? '',
    content: JSON.parse(text(m.content)) as Record<string, unknown>,
  }));
}

/** The uids in the client's remote history of the SYSTEM conversation with `sender` (`qrySMsg`). */
async function systemHistory(client: RawClient, sender: string): Promise<string[]> {
  const ack = await client.query('qrySMsg', client.connack.userId ?? '', encodeByName('HistoryMsgInput', { targetId: sender, time: 0, count: 100, order: 0 }));
  expect(ack.status).toBe(0);
  return decodeByName('HistoryMsgOuput', ack.payload).list.map((m) => `${m.classname}:${m.msgId ?? ''}`);
}

async function broadcast(from: string, content: string, client = api): Promise<string> {
  return (await ok<{ id: string }>('message/broadcast', { fromUserId: from, objectName: 'RC:TxtMsg', content: JSON.stringify({ content }) }, client)).id;
}

beforeAll(async () => {
  server = await startServer({ apps: [APP, LIMITED] });
  api = serverApi(server.url, APP.key, APP.secret);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('message/broadcast/recall', () => {
  it('takes the broadcast out of every history and sends the RC:RcCmd to every user who got it, and only to them', async () => {
    const [admin, u1, u2, late] = [uniqueId('admin'), uniqueId('u1'), uniqueId('u2'), uniqueId('late')];
    const c1 = await connect(u1);
    await tokenFor(api, u2);
    const id = await broadcast(admin, 'sale today');
    await c1.nextFrame(isPush('s_ntf'));
    expect((await pull(c1)).map((m) => [m.type, m.fromUserId, m.uid])).toEqual([[6, admin, id]]);
    expect(await systemHistory(c1, admin)).toEqual([`RC:TxtMsg:${id}`]);
    // Registered after the broadcast: it never got it, so it gets no recall either.
    await tokenFor(api, late);

    c1.frames.length = 0;
    await ok('message/broadcast/recall', { fromUserId: admin, messageUID: id, sentTime: 0, isAdmin: 0, isDelete: 1, extra: 'mistake' });
    await c1.nextFrame(isPush('s_ntf'));
    const inbox = await pull(c1);
    expect(inbox.map((m) => [m.objectName, m.type, m.fromUserId])).toEqual([['RC:TxtMsg', 6, admin], ['RC:RcCmd', 6, admin]]);
    expect(inbox[1]?.content).toEqual({ conversationType: 6, targetId: admin, messageUId: id, sentTime: expect.any(Number), isDelete: 1, extra: 'mistake' });
    expect(await systemHistory(c1, admin)).not.toContain(`RC:TxtMsg:${id}`);

    // u2 was offline: its next sync has the broadcast and the recall that follows it.
    const c2 = await connect(u2);
    expect((await pull(c2)).map((m) => `${m.objectName}:${String(m.content['messageUId'] ?? m.uid)}`)).toEqual([`RC:TxtMsg:${id}`, `RC:RcCmd:${id}`]);
    expect(await pull(await connect(late))).toEqual([]);
  });

  it('lets only the sender recall unless isAdmin; refuses what is not an unrecalled broadcast with 1002', async () => {
    const [admin, other, u1, u2] = [uniqueId('admin'), uniqueId('other'), uniqueId('u1'), uniqueId('u2')];
    const c1 = await connect(u1);
    await tokenFor(api, u2);
    const id = await broadcast(admin, 'news');
    const refused = await api.post('message/broadcast/recall', { fromUserId: other, messageUID: id, sentTime: 0 });
    expect({ status: refused.status, code: refused.body['code'] }).toEqual({ status: 400, code: 1002 });
    await ok('message/broadcast/recall', { fromUserId: other, messageUID: id, sentTime: 0, isAdmin: 1 });
    await waitForRecall(c1, id);
    const again = await api.post('message/broadcast/recall', { fromUserId: admin, messageUID: id, sentTime: 0, isAdmin: 1 });
    expect({ status: again.status, code: again.body['code'], message: again.body['errorMessage'] }).toEqual({ status: 400, code: 1002, message: expect.stringMatching(/already recalled/) });

    // A private message or a system message to one user is not a broadcast.
    const cu1 = await connect(u2);
    const privateUid = (await cu1.publish('ppMsgP', u1, upstream('RC:TxtMsg', { content: 'hi' }))).messageUId ?? '';
    const system = await ok<{ messageUIDs: { messageUID: string }[] }>('message/system/publish', { fromUserId: admin, toUserId: u1, objectName: 'RC:TxtMsg', content: '{"content":"s"}' });
    const bad: Array<Record<string, string | number>> = [
      { fromUserId: admin, messageUID: privateUid, sentTime: 0, isAdmin: 1 },
      { fromUserId: admin, messageUID: system.messageUIDs[0]?.messageUID ?? '', sentTime: 0 },
      { fromUserId: admin, messageUID: 'AAAA-BBBB-CCCC-DDDD', sentTime: 0 },
      { fromUserId: admin, sentTime: 0 },
      { messageUID: id, sentTime: 0 },
      { fromUserId: admin, messageUID: id, sentTime: 'now' },
      { fromUserId: admin, messageUID: id, isAdmin: 'maybe' },
    ];
    for (const form of bad) {
      const response = await api.post('message/broadcast/recall', form);
      expect({ form, status: response.status, code: response.body['code'] }).toEqual({ form, status: 400, code: 1002 });
    }
  });

  it('recalls through message/broadcast of an RC:RcCmd naming the broadcast (server-sdk-go MessageBroadcastRecall), storing no new broadcast', async () => {
    const [admin, u1] = [uniqueId('admin'), uniqueId('u1')];
    const c1 = await connect(u1);
    const id = await broadcast(admin, 'oops');
    await c1.nextFrame(isPush('s_ntf'));
    expect(await systemHistory(c1, admin)).toEqual([`RC:TxtMsg:${id}`]);
    // What the Go SDK sends: objectName RC:RcCmd, content BroadcastRecallContent.
    const recall = await ok<{ id: string }>('message/broadcast', { fromUserId: admin, objectName: 'RC:RcCmd', content: JSON.stringify({ messageUId: id, conversationType: 6, isAdmin: 0, isDelete: 1 }) });
    expect(recall.id).toEqual(expect.any(String));
    await waitForRecall(c1, id);
    const inbox = await pull(c1);
    expect(inbox.map((m) => [m.objectName, m.type, m.fromUserId])).toEqual([['RC:TxtMsg', 6, admin], ['RC:RcCmd', 6, admin]]);
    expect(inbox[1]?.content).toEqual({ conversationType: 6, targetId: admin, messageUId: id, sentTime: expect.any(Number), isDelete: 1 });
    expect(await systemHistory(c1, admin)).not.toContain(`RC:TxtMsg:${id}`);
    const again = await api.post('message/broadcast/recall', { fromUserId: admin, messageUID: id, sentTime: 0 });
    expect({ status: again.status, code: again.body['code'], message: again.body['errorMessage'] }).toEqual({ status: 400, code: 1002, message: expect.stringMatching(/already recalled/) });

    // An RC:RcCmd that names no broadcast is refused and sends nothing.
    const bad = [{ conversationType: 6 }, { messageUId: 'AAAA-BBBB-CCCC-DDDD', conversationType: 6 }, { messageUId: id, conversationType: 6 }, { messageUId: id, conversationType: 1 }];
    for (const content of bad) {
      const response = await api.post('message/broadcast', { fromUserId: admin, objectName: 'RC:RcCmd', content: JSON.stringify(content) });
      expect({ content, status: response.status, code: response.body['code'] }).toEqual({ content, status: 400, code: 1002 });
    }
    expect((await pull(c1)).length).toBe(2);
  });

  it('is limited to 2 recalls an hour by default, as documented', async () => {
    const limited = serverApi(server.url, LIMITED.key, LIMITED.secret);
    const admin = uniqueId('admin');
    await tokenFor(limited, uniqueId('u'));
    const ids = [await broadcast(admin, 'a', limited), await broadcast(admin, 'b', limited), await broadcast(admin, 'c', limited)];
    for (const id of ids.slice(0, 2)) await ok('message/broadcast/recall', { fromUserId: admin, messageUID: id, sentTime: 0 }, limited);
    const third = await limited.post('message/broadcast/recall', { fromUserId: admin, messageUID: ids[2] as string, sentTime: 0 });
    expect({ status: third.status, code: third.body['code'] }).toEqual({ status: 429, code: 1008 });
  });
});

async function waitForRecall(client: RawClient, uid: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await pull(client)).some((m) => m.objectName === 'RC:RcCmd' && m.content['messageUId'] === uid)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no RC:RcCmd for ${uid}`);
}
