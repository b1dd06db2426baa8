/**
 * The SDK connection engine against the REAL server process (test/support/server-launcher): navi,
 * /ping, WebSocket and comet transports, CONNACK, heartbeat, request/ack, pushes between two
 * engines in one process, multi-device kick, crash + restart with automatic reconnection,
 * cancellation and the WebSocket → comet fallback. Only the Node platform adapter is used;
 * a thin recording wrapper observes (never alters) what crosses the socket.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions, type PushEvent, type StateChange } from '../../src/client/im-engine';
import { EngineError } from '../../src/client/engine-error';
import { encodeUtf8 } from '../../src/codec/utf8';
import { decodeByName, encodeByName } from '../../src/protocol/messages';
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../support/server-launcher';
import { serverApi } from '../support/server-api-client';

const APP = DEFAULT_TEST_APP;
jest.setTimeout(60_000);

interface Recording {
  readonly adapter: PlatformAdapter;
  /** First byte of every frame written / received, in order. */
  readonly sentHeaders: number[];
  readonly receivedHeaders: number[];
  readonly socketsOpened: string[];
  socketsClosed: number;
}

/** Wraps the Node adapter to observe socket traffic; behaviour is unchanged. */
function recordingAdapter(base: PlatformAdapter = createNodeAdapter()): Recording {
  const sentHeaders: number[] = [];
  const receivedHeaders: number[] = [];
  const socketsOpened: string[] = [];
  const adapter: PlatformAdapter = {
    ...base,
    openSocket(url, handlers, options) {
      socketsOpened.push(url);
      const socket = base.openSocket(
        url,
        {
          ...handlers,
          onMessage: (data) => {
            receivedHeaders.push(data[0] ?? -1);
            handlers.onMessage(data);
          },
          onClose: (code, reason) => {
            rec.socketsClosed += 1;
            handlers.onClose(code, reason);
          },
        },
        options,
      );
      return {
        send: (data) => {
          sentHeaders.push(data[0] ?? -1);
          socket.send(data);
        },
        close: (code, reason) => socket.close(code, reason),
      };
    },
  };
  const rec: Recording = { adapter, sentHeaders, receivedHeaders, socketsOpened, socketsClosed: 0 };
  return rec;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

async function tokenFor(server: RunningServer, userId: string): Promise<string> {
  const res = await serverApi(server.url, APP.key, APP.secret).post<{ token?: string }>('user/getToken', { userId, name: userId, portraitUri: '' });
  if (res.status !== 200 || typeof res.body.token !== 'string') throw new Error(`getToken failed: ${res.text}`);
  return res.body.token;
}

/**
 * SIGKILL a process and all its descendants. The launcher's kill9() kills only the `tsx` wrapper,
 * whose node child keeps serving; a crash has to take the real server down.
 */
function killTree(rootPid: number): void {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const doomed = [rootPid];
  for (let i = 0; i < doomed.length; i++) {
    for (const [pid, ppid] of table) if (ppid === doomed[i] && pid !== undefined) doomed.push(pid);
  }
  for (const pid of doomed.reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const engines: Engine[] = [];
function engineFor(server: RunningServer, platform: PlatformAdapter, extra: Partial<EngineOptions> = {}): Engine {
  const engine = createEngine({ platform, appKey: APP.key, navi: [server.url], sdkVersion: '2.9.2', ...extra });
  engines.push(engine);
  return engine;
}

function trail(engine: Engine): StateChange[] {
  const changes: StateChange[] = [];
  engine.on('state', (c) => changes.push(c));
  return changes;
}

function pullMsgPayload(): Uint8Array {
  return encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 });
}

function textMessage(text: string): Uint8Array {
  return encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(JSON.stringify({ content: text })), configFlag: 0 });
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.disconnect()));
});

