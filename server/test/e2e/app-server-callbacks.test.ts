/**
 * Server → App Server callbacks against the real server process and a real local App Server
 * (SERVER_API.md §5): every request signed in every variant; message routing of every client message as a
 * form POST, at least once across an App Server outage and a server restart; user online/offline and chatroom
 * status syncs as JSON arrays; pre-delivery moderation with pass, block, replace and both failure modes.
 * Then, each on a server of its own: routing against an App Server that hangs or stays down (the bounded
 * queue), non-ASCII content, a callback in flight at SIGTERM, a session's offline event across a graceful
 * restart, and callback URLs changed by SIGHUP.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { decodeByName, encodeByName, type PubackFrame, type PublishFrame } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { AppServerReceiver, type Answer, type ReceivedCallback } from './app-server-receiver';
import { connectUser, isPush, text, uniqueId, upstream, waitFor } from './e2e-support';

const APP = { key: 'lxcallbacks', secret: 'lxcallbackssecret' };
const CLOSED = { key: 'lxfailclosed', secret: 'lxfailclosedsecret' };
/** The app of the tests that start servers of their own (callback paths `/h…`, answered by `respond`). */
const OWN = { key: 'lxcallbacksown', secret: 'lxcallbacksownsecret' };
const failedOnce = new Set<string>();
let respond: (request: ReceivedCallback) => Answer | undefined = () => undefined;
const receiver = new AppServerReceiver({ [APP.key]: APP.secret, [CLOSED.key]: CLOSED.secret, [OWN.key]: OWN.secret }, (request) => {
  const own = respond(request);
  if (own !== undefined) return own;
  const form = new URLSearchParams(request.body);
  const content = form.get('content') ?? '';
  if (request.path === '/route' && content.includes('FLAKY') && !failedOnce.has(form.get('msgUID') ?? '')) {
    failedOnce.add(form.get('msgUID') ?? '');
    return { status: 500 };
  }
  // Slow routing keeps requests in flight when the receiver dies.
  if (request.path === '/route' && content.includes('SLOWROUTE')) return { delayMs: 100 };
  if (request.path !== '/moderate') return undefined;
  if (content.includes('BLOCKME')) return { body: '{"pass":0}' };
  if (content.includes('REPLACEME')) return { body: JSON.stringify({ pass: 1, replaceContent: '{"content":"***"}', pushContent: 'masked' }) };
  if (content.includes('PLAINREPLACE')) return { body: '{"pass":"1","replaceContent":"[censored]"}' };
  if (content.includes('SLOW')) return { delayMs: 1500, body: '{"pass":0}' };
  return { body: '{"pass":1}' };
});
let server: RunningServer;
let api: ServerApiClient;
let dataDir: string;
const clients: RawClient[] = [];

function apps(): TestApp[] {
  const timing = { callbackRetryMs: 50, callbackRetryMaxMs: 200, statusBatchMs: 50, moderationTimeoutMs: 400, maxSendRate: 1000, multiDevice: true };
  return [
    {
      ...APP,
      options: {
        ...timing,
        messageRouteUrl: receiver.encodedUrl('/route'),
        userStatusUrl: receiver.encodedUrl('/status'),
        chatroomStatusUrl: receiver.encodedUrl('/chatroom'),
        moderationUrl: receiver.encodedUrl('/moderate'),
      },
    },
    { ...CLOSED, options: { ...timing, moderationUrl: receiver.encodedUrl('/moderate'), moderationFailOpen: false } },
  ];
}

async function launch(): Promise<void> {
  server = await startServer({ apps: apps(), dataDir });
  api = serverApi(server.url, APP.key, APP.secret);
}

const connect = (userId: string, app = APP, client = api): Promise<RawClient> => connectUser(server.url, app.key, client, userId, clients);
const sentTime = (ack: PubackFrame): number => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
const routed = (): URLSearchParams[] => receiver.on('/route').map((r) => new URLSearchParams(r.body));
const routedUid = (uid: string | undefined): URLSearchParams | undefined => routed().find((f) => f.get('msgUID') === uid);
const events = (path: string): Record<string, unknown>[] => receiver.on(path).flatMap((r: ReceivedCallback) => JSON.parse(r.body) as Record<string, unknown>[]);

