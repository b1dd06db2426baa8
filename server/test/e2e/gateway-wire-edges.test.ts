/**
 * Wire-level edges of the gateway (WebSocket framing over raw TCP, CMP frames, comet, disabled apps) against a real
 * server process, with raw sockets: bad or unusual input gets its documented answer and never takes the server,
 * the session or stored data down (PROTOCOL.md §2, §3, §7; PROTOCOL-E5.md §2.3).
 */
import type { Socket } from 'node:net';
import { decodeFrame, encodeByName, encodeFrame, type Frame, type QueryAckFrame, type PubackFrame } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { connectComet, type CometRawClient } from '../../../test/support/comet-raw-client';
import { clientFrame, rawUpgrade } from '../../../test/support/ws-client-frames';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

const HOLD_MS = 800;
const IDLE_MS = 1500;

let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];
const comets: CometRawClient[] = [];
const rawSockets: Socket[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const txtMsg = (content: string): Uint8Array => encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: utf8(JSON.stringify({ content })) });
const pullReq = (): Uint8Array => encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });

let seq = 0;
const uid = (name: string): string => `${name}${Date.now().toString(36)}${(seq++).toString(36)}`;

async function tokenFor(userId: string): Promise<string> {
  const res = await api.post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: 'http://example.com/p.png' });
  expect(res.status).toBe(200);
  return res.body.token;
}

async function connect(userId: string, extra: { sdkVer?: string; autoPuback?: boolean } = {}): Promise<RawClient> {
  const c = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: `${await tokenFor(userId)}@`, ...extra });
  clients.push(c);
  expect(c.connack.status).toBe(0);
  return c;
}

async function comet(userId: string, opts: { sdkVer?: string; poll?: boolean } = {}): Promise<CometRawClient> {
  const c = await connectComet({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: await tokenFor(userId), ...opts });
  comets.push(c);
  return c;
}

/** A raw TCP WebSocket, authenticated in the URL; collects decoded server CMP frames. */
interface RawWs {
  socket: Socket;
  frames: Frame[];
  wsFrames: { opcode: number; payload: Buffer }[];
  closed: Promise<void>;
  isClosed: () => boolean;
  waitFrame: (pred: (f: Frame) => boolean, ms?: number) => Promise<Frame>;
}

async function rawWs(userId: string): Promise<RawWs> {
  const token = await tokenFor(userId);
  const port = Number(new URL(server.url).port);
  const up = await rawUpgrade(port, '127.0.0.1', `/websocket?appId=${DEFAULT_TEST_APP.key}&token=${encodeURIComponent(token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`);
  const socket = up.socket;
  rawSockets.push(socket);
  const frames: Frame[] = [];
  const wsFrames: { opcode: number; payload: Buffer }[] = [];
  let buf = Buffer.from(up.rest);
  let closedFlag = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => { closedFlag = true; resolve(); }));
  socket.on('error', () => undefined);
  const parse = (): void => {
    for (;;) {
      if (buf.length < 2) return;
      const b1 = buf[1] as number;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
      if (buf.length < off + len) return;
      const opcode = (buf[0] as number) & 0x0f;
      const payload = buf.subarray(off, off + len);
      wsFrames.push({ opcode, payload: Buffer.from(payload) });
      if (opcode === 2) {
        try { frames.push(decodeFrame(new Uint8Array(payload), 'server')); } catch { /* ignore */ }
      }
      buf = buf.subarray(off + len);
    }
  };
  socket.on('data', (chunk: Buffer) => { buf = Buffer.concat([buf, chunk]); parse(); });
  parse();
  socket.resume();
  const waitFrame = async (pred: (f: Frame) => boolean, ms = 5000): Promise<Frame> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const f = frames.find(pred);
      if (f) return f;
      if (Date.now() > deadline) throw new Error(`no frame; got ${frames.map((x) => x.kind).join(',')}`);
      await sleep(10);
    }
  };
  await waitFrame((f) => f.kind === 'connack');
  return { socket, frames, wsFrames, closed, isClosed: () => closedFlag, waitFrame };
}

