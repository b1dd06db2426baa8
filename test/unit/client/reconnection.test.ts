import { createEngine, type EngineOptions, type StateChange } from '../../../src/client/im-engine';
import { EngineError } from '../../../src/client/engine-error';
import type { PlatformAdapter } from '../../../src/platform/platform-adapter';
import { F, FakeHost, type FakeSocket } from './fake-host';

function setup(options: Partial<EngineOptions> = {}) {
  const host = new FakeHost();
  // FakeHost's app never goes to the background; this one does (`background()`, like a host's onAppHide).
  const hideListeners = new Set<() => void>();
  const platform: PlatformAdapter = {
    ...host.adapter,
    lifecycle: {
      ...host.adapter.lifecycle,
      onBackground: (listener) => {
        hideListeners.add(listener);
        return () => hideListeners.delete(listener);
      },
    },
  };
  const background = (): void => {
    for (const listener of [...hideListeners]) listener();
  };
  const engine = createEngine({ platform, appKey: 'k', navi: ['http://navi.test'], sdkVersion: '2.9.2', random: () => 0.5, ...options });
  const changes: StateChange[] = [];
  engine.on('state', (c) => changes.push(c));
  const connected: Array<{ userId: string; reconnect: boolean }> = [];
  engine.on('connected', (c) => connected.push(c));
  const trail = () => changes.map((c) => `${c.from}>${c.to}:${c.cause.kind}`);
  return { host, engine, changes, trail, connected, background, hideListenerCount: () => hideListeners.size };
}

async function accept(host: FakeHost, socket: FakeSocket = host.lastSocket): Promise<void> {
  socket.open();
  socket.deliver(F.connack(0));
  await host.clock.advance(0);
}

async function connected(host: FakeHost, engine: ReturnType<typeof createEngine>): Promise<FakeSocket> {
  const p = engine.connect('tok');
  await host.clock.advance(0);
  await accept(host);
  await p;
  return host.lastSocket;
}