beforeAll(async () => {
  await receiver.start();
  dataDir = mkdtempSync(joinPath(tmpdir(), 'lianxin-callbacks-'));
  await launch();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
  await receiver.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('message routing', () => {
  it('POSTs every client message once as a signed form (private, group, chatroom), but not status or API messages', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(a);
    await connect(b);
    const group = uniqueId('g');
    expect((await api.post('group/create', { userId: [a, b], groupId: group, groupName: 'G' })).status).toBe(200);
    const room = uniqueId('r');
    expect((await ca.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }))).status).toBe(0);

    const p = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'private' }));
    const g = await ca.publish('pgMsgP', group, encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: Buffer.from('{"content":"group"}'), userId: [b] }));
    const c = await ca.publish('chatMsg', room, upstream('RC:TxtMsg', { content: 'room' }));
    ca.send({ kind: 'publish', dup: false, qos: 0, retain: false, topic: 'ppMsgS', targetId: b, messageId: 0, payload: upstream('RC:TypSts', { typingContentType: 'RC:TxtMsg' }, 0) });
    await api.post('message/private/publish', { fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: '{"content":"api"}' });
    await waitFor(() => [p, g, c].every((ack) => routedUid(ack.messageUId) !== undefined), 10_000, 'routing');

    expect(Object.fromEntries(routedUid(p.messageUId) ?? [])).toEqual({
      fromUserId: a, toUserId: b, objectName: 'RC:TxtMsg', content: '{"content":"private"}', channelType: 'PERSON', msgTimestamp: String(sentTime(p)),
      msgUID: p.messageUId, originalMsgUID: '', sensitiveType: '0', source: 'Websocket', busChannel: '', aiGenerated: 'false',
    });
    expect(routedUid(g.messageUId)?.get('channelType')).toBe('GROUP');
    expect(routedUid(g.messageUId)?.getAll('groupUserIds')).toEqual([b]);
    expect(routedUid(c.messageUId)?.get('channelType')).toBe('TEMPGROUP');
    expect(routedUid(c.messageUId)?.get('toUserId')).toBe(room);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(routed().filter((f) => f.get('fromUserId') === a)).toHaveLength(3);
    expect(receiver.received.every((r) => r.signed)).toBe(true);
    expect(receiver.on('/route').every((r) => r.contentType === 'application/x-www-form-urlencoded')).toBe(true);
  });

  it('loses nothing when the App Server dies mid-stream and the IM server restarts meanwhile, in send order', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    let ca = await connect(a);
    await connect(b);
    const uids: string[] = [];
    const sendSome = async (from: RawClient, label: string, count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const ack = await from.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: `${label} ${i}` }));
        expect(ack.status).toBe(0);
        uids.push(ack.messageUId ?? '');
      }
    };
    await sendSome(ca, 'before FLAKY SLOWROUTE', 3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await receiver.kill();
    // Moderation is down too: the app fails open, so sends still succeed while routing queues up.
    await sendSome(ca, 'during', 5);
    await server.stop();
    await launch();
    ca = await connect(a);
    await sendSome(ca, 'after restart', 2);
    await receiver.start();
    await waitFor(() => uids.every((uid) => routedUid(uid) !== undefined), 15_000, 'every message routed');
    const order = routed().filter((f) => uids.includes(f.get('msgUID') ?? '')).map((f) => f.get('msgUID'));
    expect([...new Set(order)]).toEqual(uids);
  });
});