const cmp = (frame: Frame): Uint8Array => encodeFrame(frame, 'client');
const queryFrame = (topic: string, targetId: string, messageId: number, payload: Uint8Array, qos = 0): Frame => ({ kind: 'query', dup: false, qos, retain: false, topic, targetId, messageId, payload });
const publishFrameC = (topic: string, targetId: string, messageId: number, payload: Uint8Array, qos = 1, dup = false): Frame => ({ kind: 'publish', dup, qos, retain: false, topic, targetId, messageId, payload });

beforeAll(async () => {
  server = await startServer({
    apps: [DEFAULT_TEST_APP],
    env: { LIANXIN_COMET_HOLD_MS: String(HOLD_MS), LIANXIN_WS_IDLE_TIMEOUT_MS: String(IDLE_MS) },
  });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(comets.splice(0).map((c) => c.stopPolling()));
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of rawSockets.splice(0)) s.destroy();
});

afterAll(async () => {
  await server.stop();
});

async function assertServerAlive(): Promise<void> {
  const c = await connect(uid('alive'));
  await c.ping();
}

describe('WebSocket framing (raw TCP)', () => {
  it('answers several CMP frames coalesced in one TCP write, in order', async () => {
    const u = uid('coal');
    const r = await rawWs(u);
    const bytes = Buffer.concat([
      clientFrame(0x82, new Uint8Array([0xc0])),
      clientFrame(0x82, cmp(queryFrame('noSuchTopic', u, 1, new Uint8Array(0)))),
      clientFrame(0x82, cmp(queryFrame('pullMsg', u, 2, pullReq()))),
      clientFrame(0x82, new Uint8Array([0xc0])),
    ]);
    r.socket.write(bytes);
    await r.waitFrame((f) => f.kind === 'queryack' && f.messageId === 2);
    const kinds = r.frames.slice(1).map((f) => (f.kind === 'queryack' ? `qa${f.messageId}:${f.status}` : f.kind));
    // PINGREQ bypasses the PUBLISH/QUERY queue (session.ts); the QUERYACKs keep their order.
    expect(kinds.filter((k) => k.startsWith('qa'))).toEqual(['qa1:39002', 'qa2:0']);
    expect(kinds.filter((k) => k === 'pingresp')).toHaveLength(2);
  });

  it('reassembles a frame delivered one byte per TCP write', async () => {
    const u = uid('drip');
    const r = await rawWs(u);
    const bytes = clientFrame(0x82, cmp(queryFrame('pullMsg', u, 7, pullReq())), { form: 127 });
    for (let i = 0; i < bytes.length; i++) {
      r.socket.write(bytes.subarray(i, i + 1));
      await sleep(2);
    }
    const ack = (await r.waitFrame((f) => f.kind === 'queryack' && f.messageId === 7)) as QueryAckFrame;
    expect(ack.status).toBe(0);
  });

  it.each([125, 126, 127, 128, 65535, 65536, 70000])('answers a CMP frame of exactly %i bytes', async (size) => {
    const u = uid('len');
    const r = await rawWs(u);
    const head = cmp(queryFrame('noSuchTopic', u, 3, new Uint8Array(0)));
    const frame = new Uint8Array(size);
    frame.set(head);
    r.socket.write(clientFrame(0x82, frame));
    const ack = (await r.waitFrame((f) => f.kind === 'queryack' && f.messageId === 3)) as QueryAckFrame;
    expect(ack.status).toBe(39002);
    // Then the connection keeps working.
    r.socket.write(clientFrame(0x82, new Uint8Array([0xc0])));
    await r.waitFrame((f) => f.kind === 'pingresp');
  });

  it('reassembles a CMP frame fragmented over a binary + continuation frame, with a ping in between, and keeps serving', async () => {
    const u = uid('frag');
    const r = await rawWs(u);
    const q = cmp(queryFrame('pullMsg', u, 9, pullReq()));
    r.socket.write(Buffer.concat([
      clientFrame(0x02, q.subarray(0, 4)),
      clientFrame(0x89, new Uint8Array([1, 2, 3])),
      clientFrame(0x80, q.subarray(4)),
    ]));
    const ack = (await r.waitFrame((f) => f.kind === 'queryack' && f.messageId === 9)) as QueryAckFrame;
    expect(ack.status).toBe(0);
    expect(r.wsFrames.some((w) => w.opcode === 0x0a && hex(w.payload) === '010203')).toBe(true);
    r.socket.write(clientFrame(0x82, new Uint8Array([0xc0])));
    await r.waitFrame((f) => f.kind === 'pingresp');
  });

  it('closes with 1009 a frame announcing multi-MB (64-bit length) and survives', async () => {
    const r = await rawWs(uid('huge'));
    r.socket.write(clientFrame(0x82, new Uint8Array(16), { claimed: 8 * 1024 * 1024 }));
    await Promise.race([r.closed, sleep(5000)]);
    expect(r.isClosed()).toBe(true);
    const close = r.wsFrames.find((w) => w.opcode === 8);
    expect(close && close.payload.readUInt16BE(0)).toBe(1009);
    await assertServerAlive();
  });

  it('closes with 1002 an unmasked client frame', async () => {
    const r = await rawWs(uid('unmasked'));
    r.socket.write(clientFrame(0x82, new Uint8Array([0xc0]), { masked: false }));
    await Promise.race([r.closed, sleep(5000)]);
    expect(r.isClosed()).toBe(true);
    const close = r.wsFrames.find((w) => w.opcode === 8);
    expect(close && close.payload.readUInt16BE(0)).toBe(1002);
  });
});

