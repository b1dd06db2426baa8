import { createEngine, type Engine, type EngineOptions, type StateChange } from '../../../src/client/im-engine';
import { EngineError } from '../../../src/client/engine-error';
import { F, FakeHost, NAVI_BODY } from './fake-host';

const NAVI = 'http://navi.test:9000';

function setup(options: Partial<EngineOptions> = {}) {
  const host = new FakeHost();
  const engine = createEngine({ platform: host.adapter, appKey: 'appkey1', navi: [NAVI], sdkVersion: '2.9.2', random: () => 0.5, ...options });
  const changes: StateChange[] = [];
  engine.on('state', (c) => changes.push(c));
  const trail = () => changes.map((c) => `${c.from}>${c.to}:${c.cause.kind}`);
  return { host, engine, changes, trail };
}

async function settle(host: FakeHost, ms = 0): Promise<void> {
  await host.clock.advance(ms);
}

/** Runs a connect through navi/ping and answers with an accepted CONNACK. */
async function connectNow(host: FakeHost, engine: Engine, token = 'tok1') {
  const result = engine.connect(token);
  await settle(host);
  const socket = host.lastSocket;
  socket.open();
  socket.deliver(F.connack(0));
  await settle(host);
  return { result: await result, socket };
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(e instanceof EngineError)) throw new Error(`expected EngineError, got ${String(e)}`);
  return e;
}

