/**
 * The host lifecycle end to end, on every simulated host (test/support/host-simulators) against the
 * real server process, through the public RongIMLib API: a network loss reported by the host
 * (suspend, then reconnect when it comes back and sync what was missed), the app going to the
 * background (the host cuts the network 5 s later — shortened here — and the SDK reconnects the
 * moment the app is shown again), and a storm of connection drops that must never take more
 * sockets than the host allows (single-socket Alipay: never two) nor leave one behind.
 */
import { ConnectionStatus, TextMessage } from '../../src/index';
import type { Message } from '../../src/index';
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { SimulatedDevice, SIMULATED_HOST_IDS, simulatedAdapter, type DeviceOptions, type SimulatedHostId } from '../support/host-simulators';
import { call, delay, ok, sdkUser, useSdkAdapter, type SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxhostlife', secret: 'lxhostlifesecret', options: { multiDevice: true, maxSendRate: 1000 } };
const PRIVATE = 1;
let server: RunningServer;
const users: SdkUser[] = [];
const devices: SimulatedDevice[] = [];

type AdapterWrap = (adapter: PlatformAdapter, device: SimulatedDevice) => PlatformAdapter;

let hostForNextUser: SimulatedHostId = 'wechat';
let deviceForNextUser: SimulatedDevice | undefined;
let wrapForNextUser: AdapterWrap | undefined;
useSdkAdapter(() => {
  const device = deviceForNextUser ?? new SimulatedDevice();
  const wrap = wrapForNextUser;
  deviceForNextUser = undefined;
  wrapForNextUser = undefined;
  devices.push(device);
  const adapter = simulatedAdapter(hostForNextUser, device);
  return wrap === undefined ? adapter : wrap(adapter, device);
});

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
});
afterAll(async () => {
  for (const device of devices) device.shutdown();
  await server?.stop();
});
afterEach(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
  const used = devices.splice(0);
  // No socket outlives its SDK instance.
  await waitFor('every socket closed', () => used.every((d) => d.liveSockets === 0), 5_000);
  expect(used.flatMap((d) => d.misuse)).toEqual([]);
});