describe('SDK engine ⇄ real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('connects over WebSocket: CONNACK userId, server time, PINGREQ/PINGRESP', async () => {
    const rec = recordingAdapter();
    const engine = engineFor(server, rec.adapter, { heartbeat: { intervalMs: 200 } });
    const changes = trail(engine);
    const connected: unknown[] = [];
    engine.on('connected', (c) => connected.push(c));
    const before = Date.now();
    expect(await engine.connect(await tokenFor(server, 'alice'))).toEqual({ userId: 'alice' });
    expect(engine.state).toBe('connected');
    expect(engine.userId).toBe('alice');
    expect(engine.connectedAt).toBeGreaterThanOrEqual(before - 5_000);
    expect(Math.abs(engine.serverTimeDelta)).toBeLessThan(5_000);
    expect(engine.navi?.['server']).toBe(`${server.host}:${server.port}`);
    expect(connected).toEqual([{ userId: 'alice', reconnect: false }]);
    expect(changes.map((c) => c.to)).toEqual(['connecting', 'connected']);
    expect(rec.socketsOpened[0]).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${server.port}/websocket\\?appId=${APP.key}&token=.+&sdkVer=2\\.9\\.2&apiVer=normal&lianxin=`));
    expect(rec.sentHeaders[0]).toBe(0xc0);
    await waitFor('three PINGRESPs', () => rec.receivedHeaders.filter((h) => h === 0xd0).length >= 3);
    expect(engine.state).toBe('connected');
  });

  it('QUERY pullMsg and PUBLISH between two engines in one process', async () => {
    const alice = engineFor(server, createNodeAdapter());
    const bob = engineFor(server, createNodeAdapter());
    await alice.connect(await tokenFor(server, 'alice2'));
    await bob.connect(await tokenFor(server, 'bob2'));
    const bobPushes: PushEvent[] = [];
    bob.on('push', (p) => bobPushes.push(p));

    const pulled = await alice.query('pullMsg', 'alice2', pullMsgPayload());
    expect(pulled.status).toBe(0);
    expect(decodeByName('DownStreamMessages', pulled.payload).syncTime).toBeGreaterThanOrEqual(0);

    const sent = await alice.publish('ppMsgP', 'bob2', textMessage('hello bob'));
    expect(sent.status).toBe(0);
    expect(sent.messageUId).not.toBe('');
    expect(Math.abs(sent.sentTime - Date.now())).toBeLessThan(10_000);
    await waitFor('a push to bob', () => bobPushes.some((p) => p.topic === 's_ntf' || p.topic === 's_msg'));

    const after = await bob.query('pullMsg', 'bob2', pullMsgPayload());
    const list = decodeByName('DownStreamMessages', after.payload).list;
    expect(list.some((m) => m.fromUserId === 'alice2' && m.msgId === sent.messageUId)).toBe(true);
  });

  it('a second login of the same user kicks the first: closed by "kicked", no reconnect', async () => {
    const rec = recordingAdapter();
    const first = engineFor(server, rec.adapter);
    const changes = trail(first);
    const token = await tokenFor(server, 'carol');
    await first.connect(token);
    const second = engineFor(server, createNodeAdapter());
    await second.connect(token);
    await waitFor('the kick', () => first.state === 'closed');
    expect(changes[changes.length - 1]).toEqual({ from: 'connected', to: 'closed', cause: { kind: 'kicked' } });
    expect(rec.receivedHeaders).toContain(0xe0);
    await delay(1_500);
    expect(first.state).toBe('closed');
    expect(rec.socketsOpened).toHaveLength(1);
    expect(second.state).toBe('connected');
    // The kicked engine may log in again explicitly.
    const back = await first.reconnect();
    expect(back.userId).toBe('carol');
  });

  it('disconnect() cancels an in-flight connect', async () => {
    const base = createNodeAdapter();
    let engine: Engine | undefined;
    let closedAfterCancel = 0;
    let opened = 0;
    const adapter: PlatformAdapter = {
      ...base,
      openSocket(url, handlers, options) {
        opened += 1;
        const socket = base.openSocket(url, { ...handlers, onClose: (c, r) => ((closedAfterCancel += 1), handlers.onClose(c, r)) }, options);
        void engine?.disconnect(); // the app gives up while the socket is being opened
        return socket;
      },
    };
    engine = engineFor(server, adapter);
    const changes = trail(engine);
    const outcome = await engine.connect(await tokenFor(server, 'dave')).then(
      () => 'connected',
      (e: unknown) => (e instanceof EngineError ? e.code : String(e)),
    );
    expect(outcome).toBe(30011);
    await delay(1_000);
    expect(engine.state).toBe('closed');
    expect(changes.map((c) => `${c.to}:${c.cause.kind}`)).toEqual(['connecting:user', 'closed:user']);
    expect(opened).toBe(1);
    expect(closedAfterCancel).toBe(1);
  });

  it('comet transport: connect, query, publish, and pushes through the poll loop', async () => {
    const cometAdapter = recordingAdapter();
    const alice = engineFor(server, cometAdapter.adapter, { connectionType: 'comet' });
    const bob = engineFor(server, createNodeAdapter(), { connectionType: 'comet' });
    expect(await alice.connect(await tokenFor(server, 'alice3'))).toEqual({ userId: 'alice3' });
    await bob.connect(await tokenFor(server, 'bob3'));
    expect(cometAdapter.socketsOpened).toEqual([]);
    const bobPushes: PushEvent[] = [];
    bob.on('push', (p) => bobPushes.push(p));

    const pulled = await alice.query('pullMsg', 'alice3', pullMsgPayload());
    expect(pulled.status).toBe(0);
    expect(decodeByName('DownStreamMessages', pulled.payload).finished).toBe(true);
    const sent = await alice.publish('ppMsgP', 'bob3', textMessage('over comet'));
    expect(sent.status).toBe(0);
    expect(sent.messageUId).not.toBe('');
    await waitFor('a comet push to bob', () => bobPushes.length > 0);
    const after = await bob.query('pullMsg', 'bob3', pullMsgPayload());
    const list = decodeByName('DownStreamMessages', after.payload).list;
    expect(list.some((m) => m.msgId === sent.messageUId)).toBe(true);
  });

  it('falls back to comet when WebSocket cannot open, and remembers it', async () => {
    const base = createNodeAdapter();
    let wsAttempts = 0;
    const noWebSocket: PlatformAdapter = {
      ...base,
      openSocket(url, handlers, options) {
        wsAttempts += 1;
        // A proxy that refuses upgrades: the socket goes to a port nothing listens on.
        return base.openSocket(url.replace(/:\d+\//, ':1/'), handlers, options);
      },
    };
    const engine = engineFor(server, noWebSocket);
    expect(await engine.connect(await tokenFor(server, 'erin'))).toEqual({ userId: 'erin' });
    expect(wsAttempts).toBe(1);
    expect(JSON.parse((await base.storage.get(`transport-preference:${APP.key}`)) ?? '{}')).toMatchObject({ kind: 'comet' });
    expect((await engine.query('pullMsg', 'erin', pullMsgPayload())).status).toBe(0);
    await engine.disconnect();
    // Next time comet goes first: no WebSocket attempt at all.
    await engine.reconnect();
    expect(wsAttempts).toBe(1);
  });

  it('rejects a bad token with 31004 and closes', async () => {
    const engine = engineFor(server, createNodeAdapter());
    const changes = trail(engine);
    const code = await engine.connect('not-a-real-token').then(
      () => 0,
      (e: EngineError) => e.code,
    );
    expect(code).toBe(31004);
    expect(engine.state).toBe('closed');
    expect(changes[changes.length - 1]?.cause).toEqual({ kind: 'token-incorrect' });
  });
});

describe('SDK engine survives a server crash', () => {
  it('kill -9 + restart on the same port and data dir → automatic reconnect', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-sdk-restart-'));
    let server = await startServer({ dataDir });
    try {
      const engine = engineFor(server, createNodeAdapter(), { reconnectPolicy: { baseMs: 200, capMs: 500, floorMs: 50 } });
      const changes = trail(engine);
      const sessions: Array<{ reconnect: boolean }> = [];
      engine.on('connected', (c) => sessions.push(c));
      await engine.connect(await tokenFor(server, 'frank'));
      const { port } = server;

      killTree(server.proc.pid ?? -1);
      await server.exited;
      await waitFor('reconnecting', () => engine.state === 'reconnecting');
      await delay(1_000); // a few failed retries while the server is down
      expect(engine.state).toBe('reconnecting');

      server = await startServer({ dataDir, args: ['--port', String(port)] });
      await waitFor('automatic reconnect', () => engine.state === 'connected', 20_000);
      expect(sessions).toEqual([{ userId: 'frank', reconnect: false }, { userId: 'frank', reconnect: true }]);
      expect(changes.some((c) => c.from === 'reconnecting' && c.to === 'reconnecting')).toBe(true);
      expect((await engine.query('pullMsg', 'frank', pullMsgPayload())).status).toBe(0);
    } finally {
      await Promise.all(engines.splice(0).map((e) => e.disconnect()));
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
