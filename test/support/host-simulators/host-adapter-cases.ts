/**
 * What every mini-program adapter test (test/platforms/<host>-adapter.test.ts) runs on its host
 * simulator: the PlatformAdapter contract (platforms/adapter.contract.ts) against the real contract
 * servers, then the host mapping itself — storage over the host's sync store (a missing key reads
 * as absent though the host answers '' or null; a write the host refuses — its store full — rejects
 * and keeps the previous value), lifecycle over the host's network and show/hide
 * events (one host listener, dropped with the last subscriber), and the host's socket limit
 * (waiting for a closing socket, refusing one more live socket, or — single-socket hosts —
 * closing the old socket before the new one starts), and uploads (a temp file path through the
 * host's uploadFile with growing progress, bytes as a multipart request — or, on hosts whose request
 * sends strings only, through a temp user file and uploadFile, removed afterwards). No adapter may
 * call its host outside the documented signatures: `device.misuse` is checked after every test.
 */
import { readdirSync } from 'node:fs';
import { describeAdapterContract } from '../../../platforms/adapter.contract';
import type { PlatformAdapter, SocketHandlers, UploadRequest } from '../../../src/platform/platform-adapter';
import { HttpRequestError } from '../../../src/platform/http-request-error';
import { startContractServers, type ContractServers } from '../../platforms/contract-servers';
import { SimulatedDevice } from './simulated-device';
import { startUploadEchoServer, type ParsedUpload } from './upload-echo-server';

export interface HostAdapterCase {
  /** Test title, e.g. 'wechat (wx simulator)'. */
  readonly name: string;
  readonly makeAdapter: (device: SimulatedDevice) => PlatformAdapter;
  /** The host's documented storage total (keys and values), when it documents one. */
  readonly storageTotalBytes?: number;
}

export interface SocketLog {
  readonly events: string[];
  readonly handlers: SocketHandlers;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  nextMessage(): Promise<Uint8Array>;
}

export function socketLog(): SocketLog {
  const events: string[] = [];
  let onOpen: () => void = () => undefined;
  let onClose: (v: { code: number; reason: string }) => void = () => undefined;
  let waiters: Array<(m: Uint8Array) => void> = [];
  const opened = new Promise<void>((resolve) => (onOpen = resolve));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClose = resolve));
  return {
    events,
    opened,
    closed,
    nextMessage: () => new Promise<Uint8Array>((resolve) => waiters.push(resolve)),
    handlers: {
      onOpen: () => {
        events.push('open');
        onOpen();
      },
      onMessage: (data) => {
        events.push('message');
        const w = waiters;
        waiters = [];
        for (const fn of w) fn(data);
      },
      onError: () => events.push('error'),
      onClose: (code, reason) => {
        events.push(`close:${code}`);
        onClose({ code, reason });
      },
    },
  };
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** What is left in the device's user file directory besides the adapter's (empty) `lianxin-upload` folder. */
export function userFilesLeft(device: SimulatedDevice): string[] {
  return readdirSync(device.userDataDir, { recursive: true, encoding: 'utf8' }).filter((entry) => entry !== 'lianxin-upload');
}

/** The contract servers for this test file, started in beforeAll. */
export function useContractServers(): () => ContractServers {
  let servers: ContractServers | undefined;
  beforeAll(async () => {
    servers = await startContractServers();
  });
  afterAll(async () => {
    await servers?.close();
  });
  return () => {
    if (servers === undefined) throw new Error('contract servers not started');
    return servers;
  };
}

