/**
 * The Alipay adapter on the `my` simulator (real sockets and HTTP): the adapter contract plus the
 * host mapping (test/support/host-simulators/host-adapter-cases.ts) in SocketTask mode (received
 * binary frames as base64 `isBuffer` text and as ArrayBuffer; message events nested as the published
 * typings declare them, and flat as the prose docs show them) and in single-socket mode, then
 * Alipay's specifics: a new single socket closes the old one first and never leaves the closing to
 * the host (whose close would reach the global listeners beside the new socket's events), including
 * across a bounded storm of reopenings, and passes its close code and reason; clients without binary
 * frames run on comet; my.request's status-less error 19; my.setStorageSync's failure result.
 */
import { createAlipayAdapter } from '../../platforms/alipay/alipay-adapter';
import { SILENT_LOGGER } from '../../src/client/logger';
import { UserStore } from '../../src/client/services/user-store';
import { HttpRequestError } from '../../src/platform/http-request-error';
import type { PlatformSocket } from '../../src/platform/platform-adapter';
import { createMySimulator } from '../support/host-simulators';
import { delay, describeHostAdapter, socketLog, useContractServers, waitFor, type SocketLog } from '../support/host-simulators/host-adapter-cases';

const env = useContractServers();
const MB = 1024 * 1024;

describeHostAdapter({ name: 'alipay SocketTask, base64 frames (my simulator)', makeAdapter: (device) => createAlipayAdapter(createMySimulator({}, device).host), storageTotalBytes: 10 * MB }, env);
describeHostAdapter(
  {
    name: 'alipay SocketTask, ArrayBuffer frames, error 19 with status as the my.request FAQ shows (my simulator)',
    makeAdapter: (device) => createAlipayAdapter(createMySimulator({ binaryDelivery: 'arraybuffer', httpErrorDetails: true }, device).host),
    storageTotalBytes: 10 * MB,
  },
  env,
);
describeHostAdapter(
  {
    name: 'alipay SocketTask, frames flat as the prose docs show them (my simulator)',
    makeAdapter: (device) => createAlipayAdapter(createMySimulator({ taskMessages: 'flat' }, device).host),
    storageTotalBytes: 10 * MB,
  },
  env,
);
describeHostAdapter(
  { name: 'alipay single socket (my simulator)', makeAdapter: (device) => createAlipayAdapter(createMySimulator({}, device).host, { socketMode: 'single' }), storageTotalBytes: 10 * MB },
  env,
);

