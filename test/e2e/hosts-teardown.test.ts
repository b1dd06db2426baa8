/**
 * Host adapters (wx, tt, swan, my, uni) under the SDK against the real server, through the host simulators: what
 * `disconnect()` / `logout()` leave behind (no socket, no request, no pending timer — a mini-program keeps running
 * in the background and a leaked timer keeps reconnecting), a disconnect while the socket is still connecting, and
 * one reconnect when the network comes back and the app is shown in the same tick (issue #8: no socket leaks).
 */
import { ConnectionStatus, createRongIMLib, LogLevel } from '../../src/index';
import type { Clock, PlatformAdapter } from '../../src/platform/platform-adapter';
import { createAlipayAdapter } from '../../platforms/alipay/alipay-adapter';
import { createWechatAdapter } from '../../platforms/wechat/wechat-adapter';
import { createUniappAdapter } from '../../platforms/uniapp/uniapp-adapter';
import { createToutiaoAdapter } from '../../platforms/toutiao/toutiao-adapter';
import { createBaiduAdapter } from '../../platforms/baidu/baidu-adapter';
import { createMySimulator, createSwanSimulator, createTtSimulator, createUniSimulator, createWxSimulator, SimulatedDevice } from '../support/host-simulators';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { newUserId, tokenFor } from './sdk-api-support';

const APP: TestApp = { key: 'lxhoststeardown', secret: 'lxhoststeardownsecret', options: { multiDevice: true, maxSendRate: 1000 } };
let server: RunningServer;
const devices: SimulatedDevice[] = [];
const clients: Array<{ disconnect(): unknown }> = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
});
afterAll(async () => {
  for (const d of devices) d.shutdown();
  await server?.stop();
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.disconnect();
});

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** A clock over real timers that knows which timers are still pending. */
function countingClock(): { clock: Clock; pending: Map<unknown, number> } {
  const pending = new Map<unknown, number>();
  const clock: Clock = {
    now: () => Date.now(),
    setTimeout: (cb, ms) => {
      const id = setTimeout(() => {
        pending.delete(id);
        cb();
      }, ms);
      pending.set(id, ms);
      return id;
    },
    clearTimeout: (id) => {
      pending.delete(id);
      clearTimeout(id as ReturnType<typeof setTimeout>);
    },
  };
  return { clock, pending };
}

type HostKind = 'wechat' | 'toutiao' | 'baidu' | 'alipay' | 'alipay-single' | 'alipay-comet' | 'uniapp-app';

interface Rig {
  device: SimulatedDevice;
  raw: Record<string, unknown>;
  adapter: PlatformAdapter;
  pending: Map<unknown, number>;
}

function rig(kind: HostKind, device = new SimulatedDevice(), wrap?: (raw: Record<string, unknown>) => void): Rig {
  devices.push(device);
  const { clock, pending } = countingClock();
  let raw: Record<string, unknown>;
  let adapter: PlatformAdapter;
  const host = <T>(h: T): T => {
    raw = h as unknown as Record<string, unknown>;
    wrap?.(raw);
    return h;
  };
  switch (kind) {
    case 'wechat':
      adapter = createWechatAdapter(host(createWxSimulator({}, device).host), { clock });
      break;
    case 'toutiao':
      adapter = createToutiaoAdapter(host(createTtSimulator({}, device).host), { clock });
      break;
    case 'baidu':
      adapter = createBaiduAdapter(host(createSwanSimulator({}, device).host), { clock });
      break;
    case 'alipay':
      adapter = createAlipayAdapter(host(createMySimulator({}, device).host), { clock });
      break;
    case 'alipay-single':
      adapter = createAlipayAdapter(host(createMySimulator({}, device).host), { clock, socketMode: 'single' });
      break;
    case 'alipay-comet':
      adapter = createAlipayAdapter(host(createMySimulator({ binaryFrames: false }, device).host), { clock, binaryFrames: false });
      break;
    case 'uniapp-app':
      adapter = createUniappAdapter(host(createUniSimulator('app', {}, device).host), { clock });
      break;
  }
  return { device, raw: raw!, adapter, pending };
}

interface User {
  userId: string;
  token: string;
  client: ReturnType<typeof createRongIMLib>['RongIMClient'];
  statuses: number[];
  logs: string[];
  received: string[];
  connect(): Promise<string>;
}