export function describeHostAdapter({ name, makeAdapter, storageTotalBytes }: HostAdapterCase, env: () => ContractServers): void {
  const devices: SimulatedDevice[] = [];
  const newDevice = (): SimulatedDevice => {
    const device = new SimulatedDevice();
    devices.push(device);
    return device;
  };
  afterEach(() => {
    expect(devices.flatMap((d) => d.misuse)).toEqual([]);
  });
  afterAll(() => {
    for (const device of devices) device.shutdown();
  });

  // One phone for the whole contract: the host store persists across adapter instances.
  const contractDevice = newDevice();
  describeAdapterContract(name, () => makeAdapter(contractDevice), env, { sharedStorage: true });

  describe(`${name}: host mapping`, () => {
    test('storage: a missing key reads as absent (the host answers "" or null), "" round-trips, values sit under the prefix', async () => {
      const device = newDevice();
      const { storage } = makeAdapter(device);
      expect(await storage.get('k')).toBeUndefined();
      await storage.set('k', '');
      expect(await storage.get('k')).toBe('');
      await storage.set('k', 'v 中文');
      expect([...device.storage.keys()]).toEqual(['lianxin:k']);
      expect(await makeAdapter(device).storage.get('k')).toBe('v 中文');
      // Something the app itself stored under our key is not ours.
      device.storage.set('lianxin:other', JSON.stringify('plain'));
      expect(await storage.get('other')).toBeUndefined();
      await storage.remove('k');
      expect(device.storage.has('lianxin:k')).toBe(false);
    });

    // Only hosts that document a total have one to exceed (uni-app App documents none: no case for it).
    if (storageTotalBytes !== undefined) test('storage: a write past the host total rejects, keeps the previous value, and writes work again once there is room', async () => {
      const device = newDevice();
      const { storage } = makeAdapter(device);
      await storage.set('k', 'old');
      // The rest of the mini-program filled the store up to a few bytes below the total.
      device.storage.set('app:filler', JSON.stringify('x'.repeat((storageTotalBytes ?? 0) - 200)));
      const refused = await storage.set('k', 'y'.repeat(1_000)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(Error);
      expect(await storage.get('k')).toBe('old');
      expect(await makeAdapter(device).storage.get('k')).toBe('old');
      device.storage.delete('app:filler');
      await storage.set('k', 'y'.repeat(1_000));
      expect(await storage.get('k')).toBe('y'.repeat(1_000));
    });

    test('lifecycle: network and show/hide events reach every subscriber through one host listener', () => {
      const device = newDevice();
      const { lifecycle } = makeAdapter(device);
      const seen: string[] = [];
      const offA = lifecycle.onNetworkChange((online) => seen.push(`a:${online}`));
      const offB = lifecycle.onNetworkChange((online) => seen.push(`b:${online}`));
      const offShow = lifecycle.onForeground(() => seen.push('show'));
      const offHide = lifecycle.onBackground(() => seen.push('hide'));
      expect(device.networkChange.size).toBe(1);
      device.goOffline();
      device.goOnline();
      device.hide();
      device.show();
      expect(seen).toEqual(['a:false', 'b:false', 'a:true', 'b:true', 'hide', 'show']);
      offA();
      device.goOffline();
      expect(seen.slice(6)).toEqual(['b:false']);
      offB();
      offShow();
      offHide();
      expect([device.networkChange.size, device.appShow.size, device.appHide.size]).toEqual([0, 0, 0]);
      device.goOnline();
      expect(seen).toHaveLength(7);
      device.shutdown();
    });

    describe('upload', () => {
      let echo: Awaited<ReturnType<typeof startUploadEchoServer>> | undefined;
      beforeAll(async () => {
        echo = await startUploadEchoServer();
      });
      afterAll(async () => {
        await echo?.close();
      });
      const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
      const base = (over: Partial<UploadRequest>): UploadRequest => ({
        url: `${echo?.url ?? ''}/upload`,
        fields: { token: 'tok 1', key: 'k/1' },
        fileField: 'file',
        fileName: 'photo.jpg',
        contentType: 'image/jpeg',
        source: { kind: 'bytes', bytes },
        timeoutMs: 10_000,
        ...over,
      });
      const expectGrowing = (progress: Array<[number, number]>): void => {
        expect(progress.length).toBeGreaterThan(0);
        for (let i = 1; i < progress.length; i++) expect(progress[i]?.[0]).toBeGreaterThanOrEqual(progress[i - 1]?.[0] ?? 0);
        const last = progress[progress.length - 1];
        expect(last?.[0]).toBe(last?.[1]);
      };

      test('a temp file path goes through the host uploadFile: fields, file part and growing progress arrive', async () => {
        const device = newDevice();
        device.files.set('tmp://store/photo.jpg', bytes);
        const progress: Array<[number, number]> = [];
        const upload = makeAdapter(device).upload;
        if (upload === undefined) throw new Error('no upload');
        const res = await upload(base({ source: { kind: 'path', path: 'tmp://store/photo.jpg' }, onProgress: (l, t) => progress.push([l, t]) })).response;
        expect(res.status).toBe(200);
        const parsed = JSON.parse(res.body as string) as ParsedUpload;
        expect(parsed.fields).toEqual({ token: 'tok 1', key: 'k/1' });
        expect(parsed.file).toMatchObject({ field: 'file', filename: 'photo.jpg', contentType: 'image/jpeg', base64: Buffer.from(bytes).toString('base64') });
        expectGrowing(progress);
        expect(progress.length).toBeGreaterThan(2);
      });

      test('bytes go as a multipart request (string-only request: through a temp file, removed after) with the given file name and type', async () => {
        const device = newDevice();
        const progress: Array<[number, number]> = [];
        const adapter = makeAdapter(device);
        const upload = adapter.upload;
        if (upload === undefined) throw new Error('no upload');
        const res = await upload(base({ fileName: '季度 "x".bin', contentType: 'application/octet-stream', onProgress: (l, t) => progress.push([l, t]) })).response;
        const parsed = JSON.parse(res.body as string) as ParsedUpload;
        // Through a file the host names the part after the file: the name's `"` cannot be in a path.
        const viaFile = adapter.capabilities.binaryRequestBodies === false;
        expect(parsed.file).toMatchObject({
          field: 'file',
          filename: viaFile ? '季度 _x_.bin' : '季度 %22x%22.bin',
          contentType: 'application/octet-stream',
          base64: Buffer.from(bytes).toString('base64'),
        });
        expect(parsed.fields).toEqual({ token: 'tok 1', key: 'k/1' });
        expectGrowing(progress);
        await waitFor('no temp files left', () => userFilesLeft(device).length === 0);
      });

      test('abort, timeout and a host file object reject', async () => {
        const device = newDevice();
        device.files.set('tmp://store/a.jpg', bytes);
        const upload = makeAdapter(device).upload;
        if (upload === undefined) throw new Error('no upload');
        const pending = upload(base({ url: `${echo?.url ?? ''}/upload-slow`, source: { kind: 'path', path: 'tmp://store/a.jpg' } }));
        setTimeout(() => pending.abort(), 50);
        expect(await pending.response.catch((e: unknown) => (e as HttpRequestError).reason)).toBe('aborted');
        const slow = upload(base({ url: `${echo?.url ?? ''}/upload-slow`, timeoutMs: 300 }));
        const error = await slow.response.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(HttpRequestError);
        expect((error as HttpRequestError).reason).toBe('timeout');
        await expect(upload(base({ source: { kind: 'host', value: {} } })).response).rejects.toThrow(/bytes or a file path/);
        await waitFor('no temp files left', () => userFilesLeft(device).length === 0);
      });
    });

    test('socket limit: a new socket waits for a closing one; past the limit of live sockets it fails without reaching the host', async () => {
      const device = newDevice();
      const adapter = makeAdapter(device);
      const limit = adapter.capabilities.maxConcurrentSockets;
      const url = `${env().wsUrl}/echo`;
      const live = Array.from({ length: limit }, () => {
        const log = socketLog();
        return { log, socket: adapter.openSocket(url, log.handlers) };
      });
      await Promise.all(live.map((s) => s.log.opened));
      expect(device.liveSockets).toBe(limit);

      if (limit > 1) {
        const extra = socketLog();
        adapter.openSocket(url, extra.handlers);
        expect((await extra.closed).code).toBe(1006);
        expect(extra.events).toEqual(['error', 'close:1006']);
        expect(device.socketsOpened).toBe(limit);
      }

      // Close one and open another at once: it starts only after the host reported the close.
      live[0]?.socket.close();
      const next = socketLog();
      const nextSocket = adapter.openSocket(url, next.handlers);
      await next.opened;
      expect(device.peakLiveSockets).toBe(limit);
      const echo = next.nextMessage();
      nextSocket.send(Uint8Array.of(7, 7));
      expect(Array.from(await echo)).toEqual([7, 7]);
      expect(device.connectFailures).toEqual([]);

      for (const s of live) s.socket.close();
      nextSocket.close();
      await waitFor('all closed', () => device.liveSockets === 0);
    });
  });
}
