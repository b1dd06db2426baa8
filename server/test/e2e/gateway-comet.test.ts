/**
 * Comet (HTTP long-polling) gateway and the idle/expiry timers, against the real server process
 * started with short timeouts (hold 600 ms, comet expiry 1.2 s, WebSocket idle 1 s).
 */
import { encodeByName } from '../../../src/internal';
import { CometRawClient, connectComet } from '../../../test/support/comet-raw-client';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

const MULTI = { key: 'lxmultiapp', secret: 'lxmultisecret', options: { multiDevice: true } };
const HOLD_MS = 600;
const IDLE_MS = 1000;

let server: RunningServer;
let api: ServerApiClient;
const comets: CometRawClient[] = [];
const sockets: RawClient[] = [];

async function tokenFor(userId: string): Promise<string> {
  const res = await api.post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: 'http://example.com/p.png' });
  return res.body.token;
}

async function comet(userId: string, opts: { sdkVer?: string; poll?: boolean } = {}): Promise<CometRawClient> {
  const client = await connectComet({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: await tokenFor(userId), ...opts });
  comets.push(client);
  return client;
}

async function socket(userId: string): Promise<RawClient> {
  const client = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: await tokenFor(userId) });
  sockets.push(client);
  return client;
}

const PULL_JSON = { ispolling: false, isPullSend: true, sendBoxSyncTime: 0, syncTime: 0 };