async function user(adapter: PlatformAdapter, name: string): Promise<User> {
  const userId = newUserId(name);
  const token = await tokenFor(server, APP, userId);
  const { RongIMClient } = createRongIMLib(adapter);
  const logs: string[] = [];
  RongIMClient.init(APP.key, null, { navi: server.url, logLevel: LogLevel.DEBUG, logStdout: (l, c) => logs.push(`${l} ${c}`) });
  const statuses: number[] = [];
  const received: string[] = [];
  RongIMClient.setConnectionStatusListener({ onChanged: (s) => statuses.push(s) });
  RongIMClient.setOnReceiveMessageListener({ onReceived: (m) => received.push(m.messageUId ?? '') });
  clients.push({ disconnect: () => RongIMClient.getInstance().disconnect() });
  return {
    userId,
    token,
    client: RongIMClient,
    statuses,
    logs,
    received,
    connect: () =>
      new Promise<string>((resolve, reject) => {
        void RongIMClient.connect(token, {
          onSuccess: resolve,
          onTokenIncorrect: () => reject(new Error('token incorrect')),
          onError: (code) => reject(new Error(`connect failed: ${code}`)),
        });
      }),
  };
}

const isConnected = (u: User) => (): boolean => u.client.getInstance().getCurrentConnectionStatus() === ConnectionStatus.CONNECTED;

describe('disconnect / logout leave nothing running', () => {
  test.each(['wechat', 'toutiao', 'baidu', 'alipay', 'alipay-single', 'alipay-comet', 'uniapp-app'] as const)(
    '%s: after disconnect() no socket stays open and no timer stays pending',
    async (kind) => {
      const r = rig(kind);
      const bob = await user(r.adapter, 'bob');
      await bob.connect();
      await delay(300);
      await bob.client.getInstance().disconnect();
      await waitFor('sockets closed', () => r.device.liveSockets === 0, 5_000);
      await waitFor('requests settled', () => r.device.cuttable === 0, 5_000).catch(() => undefined);
      await delay(2_500);
      expect({ cuttable: r.device.cuttable, pendingTimers: [...r.pending.values()] }).toEqual({ cuttable: 0, pendingTimers: [] });
      expect(r.device.misuse).toEqual([]);
    },
    30_000,
  );
});

describe('disconnect()/logout() while the socket is connecting', () => {
  test.each([
    ['wechat', 'disconnect'],
    ['alipay-single', 'disconnect'],
    ['uniapp-app', 'logout'],
    ['toutiao', 'logout'],
  ] as const)(
    '%s: %s() right after connectSocket: the socket is closed, no reconnect, no callbacks afterwards',
    async (kind, how) => {
      let onConnectSocket: (() => void) | undefined;
      let connectSockets = 0;
      const r = rig(kind, new SimulatedDevice(), (raw) => {
        const connectSocket = raw['connectSocket'] as (o: Record<string, unknown>) => unknown;
        raw['connectSocket'] = (o: Record<string, unknown>) => {
          connectSockets += 1;
          const task = connectSocket(o);
          const hook = onConnectSocket;
          onConnectSocket = undefined;
          hook?.();
          return task;
        };
      });
      const bob = await user(r.adapter, 'bob');
      const outcome: string[] = [];
      onConnectSocket = () => {
        const im = bob.client.getInstance();
        void (how === 'disconnect' ? im.disconnect() : im.logout());
      };
      await bob.connect().then(
        () => outcome.push('success'),
        (e: Error) => outcome.push(e.message),
      );
      expect(connectSockets).toBe(1);
      await waitFor('socket closed', () => r.device.liveSockets === 0, 5_000);
      await delay(2_500);
      expect(connectSockets).toBe(1);
      expect(r.device.liveSockets).toBe(0);
      expect(bob.client.getInstance().getCurrentConnectionStatus()).toBe(ConnectionStatus.DISCONNECTED);
      expect(outcome).toHaveLength(1);
      expect(outcome[0]).not.toBe('success');
      expect([...r.pending.values()]).toEqual([]);
      expect(r.device.misuse).toEqual([]);
    },
    20_000,
  );
});

describe('no double reconnect', () => {
  test.each(['wechat', 'alipay-single'] as const)(
    '%s: network back and app shown in the same tick start exactly one attempt (one socket)',
    async (kind) => {
      const r = rig(kind);
      const bob = await user(r.adapter, 'bob');
      await bob.connect();
      const before = r.device.socketsOpened;
      r.device.hide();
      r.device.goOffline();
      await waitFor('suspended', () => bob.statuses.includes(ConnectionStatus.NETWORK_UNAVAILABLE));
      r.device.goOnline();
      r.device.show();
      await waitFor('reconnected', isConnected(bob));
      await delay(1_000);
      expect(r.device.socketsOpened - before).toBe(1);
      expect(r.device.peakLiveSockets).toBe(1);
      expect(r.device.connectFailures).toEqual([]);
      expect(r.device.misuse).toEqual([]);
    },
    20_000,
  );
});