describe('automatic reconnection', () => {
  it('unexpected close → reconnecting → immediate retry → connected (reconnect: true)', async () => {
    const { host, engine, trail, connected: sessions } = setup();
    const first = await connected(host, engine);
    first.serverClose(1006);
    expect(engine.state).toBe('reconnecting');
    await host.clock.advance(0);
    expect(host.sockets).toHaveLength(2);
    await accept(host);
    expect(engine.state).toBe('connected');
    expect(trail()).toEqual([
      'idle>connecting:user',
      'connecting>connected:accepted',
      'connected>reconnecting:network',
      'reconnecting>reconnecting:retry',
      'reconnecting>connected:accepted',
    ]);
    expect(sessions).toEqual([
      { userId: 'user1', reconnect: false },
      { userId: 'user1', reconnect: true },
    ]);
    // navi is cached between attempts; the host is probed again.
    expect(host.requestsTo('/navi.js')).toHaveLength(1);
    expect(host.requestsTo('/ping')).toHaveLength(2);
  });

  it('failed retries back off with jitter and report each failure', async () => {
    const { host, engine, trail } = setup({ random: () => 1 });
    const first = await connected(host, engine);
    host.socketsFail = true;
    const attemptsAt: number[] = [];
    const t0 = host.clock.now();
    host.http = (_r, url) => {
      if (url.pathname === '/ping') attemptsAt.push(host.clock.now() - t0);
      return { status: 200, body: url.pathname === '/navi.js' ? 'getServerEndpoint({"server":"cmp.test:8080"});' : '' };
    };
    first.serverClose(1006);
    await host.clock.advance(20_000);
    // random() = 1 → delays 0, 1 s, 2 s, 4 s, 8 s (each attempt itself fails at once: no socket opens,
    // and comet is refused with 404).
    const gaps = attemptsAt.slice(1).map((t, i) => t - (attemptsAt[i] ?? 0));
    expect(attemptsAt[0]).toBe(0);
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(trail().filter((t) => t === 'reconnecting>reconnecting:network').length).toBeGreaterThanOrEqual(4);
    expect(engine.state).toBe('reconnecting');
  });

  it('heartbeat: two unanswered pings close the socket and reconnect', async () => {
    const { host, engine, changes } = setup();
    const first = await connected(host, engine);
    await host.clock.advance(15_000);
    expect(first.kinds()).toEqual(['pingreq', 'pingreq']);
    expect(engine.state).toBe('connected');
    await host.clock.advance(15_000);
    expect(first.closedByClient).toBe(true);
    const lost = changes.find((c) => c.to === 'reconnecting');
    expect(lost?.cause).toEqual({ kind: 'network', code: 30013 });
    await host.clock.advance(0);
    await accept(host);
    expect(engine.state).toBe('connected');
    expect(host.lastSocket.kinds()).toEqual(['pingreq']);
  });

  it('answered pings keep the link up indefinitely', async () => {
    const { host, engine } = setup();
    const socket = await connected(host, engine);
    for (let i = 0; i < 20; i++) {
      socket.deliver(F.pingresp());
      await host.clock.advance(15_000);
    }
    expect(engine.state).toBe('connected');
    expect(socket.kinds().filter((k) => k === 'pingreq')).toHaveLength(21);
  });

  it('requests made while reconnecting wait and go out on the new connection', async () => {
    const { host, engine } = setup();
    const first = await connected(host, engine);
    first.serverClose(1006);
    const q = engine.query('pullMsg', 'user1', Uint8Array.of(8, 0));
    await host.clock.advance(0);
    const second = host.lastSocket;
    expect(second).not.toBe(first);
    await accept(host, second);
    expect(second.sent.find((f) => f.kind === 'query')).toMatchObject({ topic: 'pullMsg', messageId: 1 });
    second.deliver(F.queryack(1, Uint8Array.of(1)));
    expect(Array.from((await q).payload)).toEqual([1]);
  });

  it.each([
    ['forward', 3 * 3_600_000],
    ['back', -3 * 3_600_000],
  ])('a request queued while reconnecting keeps its 30 s when the device clock is set %s meanwhile', async (_, jump) => {
    const { host, engine } = setup();
    const first = await connected(host, engine);
    first.serverClose(1006);
    const q = engine.query('pullMsg', 'user1', Uint8Array.of(8, 0));
    let settled: unknown;
    q.then((ack) => (settled = ack), (error: unknown) => (settled = error));
    await host.clock.advance(0);
    host.clock.jump(jump);
    await host.clock.advance(10_000);
    const second = host.lastSocket;
    await accept(host, second);
    expect(second.sent.find((f) => f.kind === 'query')).toMatchObject({ topic: 'pullMsg', messageId: 1 });
    // Forward: the deadline on the device clock had passed, and the request timed out 1 ms after it went out.
    await host.clock.advance(5_000);
    expect(settled).toBeUndefined();
    second.deliver(F.queryack(1, Uint8Array.of(7)));
    await host.clock.advance(0);
    expect(Array.from((settled as { payload: Uint8Array }).payload)).toEqual([7]);
  });

  it('a request queued while reconnecting and sent later still times out 30 s after it was made, the device clock set back meanwhile', async () => {
    const { host, engine } = setup();
    const first = await connected(host, engine);
    first.serverClose(1006);
    const q = engine.query('pullMsg', 'user1', Uint8Array.of(8, 0));
    let settled: unknown;
    q.then((ack) => (settled = ack), (error: unknown) => (settled = error));
    await host.clock.advance(0);
    host.clock.jump(-3 * 3_600_000);
    await host.clock.advance(10_000);
    await accept(host, host.lastSocket);
    await host.clock.advance(19_000);
    expect(settled).toBeUndefined();
    // Back: the deadline on the device clock was 3 h away, so no answer meant waiting 3 h.
    await host.clock.advance(1_500);
    expect((settled as EngineError).code).toBe(-1);
    // The late ack matches nothing.
    host.lastSocket.deliver(F.queryack(1, Uint8Array.of(1)));
    await host.clock.advance(0);
  });

  it.each([
    [1, 'kicked'],
    [2, 'blocked'],
    [3, 'server-closed'],
    [4, 'server-closed'],
  ])('DISCONNECT %i → closed (%s), no reconnect', async (reason, kind) => {
    const { host, engine, changes } = setup();
    const socket = await connected(host, engine);
    const pending = engine.publish('ppMsgP', 'u2', Uint8Array.of());
    socket.deliver(F.disconnect(reason));
    expect(engine.state).toBe('closed');
    expect(changes[changes.length - 1]?.cause.kind).toBe(kind);
    expect(socket.closedByClient).toBe(true);
    expect(((await pending.catch((e: unknown) => e)) as EngineError).code).toBe(30011);
    await host.clock.advance(300_000);
    expect(host.sockets).toHaveLength(1);
    expect(host.lifecycleListenerCount).toBe(0);
  });

  it('DISCONNECT 0 (redirect) re-asks navi and reconnects', async () => {
    const { host, engine, trail } = setup();
    const socket = await connected(host, engine);
    socket.deliver(F.disconnect(0));
    expect(engine.state).toBe('reconnecting');
    await host.clock.advance(0);
    await accept(host);
    expect(engine.state).toBe('connected');
    expect(host.requestsTo('/navi.js')).toHaveLength(2);
    expect(trail()).toContain('connected>reconnecting:redirect');
  });

  it('disconnect() while reconnecting stops all retries', async () => {
    const { host, engine } = setup();
    const first = await connected(host, engine);
    host.socketsFail = true;
    first.serverClose(1006);
    await host.clock.advance(3_000);
    const opened = host.requestsTo('/ping').length;
    await engine.disconnect();
    expect(engine.state).toBe('closed');
    await host.clock.advance(600_000);
    expect(host.requestsTo('/ping').length).toBe(opened);
    expect(host.clock.pendingTimers).toBe(0);
  });
});