describe('engine connect', () => {
  it('navi → ping → WebSocket → CONNACK, then PINGREQ at once', async () => {
    const { host, engine, trail } = setup();
    const { result, socket } = await connectNow(host, engine, 'tok/+1');
    expect(result).toEqual({ userId: 'user1' });
    const navi = new URL(host.requestsTo('/navi.js')[0]?.url ?? '');
    expect(navi.origin).toBe(NAVI);
    expect(navi.search).toMatch(/^\?appId=appkey1&token=tok%2F%2B1&callBack=getServerEndpoint&v=2\.9\.2&r=\d+$/);
    expect(host.requestsTo('/ping')[0]?.url).toMatch(/^http:\/\/cmp\.test:8080\/ping\?r=\d{4}$/);
    expect(socket.url).toMatch(/^ws:\/\/cmp\.test:8080\/websocket\?appId=appkey1&token=tok%2F%2B1&sdkVer=2\.9\.2&apiVer=normal&lianxin=/);
    expect(socket.kinds()).toEqual(['pingreq']);
    expect(engine.state).toBe('connected');
    expect(engine.userId).toBe('user1');
    expect(engine.connectedAt).toBe(1_700_000_000_500);
    expect(engine.serverTimeDelta).toBe(1_700_000_000_500 - host.clock.now());
    expect(engine.navi?.['server']).toBe('cmp.test:8080');
    expect(trail()).toEqual(['idle>connecting:user', 'connecting>connected:accepted']);
  });

  it('a token with @navi hosts asks those navigators first and sends the token cut at @', async () => {
    const { host, engine } = setup();
    host.http = (_req, url) => {
      if (url.host === 'tn.test') return 'fail';
      if (url.pathname === '/navi.js') return { status: 200, body: NAVI_BODY() };
      return { status: 200, body: '' };
    };
    await connectNow(host, engine, 'abc@tn.test;http://tn2.test');
    const navis = host.requestsTo('/navi.js').map((r) => new URL(r.url));
    expect(navis.map((u) => u.origin)).toEqual(['https://tn.test', 'http://tn2.test']);
    expect(navis[0]?.searchParams.get('token')).toBe('abc@');
    expect(host.lastSocket.query.get('token')).toBe('abc@');
  });

  it('https navi → wss and https ping', async () => {
    const { host, engine } = setup({ navi: ['https://secure.test/'] });
    await connectNow(host, engine);
    expect(host.requestsTo('/navi.js')[0]?.url.startsWith('https://secure.test/navi.js?')).toBe(true);
    expect(host.lastSocket.url.startsWith('wss://cmp.test:8080/websocket?')).toBe(true);
  });

  it('already connected → resolves with the same user; connecting → 33006; empty token → 31004', async () => {
    const { host, engine } = setup();
    expect((await rejection(engine.connect(''))).code).toBe(31004);
    const first = engine.connect('tok');
    expect((await rejection(engine.connect('tok'))).code).toBe(33006);
    await settle(host);
    host.lastSocket.open();
    host.lastSocket.deliver(F.connack(0, 'me'));
    await first;
    expect(await engine.connect('other')).toEqual({ userId: 'me' });
  });

  it.each([
    [4, 31004, 'token-incorrect'],
    [9, 31009, 'blocked'],
    [2, 31002, 'rejected'],
    [10, 31020, 'rejected'],
    [3, 35008, 'rejected'],
  ])('CONNACK status %i → rejects %i, closed by %s, no retry', async (status, code, cause) => {
    const { host, engine, changes } = setup();
    const p = engine.connect('tok');
    await settle(host);
    host.lastSocket.open();
    host.lastSocket.deliver(F.connack(status));
    const e = await rejection(p);
    expect(e.code).toBe(code);
    expect(engine.state).toBe('closed');
    expect(changes[changes.length - 1]?.cause.kind).toBe(cause);
    await settle(host, 120_000);
    expect(host.sockets).toHaveLength(1);
  });

  it('CONNACK 6 (redirect) asks navi again and connects to the new host', async () => {
    const { host, engine } = setup();
    let round = 0;
    host.http = (_req, url) => {
      if (url.pathname === '/navi.js') return { status: 200, body: NAVI_BODY(round++ === 0 ? 'old.test:1' : 'new.test:2') };
      return { status: 200, body: '' };
    };
    const p = engine.connect('tok');
    await settle(host);
    host.lastSocket.open();
    host.lastSocket.deliver(F.connack(6));
    await settle(host);
    expect(host.lastSocket.url.startsWith('ws://new.test:2/')).toBe(true);
    host.lastSocket.open();
    host.lastSocket.deliver(F.connack(0));
    expect(await p).toEqual({ userId: 'user1' });
    expect(host.requestsTo('/navi.js')).toHaveLength(2);
  });

  it('navi failure → 30007; navi without hosts → 30009; no host answers /ping → 30010; type 1 → 35006', async () => {
    const cases: Array<[(req: unknown, url: URL) => ReturnType<FakeHost['http']>, number]> = [
      (() => {
        const h = (_r: unknown, url: URL) => (url.pathname === '/navi.js' ? ({ status: 500, body: '' } as const) : ({ status: 200, body: '' } as const));
        return [h, 30007] as [typeof h, number];
      })(),
      [(_r, url) => (url.pathname === '/navi.js' ? { status: 200, body: 'getServerEndpoint({"server":"","backupServer":""});' } : { status: 200, body: '' }), 30009],
      [(_r, url) => (url.pathname === '/navi.js' ? { status: 200, body: NAVI_BODY() } : 'fail'), 30010],
      [(_r, url) => (url.pathname === '/navi.js' ? { status: 200, body: NAVI_BODY('a:1', ',"type":1') } : { status: 200, body: '' }), 35006],
    ];
    for (const [handler, code] of cases) {
      const { host, engine } = setup();
      host.http = handler;
      const p = engine.connect('tok');
      await settle(host);
      expect((await rejection(p)).code).toBe(code);
      expect(engine.state).toBe('closed');
      expect(host.sockets).toHaveLength(0);
    }
  });

  it('gives up 10 s after navi answered with 31000 when nothing else answers', async () => {
    const { host, engine } = setup();
    host.http = (_r, url) => (url.pathname === '/navi.js' ? { status: 200, body: NAVI_BODY() } : url.pathname === '/ping' ? { status: 200, body: '' } : 'hang');
    const p = engine.connect('tok');
    const outcome = p.then(
      () => 'resolved',
      (e: EngineError) => e.code,
    );
    await settle(host, 9_999);
    expect(engine.state).toBe('connecting');
    await settle(host, 1);
    expect(await outcome).toBe(31000);
    expect(engine.state).toBe('closed');
    expect(host.lastSocket.closedByClient).toBe(true);
  });

  // PROTOCOL §2.1: navigators in order, 10 s each; the 10 s connect budget starts once navi answered.
  it('a hung navigator gets its 10 s, then the next one is asked and the connect goes through', async () => {
    const { host, engine } = setup();
    host.http = (_r, url) => (url.host === 'hung.test' ? 'hang' : url.pathname === '/navi.js' ? { status: 200, body: NAVI_BODY() } : { status: 200, body: '' });
    const outcome = engine.connect('tok@http://hung.test').then(
      (r) => r,
      (e: EngineError) => e.code,
    );
    await settle(host, 9_999);
    expect(host.requestsTo('/navi.js')).toHaveLength(1);
    expect(engine.state).toBe('connecting');
    await settle(host, 1);
    expect(host.requestsTo('/navi.js').map((r) => new URL(r.url).origin)).toEqual(['http://hung.test', NAVI]);
    host.lastSocket.open();
    host.lastSocket.deliver(F.connack(0));
    expect(await outcome).toEqual({ userId: 'user1' });
  });

  it('every navigator hangs: 30007 once each had its 10 s, not 31000', async () => {
    const { host, engine } = setup({ navi: [NAVI, 'http://navi2.test'] });
    host.http = () => 'hang';
    const outcome = engine.connect('tok').then(
      () => 'resolved',
      (e: EngineError) => e.code,
    );
    await settle(host, 19_999);
    expect(engine.state).toBe('connecting');
    expect(host.requestsTo('/navi.js')).toHaveLength(2);
    await settle(host, 1);
    expect(await outcome).toBe(30007);
    expect(engine.state).toBe('closed');
  });

  it('disconnect() during connect cancels it: rejects, closed, nothing opens later', async () => {
    const { host, engine, trail } = setup();
    const p = engine.connect('tok');
    await settle(host);
    const socket = host.lastSocket;
    await engine.disconnect();
    expect((await rejection(p)).code).toBe(30011);
    socket.open();
    socket.deliverRaw(F.connack(0));
    await settle(host, 60_000);
    expect(engine.state).toBe('closed');
    expect(socket.closedByClient).toBe(true);
    expect(host.sockets).toHaveLength(1);
    expect(trail()).toEqual(['idle>connecting:user', 'connecting>closed:user']);
    expect(host.lifecycleListenerCount).toBe(0);
  });

  it('reconnect() needs a prior disconnect (35007), then reuses the token', async () => {
    const { host, engine } = setup();
    expect((await rejection(engine.reconnect())).code).toBe(35007);
    await connectNow(host, engine, 'tokR');
    expect((await rejection(engine.reconnect())).code).toBe(35007);
    await engine.disconnect();
    const p = engine.reconnect();
    await settle(host);
    expect(host.lastSocket.query.get('token')).toBe('tokR');
    host.lastSocket.open();
    host.lastSocket.deliver(F.connack(0));
    expect(await p).toEqual({ userId: 'user1' });
  });
});