describe('CMP frames', () => {
  it.each([
    ['type 0', [0x00]],
    ['SUBSCRIBE', [0x80, 0x00]],
    ['type 15', [0xf0]],
    ['truncated PUBLISH topic', [0x32, 0x00, 0x09, 0x61]],
    ['truncated QUERY messageId', [0x50, 0x00, 0x01, 0x61, 0x00, 0x00, 0x00]],
    ['empty message', []],
  ])('closes (1002) on %s and the server survives', async (_name, bytes) => {
    const c = await connect(uid('bad'));
    c.sendRaw(new Uint8Array(bytes as number[]));
    const info = await Promise.race([c.closed, sleep(5000).then(() => undefined)]);
    expect(info?.code).toBe(1002);
    await assertServerAlive();
  });

  it('answers a QUERY with messageId 0 (answerable) and a qos-0 PUBLISH with messageId ≠ 0', async () => {
    const u = uid('ids');
    const c = await connect(u);
    const qa = await c.query('pullMsg', u, pullReq(), { messageId: 0 });
    expect(qa.status).toBe(0);
    const pa = await c.publish('ppMsgP', uid('peer'), txtMsg('qos0'), { qos: 0 });
    expect(pa.status).toBe(0);
    expect(pa.messageUId).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    expect(pa.millisecond).toBeLessThan(1000);
  });

  it('answers a PUBLISH with a corrupt protobuf with an error status, keeps the session, stores nothing', async () => {
    const u = uid('corrupt');
    const peer = uid('peer');
    const c = await connect(u);
    const ack = await c.publish('ppMsgP', peer, new Uint8Array([0x0a, 0xff, 0xff, 0xff]));
    expect(ack.status).not.toBe(0);
    await c.ping();
    const p = await connect(peer);
    const pulled = await p.query('pullMsg', peer, pullReq());
    expect(pulled.status).toBe(0);
    const list = (await import('../../../src/internal')).decodeByName('DownStreamMessages', pulled.payload) as { list?: unknown[] };
    expect(list.list ?? []).toHaveLength(0);
  });

  it('answers a PUBLISH with an empty payload (missing required fields) with an error status', async () => {
    const u = uid('empty');
    const c = await connect(u);
    const ack = await c.publish('ppMsgP', uid('peer'), new Uint8Array(0));
    expect(ack.status).not.toBe(0);
    await c.ping();
  });

  it('answers a QUERY pullMsg with a corrupt payload with an error status and keeps the session', async () => {
    const u = uid('cq');
    const c = await connect(u);
    const ack = await c.query('pullMsg', u, new Uint8Array([0x08, 0xff]));
    expect(ack.status).not.toBe(0);
    await c.ping();
  });

  it('answers a QUERY sent on a PUBLISH topic with a QUERYACK', async () => {
    const u = uid('kindq');
    const c = await connect(u);
    const mid = c.nextMessageId();
    c.send(queryFrame('ppMsgP', uid('peer'), mid, txtMsg('as query')));
    const answer = await c.nextFrame((f) => (f.kind === 'queryack' || f.kind === 'puback') && f.messageId === mid);
    expect(answer.kind).toBe('queryack');
  });

  it('answers a PUBLISH sent on a QUERY topic with a PUBACK', async () => {
    const u = uid('kindp');
    const c = await connect(u);
    const mid = c.nextMessageId();
    c.send(publishFrameC('pullMsg', u, mid, pullReq()));
    const answer = await c.nextFrame((f) => (f.kind === 'queryack' || f.kind === 'puback') && f.messageId === mid);
    expect(answer.kind).toBe('puback');
  });

  it('ignores a CONNECT frame on an open session and keeps it', async () => {
    const c = await connect(uid('conn2'));
    c.sendRaw(Buffer.from('10000652436c6f756403c2003c000263310001 6b000174'.replace(/ /g, ''), 'hex'));
    await c.ping();
    expect(c.isClosed).toBe(false);
  });

  it('closes the socket after a client DISCONNECT', async () => {
    const c = await connect(uid('bye'));
    c.sendRaw(new Uint8Array([0xe0, 0x00, 0x04]));
    const info = await Promise.race([c.closed, sleep(5000).then(() => undefined)]);
    expect(info).toBeDefined();
  });

  it('replays frames sent before the CONNACK after it', async () => {
    const u = uid('early');
    const token = await tokenFor(u);
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/websocket?appId=${DEFAULT_TEST_APP.key}&token=${encodeURIComponent(token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`);
    const got: Frame[] = [];
    ws.on('message', (d: Buffer) => got.push(decodeFrame(new Uint8Array(d), 'server')));
    await new Promise((r) => ws.once('open', r));
    ws.send(cmp(queryFrame('pullMsg', u, 1, pullReq())));
    ws.send(new Uint8Array([0xc0]));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !got.some((f) => f.kind === 'pingresp')) await sleep(20);
    ws.close();
    expect(got[0]?.kind).toBe('connack');
    expect(got.some((f) => f.kind === 'queryack' && f.messageId === 1)).toBe(true);
  });

  it('QUERYACK date is the current time in seconds and PUBACK date/millisecond give the sentTime', async () => {
    const u = uid('dates');
    const c = await connect(u);
    const before = Date.now();
    const qa = await c.query('pullMsg', u, pullReq());
    const pa = await c.publish('ppMsgP', uid('peer'), txtMsg('t'));
    const after = Date.now();
    expect(qa.date).toBeGreaterThanOrEqual(Math.floor(before / 1000) - 1);
    expect(qa.date).toBeLessThanOrEqual(Math.ceil(after / 1000));
    const sent = (pa.date ?? 0) * 1000 + (pa.millisecond ?? 0);
    expect(sent).toBeGreaterThanOrEqual(before - 1000);
    expect(sent).toBeLessThanOrEqual(after + 1000);
  });
});

describe('idle timeout', () => {
  it('keeps a session alive that only sends QUERYs (any client frame is liveness)', async () => {
    const u = uid('idleq');
    const c = await connect(u);
    for (let i = 0; i < 6; i++) {
      await sleep(IDLE_MS / 3);
      await c.query('pullMsg', u, pullReq());
    }
    expect(c.isClosed).toBe(false);
  });
});

describe('comet', () => {
  it('answers the older of two concurrent polls with [] at once', async () => {
    const c = await comet(uid('cp'), { poll: false });
    const first = c.pollOnce();
    await sleep(100);
    const started = Date.now();
    const second = c.pollOnce();
    const r1 = await first;
    expect(r1.text).toBe('[]');
    expect(Date.now() - started).toBeLessThan(HOLD_MS / 2);
    await second;
  });

  it('gives a held poll the DISCONNECT when the session is kicked, then lost session', async () => {
    const u = uid('ck');
    const c = await comet(u, { poll: false });
    const held = c.pollOnce();
    await sleep(100);
    const w = await connect(u);
    await w.ping();
    const r = await held;
    expect(JSON.parse(r.text)).toEqual([{ headerCode: 224, status: 1 }]);
    const again = await c.pollOnce();
    expect(JSON.parse(again.text)).toEqual([{ headerCode: 224, status: 3 }]);
  });

  it('answers a POST to an ended session with the lost-session body', async () => {
    const u = uid('cpost');
    const c = await comet(u, { poll: false });
    const held = c.pollOnce();
    await sleep(50);
    const w = await connect(u);
    await w.ping();
    expect(JSON.parse((await held).text)).toEqual([{ headerCode: 224, status: 1 }]);
    const res = await c.post({ messageid: 1, header: 80, topic: 'pullMsg', targetid: u }, JSON.stringify({ syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
    expect(JSON.parse(res.text)).toEqual([{ headerCode: 224, status: 3 }]);
  });

  it('answers two concurrent POSTs with the same messageid each with something', async () => {
    const u = uid('cdup');
    const c = await comet(u);
    const body = JSON.stringify({ syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });
    const [a, b] = await Promise.all([
      c.post({ messageid: 5, header: 80, topic: 'pullMsg', targetid: u }, body),
      c.post({ messageid: 5, header: 80, topic: 'pullMsg', targetid: u }, body),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
  });

  it('POST without topic for a QUERY header is refused without killing the server', async () => {
    const u = uid('cnotopic');
    const c = await comet(u);
    const res = await c.post({ messageid: 1, header: 80 }, '{}');
    expect([200, 400]).toContain(res.status);
    await assertServerAlive();
  });
});

describe('more CMP edge cases', () => {
  it('destroys the TCP socket of a client that never answers the close handshake after a malformed frame', async () => {
    const r = await rawWs(uid('halfopen'));
    r.socket.write(clientFrame(0x82, new Uint8Array([0xf0])));
    const started = Date.now();
    await Promise.race([r.closed, sleep(6000)]);
    expect(r.isClosed()).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.wsFrames.find((w) => w.opcode === 8)?.payload.readUInt16BE(0)).toBe(1002);
  });

  it('accepts a CESU-8 targetId (non-BMP character sent as two surrogate sequences)', async () => {
    const u = uid('cesu');
    const c = await connect(u);
    const topic = Buffer.from('ppMsgP');
    const target = Buffer.concat([Buffer.from('p'), Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80])]);
    const payload = Buffer.from(txtMsg('cesu'));
    const mid = 11;
    const bytes = Buffer.concat([Buffer.from([0x32]), Buffer.from([0, topic.length]), topic, Buffer.from([0, target.length]), target, Buffer.from([0, mid]), payload]);
    c.sendRaw(new Uint8Array(bytes));
    const ack = await c.nextFrame<PubackFrame>((f) => f.kind === 'puback' && f.messageId === mid);
    expect(c.isClosed).toBe(false);
    expect(typeof ack.status).toBe('number');
  });

  it('answers each of two QUERYs carrying the same messageId', async () => {
    const u = uid('dupid');
    const c = await connect(u);
    c.send(queryFrame('pullMsg', u, 5, pullReq()));
    c.send(queryFrame('pullMsg', u, 5, pullReq()));
    await c.nextFrame((f) => f.kind === 'queryack' && f.messageId === 5);
    await c.nextFrame((f) => f.kind === 'queryack' && f.messageId === 5);
  });

  it('treats PUBLISH header flags leniently (0x33 retain, 0x3a dup, 0x36 qos 3)', async () => {
    const u = uid('flags');
    const c = await connect(u);
    for (const [i, header] of [0x33, 0x3a, 0x36].entries()) {
      const bytes = cmp(publishFrameC('ppMsgP', uid('peer'), 20 + i, txtMsg(`f${i}`)));
      bytes[0] = header;
      c.sendRaw(bytes);
      const ack = await c.nextFrame<PubackFrame>((f) => f.kind === 'puback' && f.messageId === 20 + i);
      expect(ack.status).toBe(0);
    }
  });

});

describe('server-initiated DISCONNECT and CONNACK codes for a disabled app (console)', () => {
  const H = { 'content-type': 'application/json', 'x-lianxin-console': '1' };
  let consoleServer: RunningServer;
  let cookie = '';
  const own: RawClient[] = [];

  const consolePost = async (path: string, body: unknown = {}): Promise<Record<string, unknown>> => {
    const res = await fetch(`${consoleServer.url}${path}`, { method: 'POST', headers: { ...H, cookie }, body: JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown>;
  };

  const newApp = async (): Promise<{ appKey: string; appSecret: string }> => {
    const created = await consolePost('/console/api/apps', { name: 'Hunt' });
    return { appKey: String(created['appKey']), appSecret: String(created['appSecret']) };
  };

  const appToken = async (appKey: string, appSecret: string, userId: string): Promise<string> => {
    const answer = await serverApi(consoleServer.url, appKey, appSecret).post<{ code: number; token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: '' });
    return answer.body.token;
  };

  beforeAll(async () => {
    consoleServer = await startServer({ devApp: true });
    const password = (await consoleServer.stderrMatch(/console admin password: (\S+)/))[1] ?? '';
    const res = await fetch(`${consoleServer.url}/console/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ password }) });
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  });

  afterAll(async () => {
    await Promise.allSettled(own.map((c) => c.close()));
    await consoleServer.stop();
  });

  // PROTOCOL-E5.md §2.3 / §5 item 8: E538 leaves DISCONNECT reasons 0, 3 and 4 unmapped (status DISCONNECTED,
  // code undefined): "Avoid DISCONNECT reasons 0, 3 and 4 for E5 (unmapped); use 1 (kick) or 6 (redirect)."
  it('an engine 5.x session of a disabled app gets a DISCONNECT reason E5 maps (7: token no longer valid), not 0, 3 or 4', async () => {
    const { appKey, appSecret } = await newApp();
    const c = await connectRaw({ url: consoleServer.url, appKey, token: `${await appToken(appKey, appSecret, 'e5user')}@`, sdkVer: '5.38.0', apiVer: 'browser|Chrome|120.0.0.0', query: { protocolVer: '3' } });
    own.push(c);
    expect(c.connack.status).toBe(0);
    await c.ping();
    await consolePost(`/console/api/apps/${appKey}/disable`);
    const d = await c.nextFrame((f) => f.kind === 'disconnect', 5000);
    expect(d.kind === 'disconnect' && d.reason).toBe(7);
  });

  // PROTOCOL.md §3.2: CONNACK 8 = APP_BLOCK_OR_DELETE; E5 maps 8 → 31008 RC_CONN_APP_BLOCKED_OR_DELETED
  // (PROTOCOL-E5.md §2.3, "E5 reports the real code"; §5 item 8 "Send precise CONNACK and DISCONNECT codes").
  it('a connect to a disabled app is answered CONNACK 8 (APP_BLOCK_OR_DELETE), an unknown app 2', async () => {
    const { appKey, appSecret } = await newApp();
    const token = await appToken(appKey, appSecret, 'e5user2');
    await consolePost(`/console/api/apps/${appKey}/disable`);
    const c = await connectRaw({ url: consoleServer.url, appKey, token: `${token}@`, sdkVer: '5.38.0', query: { protocolVer: '3' } });
    own.push(c);
    expect(c.connack.status).toBe(8);
    const unknown = await connectRaw({ url: consoleServer.url, appKey: `${appKey}x`, token: `${token}@`, sdkVer: '5.38.0', query: { protocolVer: '3' } });
    own.push(unknown);
    expect(unknown.connack.status).toBe(2);
    // Enabled again: the same token connects.
    await consolePost(`/console/api/apps/${appKey}/enable`);
    const again = await connectRaw({ url: consoleServer.url, appKey, token: `${token}@`, sdkVer: '5.38.0', query: { protocolVer: '3' } });
    own.push(again);
    expect(again.connack.status).toBe(0);
  });

  it('a 2.x session of a disabled app gets DISCONNECT 3 (E4: DISCONNECT_BY_SERVER, no reconnect)', async () => {
    const { appKey, appSecret } = await newApp();
    const c = await connectRaw({ url: consoleServer.url, appKey, token: await appToken(appKey, appSecret, 'e4user') });
    own.push(c);
    expect(c.connack.status).toBe(0);
    await c.ping();
    await consolePost(`/console/api/apps/${appKey}/disable`);
    const d = await c.nextFrame((f) => f.kind === 'disconnect', 5000);
    expect(d.kind === 'disconnect' && d.reason).toBe(3);
  });
});