async function online(
  host: SimulatedHostId,
  name: string,
  deviceOptions: DeviceOptions = {},
  wrap?: AdapterWrap,
): Promise<{ user: SdkUser; device: SimulatedDevice }> {
  const device = new SimulatedDevice(deviceOptions);
  hostForNextUser = host;
  deviceForNextUser = device;
  wrapForNextUser = wrap;
  const user = await sdkUser(server, APP, name);
  users.push(user);
  expect(await user.connect()).toBe(user.userId);
  return { user, device };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

function send(from: SdkUser, to: string, text: string): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(PRIVATE, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

const connected = (user: SdkUser) => () => user.im.getCurrentConnectionStatus() === ConnectionStatus.CONNECTED;

/** The transport of the user's latest session, from the SDK's own log line on each CONNACK. */
function sessionTransport(user: SdkUser): string | undefined {
  const line = [...user.logs].reverse().find((l) => / connected as .* via (websocket|comet) /.test(l));
  return line === undefined ? undefined : / via (websocket|comet) /.exec(line)?.[1];
}

describe.each(SIMULATED_HOST_IDS.map((id) => [id]))('%s', (host) => {
  const comet = host === 'alipay-comet';

  test('network lost: suspended while offline, reconnected when the host reports it back, missed messages synced once', async () => {
    const { user: bob, device } = await online(host, 'bob');
    const { user: alice } = await online(host, 'alice');
    device.goOffline();
    await waitFor('NETWORK_UNAVAILABLE', () => bob.statuses.includes(ConnectionStatus.NETWORK_UNAVAILABLE));
    const sent = await send(alice, bob.userId, 'while you were offline');
    await delay(300);
    expect(bob.received.some((r) => r.message.messageUId === sent.messageUId)).toBe(false);
    expect(bob.im.getCurrentConnectionStatus()).toBe(ConnectionStatus.NETWORK_UNAVAILABLE);

    device.goOnline();
    await waitFor('reconnected', connected(bob));
    await bob.next((m) => m.messageUId === sent.messageUId);
    const after = await send(alice, bob.userId, 'back online');
    await bob.next((m) => m.messageUId === after.messageUId);
    await delay(300);
    expect(bob.received.filter((r) => r.message.messageUId === sent.messageUId)).toHaveLength(1);
    expect(device.connectFailures).toEqual([]);
  });

  test('background: the host cuts the network, retries fail quietly, showing the app reconnects at once', async () => {
    const { user: bob, device } = await online(host, 'bob', { backgroundCutMs: 200 });
    const { user: alice } = await online(host, 'alice');
    device.hide();
    await waitFor('the cut', () => !connected(bob)());
    // Long enough for several failed retries, so the back-off window is seconds wide by now.
    await delay(3_000);
    expect(connected(bob)()).toBe(false);
    const sent = await send(alice, bob.userId, 'while in the background');

    const shownAt = Date.now();
    device.show();
    await waitFor('reconnected after show', connected(bob));
    expect(Date.now() - shownAt).toBeLessThan(1_000);
    await bob.next((m) => m.messageUId === sent.messageUId);
    expect(device.connectFailures).toEqual([]);
  });

  test('background: the app is shown while a retry that started during the cut is in flight, and still reconnects at once', async () => {
    // The app comes back right after a background retry sent its first request, which the host
    // cut: the SDK must not wait for that attempt to fail and then for the back-off.
    let showOnNextCutRequest = false;
    const { user: bob, device } = await online(host, 'bob', { backgroundCutMs: 200 }, (adapter, d) => ({
      ...adapter,
      request: (request) => {
        const pending = adapter.request(request);
        if (showOnNextCutRequest && d.blocked === 'background') {
          showOnNextCutRequest = false;
          d.show();
        }
        return pending;
      },
    }));
    const { user: alice } = await online(host, 'alice');
    const limit = simulatedAdapter(host, new SimulatedDevice()).capabilities.maxConcurrentSockets;
    device.hide();
    await waitFor('the cut', () => !connected(bob)());
    // Several failed retries: the back-off window is seconds wide by now.
    await delay(3_000);
    expect(connected(bob)()).toBe(false);
    const sent = await send(alice, bob.userId, 'while in the background');

    showOnNextCutRequest = true;
    await waitFor('a retry in flight when the app is shown', () => !showOnNextCutRequest, 15_000);
    const shownAt = Date.now();
    await waitFor('reconnected after show', connected(bob));
    expect(Date.now() - shownAt).toBeLessThan(1_000);
    await bob.next((m) => m.messageUId === sent.messageUId);
    expect(device.connectFailures).toEqual([]);
    expect(device.peakLiveSockets).toBeLessThanOrEqual(limit);
  });

  test('a storm of connection drops: never more sockets than the host allows, none left behind', async () => {
    const { user: bob, device } = await online(host, 'bob');
    const { user: alice } = await online(host, 'alice');
    const limit = simulatedAdapter(host, new SimulatedDevice()).capabilities.maxConcurrentSockets;
    const sessions = (): number => bob.statuses.filter((s) => s === ConnectionStatus.CONNECTED).length;
    // Every third drop waits for a session newer than the last one it cut, and cuts it: the storm
    // takes the SDK through 5 reconnects however fast or slow the machine is. The drops in between
    // land wherever the reconnect happens to be (navi, ping, a socket opening, the back-off), so
    // how many sockets they cost is up to scheduling and is not asserted. No drop follows the last
    // cut, so the session that comes back after it stays up.
    let cutSession = 0;
    let sentDuringStorm: Message | undefined;
    for (let i = 0; i <= 12; i++) {
      if (i % 3 === 0) {
        await waitFor(`a session newer than #${cutSession} to cut`, () => sessions() > cutSession && connected(bob)() && device.cuttable > 0, 20_000);
        cutSession = sessions();
      }
      device.dropConnections();
      if (i === 6) sentDuringStorm = await send(alice, bob.userId, 'during the storm');
      if (i < 12) await delay(30 + (i % 4) * 70);
    }
    await waitFor('reconnected after the storm', () => sessions() > cutSession && connected(bob)(), 20_000);
    expect(sessions()).toBeGreaterThanOrEqual(6);
    const sent = await send(alice, bob.userId, 'after the storm');
    await bob.next((m) => m.messageUId === sent.messageUId);
    await bob.next((m) => m.messageUId === sentDuringStorm?.messageUId);
    expect(bob.received.filter((r) => r.message.messageUId === sentDuringStorm?.messageUId)).toHaveLength(1);

    expect(device.connectFailures).toEqual([]);
    expect(device.peakLiveSockets).toBeLessThanOrEqual(limit);
    // None left behind: once the cut sockets have reported their close, the live session holds one
    // socket, or none on comet. A drop that cuts a WebSocket before it opens makes the SDK fall back
    // to comet on that host (src/transport/transport-selector.ts), so either may be live here.
    const onComet = sessionTransport(bob) === 'comet';
    if (comet) {
      expect(onComet).toBe(true);
      expect(device.socketsOpened).toBe(0);
    }
    await waitFor('only the live session’s socket left', () => device.liveSockets === (onComet ? 0 : 1), 5_000);
  });
});