describe('lifecycle', () => {
  it('offline → suspended (socket closed, requests refused); online → reconnect at once', async () => {
    const { host, engine, trail } = setup();
    const first = await connected(host, engine);
    host.setOnline(false);
    expect(engine.state).toBe('suspended');
    expect(first.closedByClient).toBe(true);
    expect(((await engine.query('a', 'b', Uint8Array.of()).catch((e: unknown) => e)) as EngineError).code).toBe(30001);
    await host.clock.advance(600_000);
    expect(host.sockets).toHaveLength(1);
    host.setOnline(true);
    expect(engine.state).toBe('reconnecting');
    await host.clock.advance(0);
    await accept(host);
    expect(trail().slice(2)).toEqual([
      'connected>suspended:offline',
      'suspended>reconnecting:online',
      'reconnecting>reconnecting:retry',
      'reconnecting>connected:accepted',
    ]);
  });

  it('foreground skips the back-off wait', async () => {
    const { host, engine } = setup({ random: () => 1 });
    const first = await connected(host, engine);
    host.socketsFail = true;
    first.serverClose(1006);
    await host.clock.advance(100); // attempt 0 fails (no socket can open)
    await host.clock.advance(1_500); // attempt 1 (1 s) fails; next in 2 s
    const before = host.requestsTo('/ping').length;
    host.socketsFail = false;
    host.foreground();
    await host.clock.advance(0);
    expect(host.requestsTo('/ping').length).toBe(before + 1);
    await accept(host);
    expect(engine.state).toBe('connected');
  });
});