describe('comet message ids', () => {
  // PROTOCOL.md §5.1: "Client (comet) E4: unbounded counter (can exceed 65535, only appears as a URL parameter)";
  // §10.5: "L2 keeps its messageId counter across reloads … don't assume ids restart at 1".
  it('answers QUERY and PUBLISH POSTs with messageid above 65535 inline with that id', async () => {
    const u = uid('bigid');
    const c = await comet(u);
    const body = JSON.stringify({ syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });
    const started = Date.now();
    const q = await c.post({ messageid: 70000, header: 80, topic: 'pullMsg', targetid: u }, body);
    expect(Date.now() - started).toBeLessThan(HOLD_MS);
    expect(JSON.parse(q.text)).toMatchObject([{ headerCode: 96, messageId: 70000, status: 0 }]);
    const p = await c.post({ messageid: 70001, header: 50, topic: 'ppMsgP', targetid: uid('peer') }, JSON.stringify({ sessionId: 3, configFlag: 0, classname: 'RC:TxtMsg', content: '{"content":"big"}' }));
    expect(JSON.parse(p.text)).toMatchObject([{ headerCode: 64, messageId: 70001, status: 0 }]);
  });
});

describe('no half-open sessions', () => {
  const online = async (userId: string): Promise<string> => {
    const res = await api.post<{ status: string }>('/user/checkOnline.json', { userId });
    return res.body.status;
  };

  it.each([
    ['TCP reset without a close frame', (r: RawWs) => r.socket.destroy()],
    ['a malformed CMP frame', (r: RawWs) => r.socket.write(clientFrame(0x82, new Uint8Array([0x00])))],
    ['a text frame', (r: RawWs) => r.socket.write(clientFrame(0x81, new Uint8Array(Buffer.from('hi'))))],
    ['a client DISCONNECT', (r: RawWs) => r.socket.write(clientFrame(0x82, new Uint8Array([0xe0, 0, 4])))],
    ['a close frame', (r: RawWs) => r.socket.write(clientFrame(0x88, new Uint8Array([0x03, 0xe8])))],
  ])('the user is offline right after %s', async (_name, end) => {
    const u = uid('half');
    const r = await rawWs(u);
    r.socket.write(clientFrame(0x82, new Uint8Array([0xc0])));
    await r.waitFrame((f) => f.kind === 'pingresp');
    expect(await online(u)).toBe('1');
    end(r);
    const deadline = Date.now() + 3000;
    let status = '1';
    while (Date.now() < deadline && (status = await online(u)) === '1') await sleep(50);
    expect(status).toBe('0');
  });

  it('a comet session that ended by a kick is not reported online for the kicked device, and the new one is', async () => {
    const u = uid('halfc');
    const c = await comet(u);
    await sleep(50);
    expect(await online(u)).toBe('1');
    const w = await connect(u);
    await w.ping();
    await c.nextSignal((s) => s.headerCode === 224);
    await w.close();
    const deadline = Date.now() + 3000;
    let status = '1';
    while (Date.now() < deadline && (status = await online(u)) === '1') await sleep(50);
    expect(status).toBe('0');
  });
});
