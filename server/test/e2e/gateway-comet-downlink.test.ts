/**
 * The comet downlink is bounded (PROTOCOL.md §10.5), against the real server process over real HTTP
 * (hold 600 ms, so comet expiry 1.2 s). A session that keeps POSTing but never polls must not keep its
 * downlink queue alive: it expires like a session that stopped polling altogether, the client is told
 * the session is gone, and after reconnecting it pulls every message from the store. A second server with a
 * small queue bound (LIANXIN_COMET_MAX_QUEUED_BYTES) and a long expiry closes a session as soon as its
 * unpolled queue outgrows the bound.
 */
import { parseCometBody } from '../../../src/internal';
import { connectComet, type CometRawClient } from '../../../test/support/comet-raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

const HOLD_MS = 600;
const EXPIRY_MS = 2 * HOLD_MS;
const LOST_E4 = '[{"headerCode":224,"status":3}]';
const PULL_JSON = { ispolling: false, isPullSend: true, sendBoxSyncTime: 0, syncTime: 0 };

let server: RunningServer;
let api: ServerApiClient;
const comets: CometRawClient[] = [];

async function tokenFor(userId: string): Promise<string> {
  const res = await api.post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: 'http://example.com/p.png' });
  return res.body.token;
}

async function comet(userId: string, poll: boolean): Promise<CometRawClient> {
  const client = await connectComet({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: await tokenFor(userId), poll });
  comets.push(client);
  return client;
}

async function sendTo(toUserId: string, text: string): Promise<void> {
  const res = await api.post<{ code: number }>('/message/private/publish.json', {
    fromUserId: 'downlink-sender',
    toUserId,
    objectName: 'RC:TxtMsg',
    content: JSON.stringify({ content: text }),
  });
  expect(res.body.code).toBe(200);
}

beforeAll(async () => {
  server = await startServer({ env: { LIANXIN_COMET_HOLD_MS: String(HOLD_MS) } });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(comets.splice(0).map((c) => c.stopPolling()));
});

afterAll(async () => {
  await server.stop();
});