describe('network back / app shown while an attempt is in flight', () => {
  it('app shown during an attempt that ran in the background: it is abandoned and a new one starts at once', async () => {
    const { host, engine, background, trail } = setup({ random: () => 1 });
    const first = await connected(host, engine);
    const answer = host.http;
    let cut = false;
    // While the host has the network cut, a probe it accepted is never answered (the worst case:
    // without abandoning it, only the 5 s ping timeout would end that attempt).
    host.http = (request, url) => (cut && url.pathname === '/ping' ? 'hang' : answer(request, url));
    background();
    cut = true;
    first.serverClose(1006);
    await host.clock.advance(100); // attempt 0 starts at once, in the background, and hangs
    expect(host.requestsTo('/ping')).toHaveLength(2);
    const before = trail().length;

    cut = false;
    host.foreground();
    await host.clock.advance(0);
    expect(host.requestsTo('/ping')).toHaveLength(3);
    expect(host.sockets).toHaveLength(2);
    await accept(host);
    expect(engine.state).toBe('connected');
    expect(trail().slice(before)).toEqual(['reconnecting>reconnecting:retry', 'reconnecting>connected:accepted']);
    // The abandoned attempt's probe was aborted: nothing of it runs later.
    await host.clock.advance(10_000);
    expect(host.requestsTo('/ping')).toHaveLength(3);
    expect(host.sockets).toHaveLength(2);
    expect(engine.state).toBe('connected');
  });

  it('app shown while a background attempt’s socket is opening: that socket is closed before the next one opens', async () => {
    const { host, engine, background, connected: sessions } = setup();
    const first = await connected(host, engine);
    background();
    first.serverClose(1006);
    await host.clock.advance(0);
    const stale = host.lastSocket; // attempt 0, started in the background, waits for its CONNACK
    expect(host.sockets).toHaveLength(2);

    host.foreground();
    expect(stale.closedByClient).toBe(true);
    expect(host.sockets).toHaveLength(2);
    await host.clock.advance(0);
    expect(host.sockets).toHaveLength(3);
    // A late CONNACK on the abandoned socket is nobody's.
    stale.open();
    stale.deliverRaw(F.connack(0, 'stale'));
    await accept(host);
    expect(engine.state).toBe('connected');
    expect(sessions.map((s) => s.userId)).toEqual(['user1', 'user1']);
  });

  it('an attempt started in the foreground is kept; if it fails after network back / app shown, one retry follows at once', async () => {
    const { host, engine } = setup({ random: () => 1 });
    const first = await connected(host, engine);
    host.socketsFail = true;
    const answer = host.http;
    let holdNextProbe = false;
    let release: (() => void) | undefined;
    host.http = (request, url) => {
      if (!holdNextProbe || url.pathname !== '/ping') return answer(request, url);
      holdNextProbe = false;
      return new Promise((resolve) => {
        release = () => resolve({ status: 200, body: '' });
      });
    };
    const probes = (): number => host.requestsTo('/ping').length;
    first.serverClose(1006);
    await host.clock.advance(3_500); // random() = 1: attempts at 0, 1 s, 3 s fail; the next waits 4 s
    const before = probes();
    holdNextProbe = true;
    await host.clock.advance(4_000);
    expect(probes()).toBe(before + 1); // the attempt at 7 s is in flight, its probe unanswered

    host.setOnline(true);
    host.foreground();
    host.setOnline(true);
    await host.clock.advance(0);
    expect(probes()).toBe(before + 1); // no second attempt beside it
    release?.();
    await host.clock.advance(0);
    // It failed (no socket can open): the next attempt started at once, not after the 8 s back-off …
    expect(probes()).toBe(before + 2);
    // … and only one: it failed too, with no signal during it, so the back-off applies again.
    await host.clock.advance(7_999);
    expect(probes()).toBe(before + 2);
    await host.clock.advance(1);
    expect(probes()).toBe(before + 3);
    expect(engine.state).toBe('reconnecting');
  });

  it('network back and app shown in the same tick start one attempt, which is kept', async () => {
    const { host, engine, background, trail } = setup();
    await connected(host, engine);
    background();
    host.setOnline(false);
    expect(engine.state).toBe('suspended');
    await host.clock.advance(60_000);
    host.setOnline(true);
    host.foreground();
    await host.clock.advance(0);
    expect(host.requestsTo('/ping')).toHaveLength(2);
    expect(host.sockets).toHaveLength(2);
    await accept(host);
    expect(trail().slice(2)).toEqual([
      'connected>suspended:offline',
      'suspended>reconnecting:online',
      'reconnecting>reconnecting:retry',
      'reconnecting>connected:accepted',
    ]);
  });

  it('disconnect() drops the background listener too', async () => {
    const { host, engine, hideListenerCount } = setup();
    await connected(host, engine);
    expect(hideListenerCount()).toBe(1);
    await engine.disconnect();
    expect(hideListenerCount()).toBe(0);
  });
});

describe('stale-transport guard', () => {
  it('events from a replaced socket never reach the engine', async () => {
    const { host, engine, connected: sessions } = setup();
    const first = await connected(host, engine);
    const pushes: string[] = [];
    engine.on('push', (p) => pushes.push(p.topic));
    first.serverClose(1006);
    await host.clock.advance(0);
    await accept(host);
    const second = host.lastSocket;
    // The old socket keeps talking after it was replaced.
    first.deliverRaw(F.push('s_ntf', 5, Uint8Array.of()));
    first.deliverRaw(F.disconnect(1));
    first.deliverRaw(F.connack(0, 'intruder'));
    expect(pushes).toEqual([]);
    expect(engine.state).toBe('connected');
    expect(engine.userId).toBe('user1');
    expect(sessions).toHaveLength(2);
    second.deliver(F.push('s_ntf', 6, Uint8Array.of()));
    expect(pushes).toEqual(['s_ntf']);
  });

  it('a late CONNACK from a timed-out host is ignored and that socket closed', async () => {
    const { host, engine } = setup();
    host.http = (_r, url) =>
      url.pathname === '/navi.js'
        ? { status: 200, body: 'getServerEndpoint({"server":"slow.test:1","backupServer":"fast.test:2"});' }
        : { status: 200, body: '' };
    const p = engine.connect('tok');
    await host.clock.advance(0);
    const slow = host.lastSocket;
    expect(slow.url.startsWith('ws://slow.test:1/')).toBe(true);
    await host.clock.advance(5_000); // per-host CONNACK wait
    expect(slow.closedByClient).toBe(true);
    const fast = host.lastSocket;
    expect(fast.url.startsWith('ws://fast.test:2/')).toBe(true);
    slow.open();
    slow.deliverRaw(F.connack(0, 'stale'));
    await accept(host, fast);
    expect(await p).toEqual({ userId: 'user1' });
  });
});

