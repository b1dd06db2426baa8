/**
 * The SDK e2e suites (sdk-api.test.ts, sdk-groups.test.ts), unchanged, on the Alipay adapter (SocketTask mode, base64 `isBuffer` frames) through the `my` simulator;
 * then what only Alipay's `my` does to the SDK: my.request's error 19 as typed (no status, headers or data) on a rejected
 * token, in every Alipay mode, and my.setStorageSync refusing writes (its 10 MB total) under a working SDK.
 */
import './sdk-api.test';
import './sdk-groups.test';
import { ConversationType, createRongIMLib, LogLevel, TextMessage } from '../../src/index';
import type { Message } from '../../src/index';
import { SimulatedDevice, simulatedAdapter } from '../support/host-simulators';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, newUserId, ok, sdkUser, tokenFor } from './sdk-api-support';

runSdkSuiteOn('alipay');

describe('alipay: what my does to the SDK', () => {
  const APP: TestApp = { key: 'lxalipayhost', secret: 'lxalipayhostsecret', options: { multiDevice: true, maxSendRate: 1000 } };
  const MB = 1024 * 1024;
  let server: RunningServer;
  const devices: SimulatedDevice[] = [];
  const stops: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    server = await startServer({ apps: [APP] });
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(async () => {
    for (const device of devices) device.shutdown();
    await server?.stop();
  });

  /** An SDK instance on `device` (a reload when the device is reused). */
  function client(id: 'alipay' | 'alipay-single' | 'alipay-comet', device: SimulatedDevice, userId: string, token: string) {
    const { RongIMClient } = createRongIMLib(simulatedAdapter(id, device));
    const logs: string[] = [];
    const received: Message[] = [];
    RongIMClient.init(APP.key, null, { navi: server.url, logLevel: LogLevel.DEBUG, logStdout: (level, content) => logs.push(`${level} ${content}`) });
    RongIMClient.setOnReceiveMessageListener({ onReceived: (m) => void received.push(m) });
    const im = RongIMClient.getInstance();
    stops.push(() => im.disconnect());
    const connect = (): Promise<string> =>
      new Promise((resolve) => {
        void RongIMClient.connect(token, { onSuccess: () => resolve('success'), onTokenIncorrect: () => resolve('incorrect'), onError: (code) => resolve(`error ${code}`) });
      });
    return { userId, im, logs, received, connect };
  }
  const newDevice = (): SimulatedDevice => {
    const device = new SimulatedDevice();
    devices.push(device);
    return device;
  };
  const waitFor = async (what: string, predicate: () => boolean): Promise<void> => {
    const until = Date.now() + 10_000;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await delay(10);
    }
  };

  test.each(['alipay', 'alipay-single', 'alipay-comet'] as const)(
    '%s: a rejected token (navi 401, which my.request fails as a bare error 19) reaches onTokenIncorrect',
    async (id) => {
      const userId = newUserId('bob');
      const device = newDevice();
      const bob = client(id, device, userId, `${await tokenFor(server, APP, userId)}x`);
      expect(await bob.connect()).toBe('incorrect');
      expect(device.misuse).toEqual([]);
    },
    30_000,
  );

  test('alipay: with the store full the SDK keeps working, its writes fail, and what it stored before stays whole', async () => {
    const device = newDevice();
    const bobId = newUserId('bob');
    const bobToken = await tokenFor(server, APP, bobId);
    const alice = await sdkUser(server, APP, 'alice');
    stops.push(() => alice.im.disconnect());
    await alice.connect();
    const unread = (im: ReturnType<typeof client>['im'], targetId: string): Promise<number> =>
      ok(call<number>((cb) => im.getUnreadCount(ConversationType.PRIVATE, targetId, cb)), 'getUnreadCount');
    const send = (from: { im: ReturnType<typeof client>['im'] }, to: string, text: string): Promise<Message> =>
      ok(call<Message>((cb) => from.im.sendMessage(ConversationType.PRIVATE, to, new TextMessage({ content: text }), cb)), `send ${text}`);

    const bob = client('alipay', device, bobId, bobToken);
    expect(await bob.connect()).toBe('success');
    for (const text of ['one', 'two']) await send(alice, bobId, text);
    await waitFor('two received', () => bob.received.length === 2);
    await delay(500);
    expect(await unread(bob.im, alice.userId)).toBe(2);
    await bob.im.disconnect();

    // The rest of the mini-program fills the store up to the total.
    const used = [...device.storage].reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    device.storage.set('app:filler', JSON.stringify('x'.repeat(10 * MB - used - 40)));
    const stored = new Map([...device.storage].filter(([k]) => k.startsWith('lianxin:')));

    const reloaded = client('alipay', device, bobId, bobToken);
    expect(await reloaded.connect()).toBe('success');
    const carol = await sdkUser(server, APP, 'carol');
    stops.push(() => carol.im.disconnect());
    await carol.connect();
    const fromCarol = await send(carol, bobId, 'while full');
    await waitFor('received while full', () => reloaded.received.some((m) => m.messageUId === fromCarol.messageUId));
    expect(await unread(reloaded.im, carol.userId)).toBe(1);
    const reply = await send(reloaded, alice.userId, 'reply while full');
    await alice.next((m) => m.messageUId === reply.messageUId);
    await waitFor('a refused write logged', () => reloaded.logs.some((l) => /storage write failed/.test(l)));
    await reloaded.im.disconnect();
    // Nothing stored went missing (a write that fits — a same-size record — may still replace a value).
    expect([...stored.keys()].filter((k) => !device.storage.has(k))).toEqual([]);

    device.storage.delete('app:filler');
    const again = client('alipay', device, bobId, bobToken);
    expect(await again.connect()).toBe('success');
    expect(await unread(again.im, alice.userId)).toBe(2);
    expect(device.misuse).toEqual([]);
  }, 60_000);
});