describe('status syncs', () => {
  it('user online/offline: JSON arrays of per-session events', async () => {
    const u = uniqueId('u');
    const client = await connect(u);
    await waitFor(() => events('/status').some((e) => e['userid'] === u && e['status'] === '0'), 5000, 'online event');
    await client.close();
    await waitFor(() => events('/status').some((e) => e['userid'] === u && e['status'] === '1'), 5000, 'offline event');
    const mine = events('/status').filter((e) => e['userid'] === u);
    expect(mine[0]).toEqual({ userid: u, status: '0', os: 'Websocket', time: expect.any(Number), clientIp: expect.stringMatching(/127\.0\.0\.1/), sessionId: expect.any(String) });
    expect(mine[1]?.['sessionId']).toBe(mine[0]?.['sessionId']);
    expect(receiver.on('/status').every((r) => r.contentType === 'application/json' && r.signed)).toBe(true);
  });

  it('chatroom create, join, quit and destroy with their causes', async () => {
    const [u, room] = [uniqueId('u'), uniqueId('room')];
    expect((await api.post('chatroom/create', { [`chatroom[${room}]`]: 'Room' })).status).toBe(200);
    const client = await connect(u);
    expect((await client.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }))).status).toBe(0);
    expect((await client.query('exitChrm', room, encodeByName('ChrmInput', { nothing: 1 }))).status).toBe(0);
    expect((await api.post('chatroom/destroy', { chatroomId: room })).status).toBe(200);
    await waitFor(() => events('/chatroom').filter((e) => e['chatRoomId'] === room).length >= 4, 5000, 'chatroom events');
    const mine = events('/chatroom').filter((e) => e['chatRoomId'] === room).map(({ time, ...rest }) => ({ ...rest, time: typeof time }));
    expect(mine).toEqual([
      { chatRoomId: room, userIds: [], type: 0, status: 0, time: 'number' },
      { chatRoomId: room, userIds: [u], type: 1, status: 0, time: 'number' },
      { chatRoomId: room, userIds: [u], type: 2, status: 0, time: 'number' },
      { chatRoomId: room, userIds: [], type: 3, status: 0, time: 'number' },
    ]);
  });
});

describe('pre-delivery moderation', () => {
  async function pullText(client: RawClient): Promise<{ content: unknown; push: string }[]> {
    const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
    return decodeByName('DownStreamMessages', ack.payload).list.map((m) => ({ content: JSON.parse(text(m.content)) as unknown, push: m.pushContent ?? '' }));
  }

  it('blocks (21501, nothing delivered or routed), replaces content and push text, and reviews the documented fields', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    const blocked = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'BLOCKME now' }));
    expect(blocked.status).toBe(21501);
    const replaced = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'REPLACEME' }));
    const plain = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'PLAINREPLACE', extra: 'e' }));
    expect([replaced.status, plain.status]).toEqual([0, 0]);
    await cb.nextFrame<PublishFrame>(isPush('s_ntf'));
    expect(await pullText(cb)).toEqual([
      { content: { content: '***' }, push: 'masked' },
      { content: { content: '[censored]', extra: 'e' }, push: '' },
    ]);
    await waitFor(() => routedUid(plain.messageUId) !== undefined, 5000, 'routing of the replaced message');
    expect(routedUid(replaced.messageUId)?.get('content')).toBe('{"content":"***"}');
    expect(routed().some((f) => (f.get('content') ?? '').includes('BLOCKME'))).toBe(false);
    const review = receiver.on('/moderate').map((r) => new URLSearchParams(r.body)).find((f) => f.get('content')?.includes('BLOCKME'));
    expect(Object.fromEntries(review ?? [])).toMatchObject({
      appKey: APP.key, fromUserId: a, targetId: b, toUserIds: b, msgType: 'RC:TxtMsg', channelType: 'PERSON', os: 'Websocket',
      msgTimeStamp: expect.stringMatching(/^\d{13}$/), messageId: expect.stringMatching(/^[0-9A-V]{4}(-[0-9A-V]{4}){3}$/),
      clientIp: expect.stringMatching(/127\.0\.0\.1/),
    });
  });

  it('on timeout delivers when failing open and refuses with 30014 when failing closed', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(a);
    const started = Date.now();
    expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'SLOW' }))).status).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);

    const closedApi = serverApi(server.url, CLOSED.key, CLOSED.secret);
    const cc = await connect(a, CLOSED, closedApi);
    expect((await cc.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'SLOW' }))).status).toBe(30014);
    expect((await cc.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'fine' }))).status).toBe(0);
    expect((await cc.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'BLOCKME' }))).status).toBe(21501);
  });
});

