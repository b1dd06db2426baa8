/**
 * Fan-out to a full 3000-member group (the default limit) with a bounded number of real connections on
 * loopback: the sender's PUBACK comes after the store write (write diffusion, one inbox entry per member),
 * every online member is notified and pulls the message, offline members find it in their inbox later, and
 * status messages reach the online members only. Everything is bounded in time.
 */
import { decodeByName, encodeByName, type PublishFrame } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';

const APP: TestApp = { key: 'fanoutapp', secret: 'fanoutsecret', options: { multiDevice: true, maxSendRate: 1000 } };
const MEMBERS = 3000;
const ONLINE = 24;
const GROUP = 'bigroup';
/** Generous for 2 shared cores; a 3000-entry append takes ~20 ms on the development machine. */
const PUBACK_BOUND_MS = 3000;

let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];
const member = (i: number): string => `fan${i}`;

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
  api = serverApi(server.url, APP.key, APP.secret);
  for (let batch = 0; batch < MEMBERS / 1000; batch++) {
    const userId = Array.from({ length: 1000 }, (_, i) => member(batch * 1000 + i));
    const response = await api.post('group/join', { userId, groupId: GROUP, groupName: 'Big' });
    expect(response.body).toEqual({ code: 200 });
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.stop();
});

async function connect(userId: string): Promise<RawClient> {
  const { body } = await api.post<{ token: string }>('user/getToken', { userId });
  const client = await connectRaw({ url: server.url, appKey: APP.key, token: body.token });
  expect(client.connack.status).toBe(0);
  clients.push(client);
  return client;
}

async function pull(client: RawClient) {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }), { timeoutMs: 10_000 });
  expect(ack.status).toBe(0);
  return decodeByName('DownStreamMessages', ack.payload);
}

const up = (objectName: string, content: unknown, flags: number): Uint8Array =>
  encodeByName('UpStreamMessage', { sessionId: flags, classname: objectName, content: new Uint8Array(Buffer.from(JSON.stringify(content))), configFlag: 0 });
const isNotify = (f: { kind: string }): boolean => f.kind === 'publish' && (f as PublishFrame).topic === 's_ntf';

describe(`a ${MEMBERS}-member group`, () => {
  it('is full at the default limit', async () => {
    const members = await api.post<{ users: { id: string }[] }>('group/user/query', { groupId: GROUP });
    expect(members.body.users).toHaveLength(MEMBERS);
    expect((await api.post('group/join', { userId: 'one-too-many', groupId: GROUP })).body['code']).toBe(1002);
  });

  it('stores a message for every member, acks the sender promptly and notifies the online members', async () => {
    // Members spread over the whole list (first, last and in between), plus the sender's second device.
    const online = await Promise.all(Array.from({ length: ONLINE }, (_, i) => connect(member(Math.floor((i * (MEMBERS - 1)) / (ONLINE - 1)) || 1))));
    const sender = await connect(member(0));
    const senderOther = await connect(member(0));

    const acks: { uid: string; latencyMs: number; sentTime: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const ack = await sender.publish('pgMsgP', GROUP, up('RC:TxtMsg', { content: `big ${i}` }, 3), { timeoutMs: 10_000 });
      expect(ack.status).toBe(0);
      acks.push({ uid: ack.messageUId ?? '', latencyMs: performance.now() - started, sentTime: (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0) });
    }
    for (const { latencyMs } of acks) expect(latencyMs).toBeLessThan(PUBACK_BOUND_MS);
    const last = acks[acks.length - 1]!;

    // Every online member is told up to the last message and pulls all five, in order.
    await Promise.all(online.map(async (client) => {
      for (;;) {
        const ntf = await client.nextFrame<PublishFrame>(isNotify, 10_000);
        if ((decodeByName('NotifyMsg', ntf.payload).time ?? 0) >= last.sentTime) break;
      }
      const page = await pull(client);
      expect(page.list.map((m) => m.msgId)).toEqual(acks.map((a) => a.uid));
      expect(page.finished).toBe(true);
    }));
    expect((await pull(senderOther)).list.map((m) => [m.msgId, m.direction])).toEqual(acks.map((a) => [a.uid, 1]));

    // Members that were offline find the messages in their inbox.
    for (const offline of [member(1500), member(MEMBERS - 2)]) {
      expect((await pull(await connect(offline))).list.map((m) => m.msgId)).toEqual(acks.map((a) => a.uid));
    }
  }, 60_000);

  it('relays a status message to the online members only', async () => {
    const online = await Promise.all([member(10), member(2000), member(2999)].map((id) => connect(id)));
    const sender = await connect(member(5));
    sender.send({ kind: 'publish', dup: false, qos: 1, retain: false, topic: 'pgMsgS', targetId: GROUP, messageId: 0, payload: up('RC:TypSts', { typingContentType: 'RC:TxtMsg' }, 0) });
    for (const client of online) {
      const push = await client.nextFrame<PublishFrame>((f) => f.kind === 'publish' && f.topic === 's_msg', 10_000);
      expect(decodeByName('DownStreamMessage', push.payload)).toMatchObject({ classname: 'RC:TypSts', groupId: GROUP, fromUserId: member(5) });
    }
    expect((await pull(await connect(member(2998)))).list.some((m) => m.classname === 'RC:TypSts')).toBe(false);
  }, 30_000);
});