describe('alipay specifics', () => {
  test('capabilities: 5 SocketTasks, or 1 in single-socket mode', () => {
    const { host } = createMySimulator();
    expect(createAlipayAdapter(host).capabilities).toEqual({ maxConcurrentSockets: 5, binaryFrames: true });
    expect(createAlipayAdapter(host, { socketMode: 'single' }).capabilities).toEqual({ maxConcurrentSockets: 1, binaryFrames: true });
  });

  test('single socket: a new socket closes the old one first, then connects; the host never has to close a live socket itself', async () => {
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

  test('an HTTP error status, as typed (error 19, no status): a server honouring x-lianxin-status-in-header gives status and body', async () => {
    const { host, device } = createMySimulator();
    const adapter = createAlipayAdapter(host);
    const res = await adapter.request({ method: 'GET', url: `${env().httpUrl}/status/503`, responseType: 'text', timeoutMs: 5_000 }).response;
    expect(res).toMatchObject({ status: 503, body: 'status 503', headers: { 'content-type': 'text/plain' } });
    // A server that ignores the header: the status is lost, a network failure that says what it was.
    const error = await adapter.request({ method: 'GET', url: `${env().httpUrl}/status/503?plain`, responseType: 'text', timeoutMs: 5_000 }).response.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect((error as HttpRequestError).reason).toBe('network');
    expect((error as HttpRequestError).message).toMatch(/error 19: http status error \(an HTTP error status/);
    expect(device.misuse).toEqual([]);
  });

  test('an HTTP error status with status/headers/data on the failure (clients per the my.request FAQ) resolves as that response', async () => {
    const { host, device } = createMySimulator({ httpErrorDetails: true });
    const res = await createAlipayAdapter(host).request({ method: 'GET', url: `${env().httpUrl}/status/404?plain`, responseType: 'text', timeoutMs: 5_000 }).response;
    expect(res).toMatchObject({ status: 404, body: 'status 404', headers: { 'content-type': 'text/plain' } });
    expect(device.misuse).toEqual([]);
  });

  test('my.setStorageSync answering { success: false } (it does not throw) makes storage.set reject; nothing was stored', async () => {
    const { host, device } = createMySimulator();
    await createAlipayAdapter(host).storage.set('k', 'old');
    const setStorageSync = host.setStorageSync.bind(host);
    host.setStorageSync = (o) => (o.key === 'lianxin:k' ? { success: false, error: 15, errorMessage: 'storage exceeds limit' } : setStorageSync(o));
    const adapter = createAlipayAdapter(host);
    await expect(adapter.storage.set('k', 'new')).rejects.toThrow(/my\.setStorageSync refused lianxin:k: error 15: storage exceeds limit/);
    expect(await adapter.storage.get('k')).toBe('old');
    expect(device.misuse).toEqual([]);
  });

  test('a record in parts survives a refused write of its head: the old parts stay, the new ones are removed', async () => {
    const { host, device } = createMySimulator();
    const store = (): UserStore => new UserStore(createAlipayAdapter(host).storage, 'app', 'me', SILENT_LOGGER);
    const big = (c: string): Record<string, string> => Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, c.repeat(50_000)]));
    await store().writeJson('unread', big('a'));
    const before = new Map(device.storage);
    expect(before.size).toBeGreaterThan(2);
    // The head of the next record is refused (the store filled up meanwhile); its parts fit.
    const setStorageSync = host.setStorageSync.bind(host);
    const head = [...before.keys()].find((k) => k.endsWith('-me')) ?? '';
    host.setStorageSync = (o) => (o.key === head ? { success: false, error: 15, errorMessage: 'storage exceeds limit' } : setStorageSync(o));
    await store().writeJson('unread', big('b'));
    expect(new Map(device.storage)).toEqual(before);
    host.setStorageSync = setStorageSync;
    expect(await store().readJson('unread', {}, (v): v is Record<string, string> => typeof v === 'object')).toEqual(big('a'));
    await store().writeJson('unread', big('c'));
    expect(await store().readJson('unread', {}, (v): v is Record<string, string> => typeof v === 'object')).toEqual(big('c'));
    expect(device.storage.size).toBe(before.size);
  });

  test('my simulator: storage refuses past 200 KB per key and 10 MB in total by its return value, keeping the old value', () => {
    const { host, device } = createMySimulator();
    expect(host.setStorageSync({ key: 'a', data: 'x'.repeat(200 * 1024) })).toMatchObject({ success: false, error: expect.any(Number) as unknown });
    const chunk = 'x'.repeat(190 * 1024);
    let refusedAt = -1;
    for (let i = 0; i < 60 && refusedAt < 0; i++) if ((host.setStorageSync({ key: `k${i}`, data: chunk }) as { success: boolean }).success === false) refusedAt = i;
    expect(refusedAt).toBeGreaterThan(50);
    expect(refusedAt).toBeLessThanOrEqual(54);
    expect(device.storage.has(`k${refusedAt}`)).toBe(false);
    expect(host.setStorageSync({ key: 'k0', data: 'small' })).toEqual({ success: true });
    expect(host.getStorageSync({ key: 'k0' })).toEqual({ data: 'small' });
    expect(host.removeStorageSync({ key: 'k0' })).toEqual({ success: true });
  });

  test('single socket: a close code and reason reach my.closeSocket', async () => {
    const { host, device } = createMySimulator();
    const closes: unknown[] = [];
    const closeSocket = host.closeSocket.bind(host);
    host.closeSocket = (o) => {
      closes.push({ code: o?.code, reason: o?.reason });
      closeSocket(o);
    };
    const log = socketLog();
    const socket = createAlipayAdapter(host, { socketMode: 'single' }).openSocket(`${env().wsUrl}/echo`, log.handlers);
    await log.opened;
    socket.close(4001, 'bye');
    await waitFor('closed', () => device.liveSockets === 0);
    expect(closes).toEqual([{ code: 4001, reason: 'bye' }]);
    expect(device.misuse).toEqual([]);
  });

  test('my simulator: a second global my.connectSocket closes the live global socket and opens the new one (as documented)', async () => {
    const { host, device } = createMySimulator();
    const events: string[] = [];
    host.onSocketOpen(() => events.push('open'));
    host.onSocketClose((r) => events.push(`close:${r.code}`));
    host.connectSocket({ url: `${env().wsUrl}/echo` });
    await waitFor('first open', () => events.includes('open'));
    const failed: unknown[] = [];
    host.connectSocket({ url: `${env().wsUrl}/echo`, fail: (r) => failed.push(r) });
    await waitFor('second open', () => events.filter((e) => e === 'open').length === 2);
    await waitFor('first closed', () => events.includes('close:1000'));
    expect(failed).toEqual([]);
    expect(device.connectFailures).toEqual(['my: a second global connectSocket closed the live global socket']);
    host.closeSocket();
    await waitFor('all closed', () => device.liveSockets === 0);
    expect(device.misuse).toEqual([]);
  });
});