describe('engine requests', () => {
  it('PUBLISH → PUBACK resolves status, sentTime and messageUId; ids count up from 1', async () => {
    const { host, engine } = setup();
    const { socket } = await connectNow(host, engine);
    const payload = Uint8Array.of(8, 3);
    const a = engine.publish('ppMsgP', 'user2', payload);
    const b = engine.publish('pgMsgP', 'group1', payload);
    const [pa, pb] = socket.sent.slice(1);
    expect(pa).toMatchObject({ kind: 'publish', qos: 1, topic: 'ppMsgP', targetId: 'user2', messageId: 1 });
    expect(pb).toMatchObject({ kind: 'publish', topic: 'pgMsgP', messageId: 2 });
    socket.deliver(F.puback(2, 22406, 1_700_000_009, 0, ''));
    socket.deliver(F.puback(1));
    expect(await a).toEqual({ status: 0, sentTime: 1_700_000_001_234, messageUId: 'AAAA-BBBB-CCCC-DDDD' });
    expect(await b).toEqual({ status: 22406, sentTime: 1_700_000_009_000, messageUId: '' });
  });

  it('status messages go out with messageId 0 and resolve at once; a PUBACK 0 matches nothing', async () => {
    const { host, engine } = setup();
    const { socket } = await connectNow(host, engine);
    const r = await engine.publish('ppMsgS', 'user2', Uint8Array.of(1), { statusMessage: true });
    expect(r.status).toBe(0);
    expect(socket.sent[1]).toMatchObject({ kind: 'publish', messageId: 0, topic: 'ppMsgS' });
    socket.deliver(F.puback(0));
    const q = engine.query('pullMsg', 'user1', Uint8Array.of());
    expect(socket.sent[2]).toMatchObject({ kind: 'query', messageId: 1 });
    socket.deliver(F.queryack(1));
    expect((await q).status).toBe(0);
  });

  it('QUERY → QUERYACK returns the payload; a qos-1 QUERYACK is confirmed with QUERYCON', async () => {
    const { host, engine } = setup();
    const { socket } = await connectNow(host, engine);
    const q = engine.query('pullMsg', 'user1', Uint8Array.of(8, 0));
    expect(socket.sent[1]).toMatchObject({ kind: 'query', qos: 0, topic: 'pullMsg', targetId: 'user1', messageId: 1 });
    socket.deliver(F.queryack(1, Uint8Array.of(0x18, 1), 0, 1));
    const res = await q;
    expect(Array.from(res.payload)).toEqual([0x18, 1]);
    expect(socket.sent[2]).toMatchObject({ kind: 'querycon', messageId: 1 });
    const bad = engine.query('joinChrm', 'room', Uint8Array.of());
    socket.deliver(F.queryack(2, new Uint8Array(0), 23406));
    expect(await bad).toEqual({ status: 23406, payload: new Uint8Array(0) });
  });

  it('no ack within 30 s → -1', async () => {
    const { host, engine } = setup();
    const { socket } = await connectNow(host, engine);
    const p = engine.query('pullMsg', 'user1', Uint8Array.of());
    const code = p.then(
      () => 0,
      (e: EngineError) => e.code,
    );
    // Keep the heartbeat happy so only the request times out.
    for (let t = 0; t < 30_000; t += 5_000) {
      socket.deliver(F.pingresp());
      await settle(host, 5_000);
    }
    expect(await code).toBe(-1);
  });

  it('requests fail with 30001 when idle and 30011 when the connection drops while waiting', async () => {
    const { host, engine } = setup();
    expect((await rejection(engine.query('x', 'y', Uint8Array.of()))).code).toBe(30001);
    const { socket } = await connectNow(host, engine);
    const p = engine.publish('ppMsgP', 'u2', Uint8Array.of());
    socket.serverClose(1006);
    expect((await rejection(p)).code).toBe(30011);
  });
});