describe('on a server of its own', () => {
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const servers: RunningServer[] = [];
  const scratch: string[] = [];
  const routedUids = (): string[] => receiver.on('/hroute').map((r) => new URLSearchParams(r.body).get('msgUID') ?? '');

  function tempDir(name: string): string {
    const dir = mkdtempSync(joinPath(tmpdir(), `lianxin-callbacks-${name}-`));
    scratch.push(dir);
    return dir;
  }

  async function launchOwn(options: Record<string, string | number | boolean>, ownDataDir?: string): Promise<{ server: RunningServer; api: ServerApiClient }> {
    const own = await startServer({
      apps: [{ ...OWN, options: { maxSendRate: 1000, multiDevice: true, ...options } }],
      ...(ownDataDir === undefined ? {} : { dataDir: ownDataDir }),
    });
    servers.push(own);
    return { server: own, api: serverApi(own.url, OWN.key, OWN.secret) };
  }

  afterEach(async () => {
    respond = () => undefined;
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await Promise.all(servers.splice(0).map((s) => s.stop().catch(() => undefined)));
  });

  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('an App Server that never answers delays no send, and every message is routed in order once it answers', async () => {
    let hang = true;
    respond = (r) => (r.path === '/hroute' && hang ? { delayMs: 60_000 } : undefined);
    const own = await launchOwn({ messageRouteUrl: receiver.encodedUrl('/hroute'), callbackTimeoutMs: 300, callbackRetryMs: 100, callbackRetryMaxMs: 400 });
    const ca = await connectUser(own.server.url, OWN.key, own.api, uniqueId('a'), clients);
    const b = uniqueId('b');
    const uids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const ack = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: `hang ${i}` }), { timeoutMs: 5000 });
      expect(ack.status).toBe(0);
      uids.push(ack.messageUId ?? '');
    }
    // 20 sends with a hung App Server: not one callback timeout (300 ms) per message.
    expect(Date.now() - started).toBeLessThan(5000);
    await sleep(1000);
    hang = false;
    await waitFor(() => uids.every((uid) => routedUids().includes(uid)), 30_000, 'every message routed');
    expect([...new Set(routedUids().filter((u) => uids.includes(u)))]).toEqual(uids);
  });

  it('keeps at most callbackQueueMax callbacks while the App Server is down, dropping the oldest', async () => {
    const own = await launchOwn({ messageRouteUrl: receiver.encodedUrl('/hroute'), callbackQueueMax: 5, callbackRetryMs: 100, callbackRetryMaxMs: 200 });
    let down = true;
    respond = (r) => (r.path === '/hroute' && down ? { status: 503 } : undefined);
    const ca = await connectUser(own.server.url, OWN.key, own.api, uniqueId('a'), clients);
    const b = uniqueId('b');
    const uids: string[] = [];
    for (let i = 0; i < 15; i++) {
      const ack = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: `bound ${i}` }));
      expect(ack.status).toBe(0);
      uids.push(ack.messageUId ?? '');
    }
    await sleep(500);
    down = false;
    const last = uids.slice(-5);
    await waitFor(() => last.every((uid) => routedUids().includes(uid)), 15_000, 'the newest five routed');
    await sleep(500);
    const got = routedUids().filter((u) => uids.includes(u));
    // The newest 5 and at most one more (the head that was in flight when the bound trimmed it).
    expect(got.length).toBeLessThanOrEqual(6);
    expect(got.slice(-5)).toEqual(last);
  });

  it('routes non-ASCII content intact as UTF-8 form data', async () => {
    const own = await launchOwn({ messageRouteUrl: receiver.encodedUrl('/hroute') });
    const ca = await connectUser(own.server.url, OWN.key, own.api, uniqueId('a'), clients);
    const body = '你好 🌏 a&b=c+d%20';
    const ack = await ca.publish('ppMsgP', uniqueId('b'), upstream('RC:TxtMsg', { content: body }));
    await waitFor(() => routedUids().includes(ack.messageUId ?? ''), 10_000, 'routed');
    const form = receiver.on('/hroute').map((r) => new URLSearchParams(r.body)).find((f) => f.get('msgUID') === ack.messageUId);
    expect(JSON.parse(form?.get('content') ?? '{}')).toEqual({ content: body });
  });

  it('SIGTERM while the App Server hangs on a routing request exits 0 promptly, and the callback is delivered after the restart', async () => {
    const ownDataDir = tempDir('hangterm');
    let hang = true;
    respond = (r) => (r.path === '/hroute' && hang ? { delayMs: 60_000 } : undefined);
    const opts = { messageRouteUrl: receiver.encodedUrl('/hroute'), callbackTimeoutMs: 30_000, callbackRetryMs: 100, callbackRetryMaxMs: 300 };
    const first = await launchOwn(opts, ownDataDir);
    const ca = await connectUser(first.server.url, OWN.key, first.api, uniqueId('a'), clients);
    const ack = await ca.publish('ppMsgP', uniqueId('b'), upstream('RC:TxtMsg', { content: 'in flight at shutdown' }));
    await sleep(500);
    const t0 = Date.now();
    expect((await first.server.stop()).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(12_000);
    hang = false;
    await launchOwn(opts, ownDataDir);
    await waitFor(() => routedUids().includes(ack.messageUId ?? ''), 15_000, 'routed after restart');
  });

  it('a session closed by SIGTERM gets its offline event, delivered after the next start', async () => {
    const ownDataDir = tempDir('status');
    let down = true;
    respond = (r) => (r.path === '/hstatus' && down ? { status: 503 } : undefined);
    const opts = { userStatusUrl: receiver.encodedUrl('/hstatus'), statusBatchMs: 50, callbackRetryMs: 100, callbackRetryMaxMs: 300 };
    const first = await launchOwn(opts, ownDataDir);
    const u = uniqueId('u');
    const client = await connectUser(first.server.url, OWN.key, first.api, u, clients);
    const sessionId = client.connack.sessionId;
    await sleep(300);
    expect((await first.server.stop()).code).toBe(0);
    down = false;
    await launchOwn(opts, ownDataDir);
    await waitFor(() => events('/hstatus').some((e) => e['userid'] === u && e['status'] === '1'), 15_000, 'offline event after restart');
    const mine = events('/hstatus').filter((e) => e['userid'] === u);
    expect(mine.map((e) => e['status'])).toEqual(['0', '1']);
    if (sessionId !== undefined) expect(mine.every((e) => e['sessionId'] === sessionId)).toBe(true);
  });

  it('callbacks queued for a dead URL go to the new URL after SIGHUP changes messageRouteUrl', async () => {
    const file = joinPath(tempDir('reload'), 'config.json');
    const write = (path: string): void =>
      writeFileSync(file, JSON.stringify({ apps: [{ appKey: OWN.key, appSecret: OWN.secret, maxSendRate: 1000, messageRouteUrl: `${receiver.url}${path}`, callbackRetryMs: 100, callbackRetryMaxMs: 300 }] }));
    write('/hdead');
    respond = (r) => (r.path === '/hdead' ? { status: 500 } : undefined);
    const own = await startServer({ apps: [], args: ['--config', file] });
    servers.push(own);
    const ownApi = serverApi(own.url, OWN.key, OWN.secret);
    const ca = await connectUser(own.url, OWN.key, ownApi, uniqueId('a'), clients);
    const b = uniqueId('b');
    const uids: string[] = [];
    for (let i = 0; i < 3; i++) uids.push((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: `reload ${i}` }))).messageUId ?? '');
    await sleep(500);
    write('/hroute');
    own.proc.kill('SIGHUP');
    await waitFor(() => uids.every((uid) => routedUids().includes(uid)), 15_000, 'queued callbacks routed to the new URL');
  });
});
