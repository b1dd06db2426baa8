/**
 * The Alipay adapter on the `my` simulator (real sockets and HTTP): the adapter contract plus the
 * host mapping (test/support/host-simulators/host-adapter-cases.ts) in SocketTask mode (received
 * binary frames as base64 `isBuffer` text and as ArrayBuffer; message events nested as the published
 * typings declare them, and flat as the prose docs show them) and in single-socket mode, then
 * Alipay's specifics: a new single socket closes the old one first and never meets "connection
 * already exists", including across a bounded storm of reopenings; clients without binary frames
 * run on comet.
 */
import { createAlipayAdapter } from '../../platforms/alipay/alipay-adapter';
import type { PlatformSocket } from '../../src/platform/platform-adapter';
import { createMySimulator } from '../support/host-simulators';
import { delay, describeHostAdapter, socketLog, useContractServers, waitFor, type SocketLog } from '../support/host-simulators/host-adapter-cases';

const env = useContractServers();

describeHostAdapter({ name: 'alipay SocketTask, base64 frames (my simulator)', makeAdapter: (device) => createAlipayAdapter(createMySimulator({}, device).host) }, env);
describeHostAdapter(
  { name: 'alipay SocketTask, ArrayBuffer frames (my simulator)', makeAdapter: (device) => createAlipayAdapter(createMySimulator({ binaryDelivery: 'arraybuffer' }, device).host) },
  env,
);
describeHostAdapter(
  {
    name: 'alipay SocketTask, frames flat as the prose docs show them (my simulator)',
    makeAdapter: (device) => createAlipayAdapter(createMySimulator({ taskMessages: 'flat' }, device).host),
  },
  env,
);
describeHostAdapter(
  { name: 'alipay single socket (my simulator)', makeAdapter: (device) => createAlipayAdapter(createMySimulator({}, device).host, { socketMode: 'single' }) },
  env,
);

describe('alipay specifics', () => {
  test('capabilities: 5 SocketTasks, or 1 in single-socket mode', () => {
    const { host } = createMySimulator();
    expect(createAlipayAdapter(host).capabilities).toEqual({ maxConcurrentSockets: 5, binaryFrames: true });
    expect(createAlipayAdapter(host, { socketMode: 'single' }).capabilities).toEqual({ maxConcurrentSockets: 1, binaryFrames: true });
  });

  test('single socket: a new socket closes the old one first, then connects; my.connectSocket never fails with error 2', async () => {
    const { host, device } = createMySimulator();
    const adapter = createAlipayAdapter(host, { socketMode: 'single' });
    const first = socketLog();
    adapter.openSocket(`${env().wsUrl}/echo`, first.handlers);
    await first.opened;
    const second = socketLog();
    const socket = adapter.openSocket(`${env().wsUrl}/echo`, second.handlers);
    await first.closed;
    await second.opened;
    const echo = second.nextMessage();
    socket.send(Uint8Array.of(1, 2, 3));
    expect(Array.from(await echo)).toEqual([1, 2, 3]);
    expect(first.events).toEqual(['open', 'close:1006']);
    expect(device.peakLiveSockets).toBe(1);
    expect(device.connectFailures).toEqual([]);
    socket.close();
    await waitFor('closed', () => device.liveSockets === 0);
    expect(device.misuse).toEqual([]);
  });

  test('single socket: a bounded storm of reopenings never holds two sockets, loses no close, leaks nothing', async () => {
    const { host, device } = createMySimulator();
    const adapter = createAlipayAdapter(host, { socketMode: 'single' });
    const opened: Array<{ log: SocketLog; socket: PlatformSocket }> = [];
    for (let i = 0; i < 40; i++) {
      const log = socketLog();
      opened.push({ log, socket: adapter.openSocket(`${env().wsUrl}/echo`, log.handlers) });
      if (i % 7 === 0) await log.opened;
      if (i % 5 === 0) opened[i - 1]?.socket.close();
      await delay(i % 3);
    }
    const last = opened[opened.length - 1];
    if (last === undefined) throw new Error('no socket');
    await last.log.opened;
    const echo = last.log.nextMessage();
    last.socket.send(Uint8Array.of(9));
    expect(Array.from(await echo)).toEqual([9]);
    await Promise.all(opened.slice(0, -1).map((s) => s.log.closed));
    for (const { log } of opened.slice(0, -1)) expect(log.events.filter((e) => e.startsWith('close'))).toHaveLength(1);
    expect(device.peakLiveSockets).toBe(1);
    expect(device.connectFailures).toEqual([]);
    last.socket.close();
    await waitFor('no socket left', () => device.liveSockets === 0);
    expect(device.misuse).toEqual([]);
  });

  test('binaryFrames: false refuses sockets asynchronously without touching my; my.request still works (comet)', async () => {
    const { host, device } = createMySimulator({ binaryFrames: false });
    const adapter = createAlipayAdapter(host, { binaryFrames: false });
    const log = socketLog();
    adapter.openSocket(`${env().wsUrl}/echo`, log.handlers);
    expect(log.events).toEqual([]);
    await log.closed;
    expect(log.events).toEqual(['error', 'close:1006']);
    expect(device.socketsOpened).toBe(0);
    const res = await adapter.request({ method: 'POST', url: `${env().httpUrl}/echo`, body: 'comet', headers: { 'content-type': 'text/plain' }, responseType: 'text', timeoutMs: 5_000 }).response;
    expect(res).toMatchObject({ status: 200, body: 'comet' });
    expect(device.misuse).toEqual([]);
  });

  test('an HTTP error status arrives through fail (error 19) and still resolves with status, headers and body', async () => {
    const { host, device } = createMySimulator();
    const res = await createAlipayAdapter(host).request({ method: 'GET', url: `${env().httpUrl}/status/503`, responseType: 'text', timeoutMs: 5_000 }).response;
    expect(res).toMatchObject({ status: 503, body: 'status 503', headers: { 'content-type': 'text/plain' } });
    expect(device.misuse).toEqual([]);
  });
});