beforeAll(async () => {
  server = await startServer({
    apps: [DEFAULT_TEST_APP, MULTI],
    env: { LIANXIN_COMET_HOLD_MS: String(HOLD_MS), LIANXIN_WS_IDLE_TIMEOUT_MS: String(IDLE_MS) },
  });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(comets.splice(0).map((c) => c.stopPolling()));
  await Promise.all(sockets.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('comet connect', () => {
  it('replies with the exact compact connect object, CORS open', async () => {
    const token = await tokenFor('alice');
    const before = Date.now();
    const res = await fetch(`${server.url}/websocket?appId=${DEFAULT_TEST_APP.key}&token=${encodeURIComponent(token)}&sdkVer=2.9.2&pid=1.5&apiVer=normal`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const parsed = JSON.parse(body) as { sessionid: string; timestamp: number };
    expect(JSON.stringify(JSON.parse(body))).toBe(body);
    expect(body).toBe(`{"status":0,"userId":"alice","headerCode":32,"messageId":0,"sessionid":"${parsed.sessionid}","timestamp":${parsed.timestamp}}`);
    expect(Math.abs(parsed.timestamp - before)).toBeLessThan(2000);
  });

  it('replies with the CONNACK status on failure', async () => {
    const res = await fetch(`${server.url}/websocket?appId=${DEFAULT_TEST_APP.key}&token=bogus&sdkVer=2.9.2&pid=1.5&apiVer=normal`);
    expect(await res.text()).toBe('{"status":4,"headerCode":32,"messageId":0}');
  });
});

describe('comet long-poll and upstream', () => {
  it('answers an idle long-poll with [] within the hold time', async () => {
    const c = await comet('bob', { poll: false });
    const started = Date.now();
    const res = await c.pollOnce();
    const took = Date.now() - started;
    expect(res).toEqual({ status: 200, text: '[]' });
    expect(took).toBeGreaterThanOrEqual(HOLD_MS - 100);
    expect(took).toBeLessThan(HOLD_MS + 1500);
  });

  it('answers a QUERY POST inline with its QUERYACK (JSON data)', async () => {
    const c = await comet('carol');
    const [ack, ...rest] = await c.query('pullMsg', 'carol', PULL_JSON);
    expect(rest).toEqual([]);
    expect(ack).toMatchObject({ headerCode: 96, messageId: 1, status: 0 });
    const data = JSON.parse(ack?.data ?? '') as { syncTime: number; finished: boolean };
    expect(data.finished).toBe(true);
    expect(typeof data.syncTime).toBe('number');
  });

  it('answers a PUBLISH POST inline with its PUBACK, and delivers to a comet recipient through the poll', async () => {
    const sender = await comet('dave');
    const receiver = await comet('erin');
    const [ack] = await sender.publish('ppMsgP', 'erin', { sessionId: 3, configFlag: 0, classname: 'RC:TxtMsg', content: '{"content":"hi comet"}' });
    expect(ack).toMatchObject({ headerCode: 64, messageId: 1, status: 0 });
    expect(ack?.messageUId).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(typeof ack?.timestamp).toBe('number');
    const push = await receiver.nextSignal((s) => s.topic === 's_ntf');
    expect(push.headerCode).toBe(50);
    expect(JSON.parse(push.data ?? '')).toMatchObject({ type: 1, time: ack?.timestamp });
    const [pulled] = await receiver.query('pullMsg', 'erin', PULL_JSON);
    expect(pulled?.data).toContain('hi comet');
  });

  it('mirrors the L2 qos-1 pullMsg query and accepts its PUBACK/QUERYCON POSTs with []', async () => {
    const c = await comet('fred', { sdkVer: '2.5.3' });
    const [ack] = await c.query('pullMsg', 'fred', { ispolling: false, sendBoxSyncTime: 0, isPullSend: true, syncTime: 0 });
    expect(ack?.headerCode).toBe(98);
    expect(await c.post({ messageid: ack?.messageId ?? 0, header: 112 }, '""')).toEqual({ status: 200, text: '[]' });
    expect(await c.post({ messageid: 65535, header: 64 }, '""')).toEqual({ status: 200, text: '[]' });
  });

  it('answers unknown topics inline with status 39002', async () => {
    const c = await comet('gina');
    const [ack] = await c.query('noSuchTopic', 'gina', {});
    expect(ack).toMatchObject({ headerCode: 96, status: 39002 });
  });

  it('answers unknown session ids with 224 for E4, -32 for L2, and lost params without one', async () => {
    const e4 = new CometRawClient({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: '', sdkVer: '2.9.2' });
    const l2 = new CometRawClient({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: '', sdkVer: '2.5.3' });
    expect(await e4.pollOnce('nosuch.session')).toEqual({ status: 200, text: '[{"headerCode":224,"status":3}]' });
    expect(await l2.pollOnce('nosuch.session')).toEqual({ status: 200, text: '[{"headerCode":-32,"status":3}]' });
    expect(await l2.pollOnce('null')).toEqual({ status: 400, text: 'lost params' });
    expect(await e4.post({ messageid: 1, header: 80, topic: 'pullMsg', targetid: 'x', sessionid: 'nosuch.session' }, '{}')).toEqual({
      status: 200,
      text: '[{"headerCode":224,"status":3}]',
    });
    expect(await e4.post({ messageid: 1, header: 999, sessionid: 'nosuch.session' }, '{}')).toEqual({ status: 400, text: 'lost params' });
  });

  it('answers a session id naming a node that does not exist at once, without relaying or holding it', async () => {
    // `<node>.<id>` ids of other nodes are relayed over `node:<id>` in a cluster; nobody listens on a
    // forged node's topic, so the poll must not wait for the relay timeout (hold + 5 s here).
    const e4 = new CometRawClient({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: '', sdkVer: '2.9.2' });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => e4.pollOnce(`forged${i}.session`)));
    expect(answers.every((a) => a.status === 200 && a.text === '[{"headerCode":224,"status":3}]')).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('closes a session whose POST body is malformed; its next poll is told the session is gone', async () => {
    const c = await comet('hank', { poll: false });
    await c.post({ messageid: 1, header: 80, topic: 'pullMsg', targetid: 'hank' }, '{not json');
    expect(await c.pollOnce()).toEqual({ status: 200, text: '[{"headerCode":224,"status":3}]' });
  });
});

describe('comet sessions and kicks', () => {
  it('delivers DISCONNECT 224/1 to an E4 comet session kicked by a new web login, then forgets it', async () => {
    const old = await comet('ivan');
    await socket('ivan');
    const kick = await old.nextSignal((s) => s.headerCode === 224);
    expect(kick).toEqual({ headerCode: 224, status: 1 });
    expect(await old.pollOnce()).toEqual({ status: 200, text: '[{"headerCode":224,"status":3}]' });
  });

  it('uses -32 for an L2 comet session, including after it is gone', async () => {
    const old = await comet('judy', { sdkVer: '2.5.3' });
    await comet('judy', { sdkVer: '2.5.3' });
    const kick = await old.nextSignal((s) => s.headerCode === -32);
    expect(kick).toEqual({ headerCode: -32, status: 1 });
    // A later poll of the dead session, even with an E4-looking timestrap, keeps the L2 dialect.
    const asE4 = new CometRawClient({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: '', sdkVer: '2.9.2' });
    expect(await asE4.pollOnce(old.sessionId)).toEqual({ status: 200, text: '[{"headerCode":-32,"status":3}]' });
  });

  it('expires a session that stops polling', async () => {
    const c = await comet('kate', { poll: false });
    await new Promise((r) => setTimeout(r, 2 * HOLD_MS + 800));
    expect(await c.pollOnce()).toEqual({ status: 200, text: '[{"headerCode":224,"status":3}]' });
  });

  it('keeps a polling session alive past the expiry time', async () => {
    const c = await comet('liam');
    await new Promise((r) => setTimeout(r, 2 * HOLD_MS + 800));
    const [ack] = await c.query('pullMsg', 'liam', PULL_JSON);
    expect(ack?.status).toBe(0);
  });
});

describe('WebSocket idle timeout', () => {
  it('closes a silent connection and keeps a pinging one', async () => {
    const silent = await socket('mona');
    const alive = await socket('nick');
    const started = Date.now();
    const pinger = setInterval(() => void alive.ping().catch(() => undefined), 300);
    try {
      await silent.closed;
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(IDLE_MS - 100);
      expect(took).toBeLessThan(IDLE_MS + 2000);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      expect(alive.isClosed).toBe(false);
    } finally {
      clearInterval(pinger);
    }
  });
});

describe('comet multi-device echo', () => {
  it('pairs the echo for an E4 comet session and skips it for L2 comet', async () => {
    const multi = serverApi(server.url, MULTI.key, MULTI.secret);
    const token = async (userId: string): Promise<string> =>
      (await multi.post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: 'http://example.com/p.png' })).body.token;
    const e4 = await connectComet({ url: server.url, appKey: MULTI.key, token: await token('pete') });
    const l2 = await connectComet({ url: server.url, appKey: MULTI.key, token: await token('pete'), sdkVer: '2.5.3' });
    comets.push(e4, l2);
    const ws = await connectRaw({ url: server.url, appKey: MULTI.key, token: await token('pete') });
    sockets.push(ws);
    const upstream = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: new Uint8Array(Buffer.from('{"content":"echo me"}')) });
    const ack = await ws.publish('ppMsgP', 'quinn', upstream);
    const echo = await e4.nextSignal((s) => s.headerCode === 58);
    expect(echo).toMatchObject({ topic: 'ppMsgP', targetId: 'quinn', date: 0 });
    expect(JSON.parse(echo.data ?? '')).toMatchObject({ sessionId: 3, classname: 'RC:TxtMsg', content: '{"content":"echo me"}' });
    const pair = await e4.nextSignal((s) => s.headerCode === 64 && s.messageId === echo.messageId);
    expect(pair).toMatchObject({ status: 0, messageUId: ack.messageUId, timestamp: (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0) });
    // The L2 comet session gets the sendbox notification but no echo.
    await l2.nextSignal((s) => s.topic === 's_ntf');
    expect(l2.signals.some((s) => s.headerCode === 58)).toBe(false);
  });
});