describe('WebSocket → comet fallback', () => {
  it('uses comet when no WebSocket can open, remembers it, and goes comet-first next time', async () => {
    const { host, engine } = setup();
    host.socketsFail = true;
    const polls: string[] = [];
    host.http = (req, url) => {
      if (url.pathname === '/navi.js' || url.pathname === '/cometnavi.js') return { status: 200, body: 'getServerEndpoint({"server":"cmp.test:8080"});' };
      if (url.pathname === '/ping') return { status: 200, body: '' };
      if (url.pathname === '/websocket' && req.method === 'GET')
        return { status: 200, body: '{"status":0,"userId":"cometUser","headerCode":32,"messageId":0,"sessionid":"SID1","timestamp":1700000000000}' };
      if (url.pathname === '/pullmsg.js') {
        polls.push(url.searchParams.get('sessionid') ?? '');
        return 'hang';
      }
      return { status: 404, body: '' };
    };
    const result = await (async () => {
      const p = engine.connect('tok');
      await host.clock.advance(0);
      return p;
    })();
    expect(result).toEqual({ userId: 'cometUser' });
    expect(polls).toEqual(['SID1']);
    const connectReq = host.requestsTo('/websocket')[0];
    expect(connectReq?.url).toMatch(/^http:\/\/cmp\.test:8080\/websocket\?appId=k&token=tok&sdkVer=2\.9\.2&pid=[\d.%]+&apiVer=normal&lianxin=/);
    expect(JSON.parse(host.storageMap.get('transport-preference:k') ?? '{}')).toMatchObject({ kind: 'comet' });

    await engine.disconnect();
    host.requests.length = 0;
    const again = engine.connect('tok');
    await host.clock.advance(0);
    expect(await again).toEqual({ userId: 'cometUser' });
    expect(host.requestsTo('/cometnavi.js')).toHaveLength(0); // navi cached
    expect(host.requestsTo('/websocket')).toHaveLength(1);
    await engine.disconnect();
  });

  it('a WebSocket that does not open within 5 s falls back to comet on the same host', async () => {
    const { host, engine } = setup();
    host.http = (req, url) => {
      if (url.pathname === '/navi.js') return { status: 200, body: 'getServerEndpoint({"server":"a.test:1","backupServer":"b.test:2"});' };
      if (url.pathname === '/ping') return { status: 200, body: '' };
      if (url.pathname === '/websocket' && req.method === 'GET')
        return { status: 200, body: '{"status":0,"userId":"u","headerCode":32,"messageId":0,"sessionid":"S","timestamp":1700000000000}' };
      return 'hang';
    };
    const t0 = host.clock.now();
    const p = engine.connect('tok');
    await host.clock.advance(4_999);
    expect(host.sockets).toHaveLength(1); // never opened
    expect(host.requestsTo('/websocket')).toHaveLength(0);
    await host.clock.advance(1);
    expect(await p).toEqual({ userId: 'u' });
    expect(host.clock.now() - t0).toBe(5_000);
    expect(host.sockets).toHaveLength(1);
    expect(host.sockets[0]?.closedByClient).toBe(true);
    expect(new URL(host.requestsTo('/websocket')[0]?.url ?? '').host).toBe('a.test:1');
    expect(JSON.parse(host.storageMap.get('transport-preference:k') ?? '{}')).toMatchObject({ kind: 'comet' });
    await engine.disconnect();
  });

  it('connectionType "comet" never opens a socket', async () => {
    const { host, engine } = setup({ connectionType: 'comet' });
    host.http = (req, url) => {
      if (url.pathname === '/cometnavi.js') return { status: 200, body: 'getServerEndpoint({"server":"a.test:1"});' };
      if (url.pathname === '/ping') return { status: 200, body: '' };
      if (url.pathname === '/websocket' && req.method === 'GET') return { status: 200, body: '{"status":4,"headerCode":32,"messageId":0}' };
      return 'hang';
    };
    const p = engine.connect('tok');
    await host.clock.advance(0);
    expect(((await p.catch((e: unknown) => e)) as EngineError).code).toBe(31004);
    expect(host.sockets).toHaveLength(0);
    expect(host.requestsTo('/navi.js')).toHaveLength(0);
    expect(host.storageMap.size).toBe(0);
  });
});