describe('engine pushes and echoes', () => {
  it('qos-1 push is PUBACKed before the push event; qos-0 push is not acked', async () => {
    const { host, engine } = setup();
    const { socket } = await connectNow(host, engine);
    const seen: string[] = [];
    engine.on('push', (p) => seen.push(`${p.topic}:${p.targetId}:${Array.from(p.payload).join(',')}:${p.date}:${socket.sent.length}`));
    socket.deliver(F.push('s_ntf', 65_535, Uint8Array.of(8, 1), { targetId: 'user1' }));
    socket.deliver(F.push('s_msg', 65_534, Uint8Array.of(9), { qos: 0 }));
    expect(socket.sent.slice(1)).toEqual([{ kind: 'puback', dup: false, qos: 0, retain: false, messageId: 65_535 }]);
    expect(seen).toEqual(['s_ntf:user1:8,1:1700000003000:2', 's_msg:user1:9:1700000003000:2']);
  });

  it('a DUP PUBLISH is parked (not acked) and emitted as echo with its PUBACK', async () => {
    const { host, engine } = setup();
    const { socket } = await connectNow(host, engine);
    const echoes: unknown[] = [];
    const pushes: unknown[] = [];
    engine.on('echo', (e) => echoes.push(e));
    engine.on('push', (p) => pushes.push(p));
    const mine = engine.publish('ppMsgP', 'user9', Uint8Array.of(1));
    socket.deliver(F.push('ppMsgP', 65_000, Uint8Array.of(8, 3), { dup: true, targetId: 'user4' }));
    expect(echoes).toEqual([]);
    socket.deliver(F.puback(65_000, 0, 1_600_000_003, 456, 'BKR5-28P4-JT85-0009'));
    socket.deliver(F.puback(1));
    await mine;
    expect(echoes).toEqual([{ topic: 'ppMsgP', targetId: 'user4', upstream: Uint8Array.of(8, 3), sentTime: 1_600_000_003_456, messageUId: 'BKR5-28P4-JT85-0009' }]);
    expect(pushes).toEqual([]);
    expect(socket.kinds()).toEqual(['pingreq', 'publish']);
  });

  it('a throwing listener does not break delivery to the others', async () => {
    const { host, engine } = setup();
    const { socket } = await connectNow(host, engine);
    let got = 0;
    engine.on('push', () => {
      throw new Error('app bug');
    });
    const off = engine.on('push', () => (got += 1));
    socket.deliver(F.push('s_ntf', 1, Uint8Array.of()));
    off();
    socket.deliver(F.push('s_ntf', 2, Uint8Array.of()));
    expect(got).toBe(1);
  });
});

describe('re-entrant listeners', () => {
  it('disconnect() from inside the "connected" state callback settles connect() and closes', async () => {
    const { host, engine } = setup();
    engine.on('state', (c) => {
      if (c.to === 'connected') void engine.disconnect();
    });
    const p = engine.connect('tok');
    await settle(host);
    host.lastSocket.open();
    host.lastSocket.deliver(F.connack(0));
    expect((await rejection(p)).code).toBe(30011);
    expect(engine.state).toBe('closed');
    expect(host.lastSocket.closedByClient).toBe(true);
  });

  it('connect() from inside the "closed" callback after a kick starts a fresh attempt', async () => {
    const { host, engine } = setup();
    const { socket } = await connectNow(host, engine);
    let again: Promise<{ userId: string }> | undefined;
    engine.on('state', (c) => {
      if (c.to === 'closed' && c.cause.kind === 'kicked') again = engine.connect('tok2');
    });
    socket.deliver(F.disconnect(1));
    expect(engine.state).toBe('connecting');
    await settle(host);
    host.lastSocket.open();
    host.lastSocket.deliver(F.connack(0, 'user1'));
    expect(await again).toEqual({ userId: 'user1' });
    expect(host.lifecycleListenerCount).toBe(2);
  });
});