describe('comet downlink not pulled', () => {
  it('expires a session that keeps POSTing but never polls; it reconnects and pulls every message', async () => {
    const c = await comet('posty', false);
    const sent: string[] = [];
    const answers: string[] = [];
    // POST (publishes to someone else) and receive messages for 3× the expiry window, never polling.
    const deadline = Date.now() + 3 * EXPIRY_MS;
    for (let i = 0; i < 60 && Date.now() < deadline; i++) {
      const text = `downlink ${i}`;
      await sendTo('posty', text);
      sent.push(text);
      const res = await c.post(
        { messageid: c.nextMessageId(), header: 50, topic: 'ppMsgP', targetid: 'posty-friend' },
        JSON.stringify({ sessionId: 3, configFlag: 0, classname: 'RC:TxtMsg', content: JSON.stringify({ content: `up ${i}` }) }),
      );
      answers.push(res.text);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sent.length).toBeGreaterThan(5);
    // The POSTs kept coming, yet the downlink was never pulled: the session is gone, and its POSTs say so.
    // (Unbounded, the first poll got every notification queued since the connect.)
    const poll = await c.pollOnce();
    expect({ status: poll.status, signals: parseCometBody(poll.text).length, text: poll.text.slice(0, 200) }).toEqual({ status: 200, signals: 1, text: LOST_E4 });
    expect(answers[0]).toMatch(/^\[\{"headerCode":64,/);
    expect(answers[answers.length - 1]).toBe(LOST_E4);

    // The client reconnects (a new session) and catches up by sync: nothing was lost with the queue.
    const again = await comet('posty', true);
    const [ack] = await again.query('pullMsg', 'posty', PULL_JSON);
    expect(ack?.status).toBe(0);
    const page = JSON.parse(ack?.data ?? '{}') as { list?: { content: string }[] };
    const pulled = (page.list ?? []).map((m) => (JSON.parse(m.content) as { content: string }).content);
    expect(pulled).toEqual(expect.arrayContaining(sent));
  });

  it('keeps a session alive that polls and POSTs', async () => {
    const c = await comet('pollsy', true);
    await new Promise((r) => setTimeout(r, 2 * EXPIRY_MS));
    await sendTo('pollsy', 'still here');
    await c.nextSignal((s) => s.topic === 's_ntf');
    const [ack] = await c.query('pullMsg', 'pollsy', PULL_JSON);
    expect(ack?.status).toBe(0);
    expect(ack?.data).toContain('still here');
  });
});

describe('comet downlink queue bound', () => {
  const MAX_QUEUED = 2000;
  let small: RunningServer;
  let smallApi: ServerApiClient;

  beforeAll(async () => {
    // Expiry 30 s: only the queue bound can end the session within the test.
    small = await startServer({ env: { LIANXIN_COMET_HOLD_MS: '1000', LIANXIN_COMET_EXPIRY_MS: '30000', LIANXIN_COMET_MAX_QUEUED_BYTES: String(MAX_QUEUED) } });
    smallApi = serverApi(small.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  });

  afterAll(async () => {
    await small.stop();
  });

  it('closes a session whose unpolled queue outgrows the bound; it reconnects and pulls every message', async () => {
    const token = (await smallApi.post<{ token: string }>('/user/getToken.json', { userId: 'slowpoke', name: 'slowpoke', portraitUri: 'http://example.com/p.png' })).body.token;
    const c = await connectComet({ url: small.url, appKey: DEFAULT_TEST_APP.key, token, poll: false });
    comets.push(c);
    const sent: string[] = [];
    // Each message queues one s_ntf (~110 characters): 40 of them are twice the bound.
    for (let i = 0; i < 40; i++) {
      const text = `queued ${i}`;
      const res = await smallApi.post<{ code: number }>('/message/private/publish.json', {
        fromUserId: 'downlink-sender',
        toUserId: 'slowpoke',
        objectName: 'RC:TxtMsg',
        content: JSON.stringify({ content: text }),
      });
      expect(res.body.code).toBe(200);
      sent.push(text);
    }
    const started = Date.now();
    const poll = await c.pollOnce();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(poll).toEqual({ status: 200, text: LOST_E4 });
    // Its POSTs are told the same.
    expect((await c.post({ messageid: c.nextMessageId(), header: 80, topic: 'pullMsg', targetid: 'slowpoke' }, JSON.stringify(PULL_JSON))).text).toBe(LOST_E4);

    const again = await connectComet({ url: small.url, appKey: DEFAULT_TEST_APP.key, token, poll: true });
    comets.push(again);
    const [ack] = await again.query('pullMsg', 'slowpoke', PULL_JSON);
    expect(ack?.status).toBe(0);
    const page = JSON.parse(ack?.data ?? '{}') as { list?: { content: string }[] };
    const pulled = (page.list ?? []).map((m) => (JSON.parse(m.content) as { content: string }).content);
    expect(pulled).toEqual(expect.arrayContaining(sent));
  });

  it('lets a polling session take more than the bound in total', async () => {
    const token = (await smallApi.post<{ token: string }>('/user/getToken.json', { userId: 'quick', name: 'quick', portraitUri: 'http://example.com/p.png' })).body.token;
    const c = await connectComet({ url: small.url, appKey: DEFAULT_TEST_APP.key, token, poll: true });
    comets.push(c);
    for (let i = 0; i < 40; i++) {
      const res = await smallApi.post<{ code: number }>('/message/private/publish.json', {
        fromUserId: 'downlink-sender',
        toUserId: 'quick',
        objectName: 'RC:TxtMsg',
        content: JSON.stringify({ content: `polled ${i}` }),
      });
      expect(res.body.code).toBe(200);
    }
    const [ack] = await c.query('pullMsg', 'quick', PULL_JSON);
    expect(ack?.status).toBe(0);
    expect(ack?.data).toContain('polled 39');
    expect(c.signals.some((s) => s.headerCode === 224)).toBe(false);
  });
});
