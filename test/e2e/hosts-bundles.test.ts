/**
 * The BUILT host bundles on bare hosts: each dist/<host>.cjs, the mini-program bundle
 * (dist/miniprogram/index.js, which sniffs the host) and the per-host mini-program files
 * (dist/miniprogram/<host>.js; all of dist/miniprogram/ ships minified), is evaluated in a fresh vm context that holds
 * only what a mini-program runtime gives — its API object (a host simulator: `wx`, `tt`, `swan`,
 * `my` or `uni`), timers and `console`; no `require`, `process`, `globalThis`-era extras,
 * WebSocket or TextEncoder. Through the bundle's pre-wired RongIMClient it connects to the real
 * server and exchanges messages with a peer. The bundles' source is also scanned for code hosts
 * reject, comments dropped (the hygiene test scans the UMD and mini-program builds; this covers the
 * per-host ones). On `swan` the entry's UploadClient also uploads bytes (Baidu's request sends strings
 * only: they go through a temp user file and swan.uploadFile).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { transformSync } from 'esbuild';
import { TextMessage } from '../../src/index';
import { ensureBuilt, REPO_ROOT } from '../support/dist';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { createMySimulator, createSwanSimulator, createTtSimulator, createUniSimulator, createWxSimulator, SimulatedDevice } from '../support/host-simulators';
import { userFilesLeft, waitFor } from '../support/host-simulators/host-adapter-cases';
import { newUserId, sdkUser, tokenFor, type SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxhostbundle', secret: 'lxhostbundlesecret', options: { maxSendRate: 1000 } };
const HOST_BUNDLES = ['wechat', 'toutiao', 'baidu', 'alipay', 'uniapp'].map((name) => `dist/${name}.cjs`);
const MINIPROGRAM = 'dist/miniprogram/index.js';
/** The per-host mini-program files (minified, as the hosts' npm build copies them), each on its own host. */
const PER_HOST_MINIPROGRAM: ReadonlyArray<readonly [string, HostGlobal, string]> = [
  ['dist/miniprogram/wechat.js', 'wx', 'wechat'],
  ['dist/miniprogram/toutiao.js', 'tt', 'toutiao'],
  ['dist/miniprogram/baidu.js', 'swan', 'baidu'],
  ['dist/miniprogram/alipay.js', 'my', 'alipay'],
];

type HostGlobal = 'wx' | 'tt' | 'swan' | 'my' | 'uni';
const SIMULATORS: Record<HostGlobal, (device: SimulatedDevice) => unknown> = {
  wx: (device) => createWxSimulator({}, device).host,
  tt: (device) => createTtSimulator({}, device).host,
  swan: (device) => createSwanSimulator({}, device).host,
  my: (device) => createMySimulator({}, device).host,
  uni: (device) => createUniSimulator('app', {}, device).host,
};

const CASES: ReadonlyArray<readonly [string, HostGlobal, string]> = [
  ['dist/wechat.cjs', 'wx', 'wechat'],
  ['dist/toutiao.cjs', 'tt', 'toutiao'],
  ['dist/baidu.cjs', 'swan', 'baidu'],
  ['dist/alipay.cjs', 'my', 'alipay'],
  ['dist/uniapp.cjs', 'uni', 'uniapp'],
  [MINIPROGRAM, 'wx', 'wechat'],
  [MINIPROGRAM, 'tt', 'toutiao'],
  [MINIPROGRAM, 'swan', 'baidu'],
  [MINIPROGRAM, 'my', 'alipay'],
  [MINIPROGRAM, 'uni', 'uniapp'],
  ...PER_HOST_MINIPROGRAM,
];

/** What mini-program hosts reject or lack (same rules as test/unit/bundle-hygiene.test.ts). */
const FORBIDDEN: ReadonlyArray<readonly [string, RegExp]> = [
  ['eval(', /\beval\s*\(/],
  ['new Function', /\bnew\s+Function\b/],
  ['Function(', /\bFunction\s*\(/],
  ['require(', /\brequire\s*\(/],
  ['bare process.', /(?<![\w$.])process\s*\./],
  ['globalThis.WebSocket', /\bglobalThis\s*(?:\.\s*|\[\s*["'`])WebSocket\b/],
];

interface BundleApi {
  readonly RongIMClient: {
    init(appKey: string, provider: null, options: Record<string, unknown>): void;
    connect(token: string, callbacks: Record<string, (...args: unknown[]) => void>): void;
    setOnReceiveMessageListener(listener: { onReceived(message: { content: Record<string, unknown>; senderUserId: string }): void }): void;
    getInstance(): {
      sendMessage(type: number, target: string, message: unknown, callbacks: Record<string, (...args: unknown[]) => void>): void;
      disconnect(): Promise<void>;
      getNavi(): Record<string, unknown>;
      getFileToken(fileType: number, callbacks: { onSuccess(data: { token: string }): void; onError(code: number): void }): void;
      getFileUrl(fileType: number, fileName: string, oriName: string, callbacks: { onSuccess(data: { downloadUrl: string }): void; onError(code: number): void }): void;
    };
  };
  readonly TextMessage: new (content: { content: string }) => unknown;
  readonly UploadClient: {
    initImage: unknown;
    initFile(
      config: { domain: string; fileType: number; getToken(callback: (token: string) => void): void },
      ready: (uploadFile: { upload(file: unknown, callbacks: { onProgress(): void; onCompleted(data: { filename: string; name: string }): void; onError(code: number): void }): void }) => void,
    ): void;
  };
}

function loadOnBareHost(file: string, hostGlobal: HostGlobal, host: unknown, logs: string[], sandbox: Record<string, unknown> = {}): BundleApi {
  Object.assign(sandbox, {
    [hostGlobal]: host,
    setTimeout,
    clearTimeout,
    console: { log: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) },
  });
  const code = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const factory: unknown = vm.runInNewContext(`(function (module, exports) {\n${code}\n})`, sandbox, { filename: file });
  const moduleObject: { exports: Record<string, unknown> } = { exports: {} };
  if (typeof factory !== 'function') throw new Error('vm did not return the module factory');
  factory(moduleObject, moduleObject.exports);
  return moduleObject.exports as unknown as BundleApi;
}

let server: RunningServer;
const peers: SdkUser[] = [];
beforeAll(async () => {
  ensureBuilt([...HOST_BUNDLES, MINIPROGRAM, ...PER_HOST_MINIPROGRAM.map(([file]) => file)]);
  server = await startServer({ apps: [APP] });
}, 300_000);
afterAll(async () => {
  for (const peer of peers) await peer.im.disconnect();
  await server?.stop();
});

test.each([...HOST_BUNDLES, ...PER_HOST_MINIPROGRAM.map(([file]) => file)])('%s has no code a mini-program host rejects', (file) => {
  // Comments dropped first (these builds keep them; protobufjs documents `require(...)` usage).
  const code = transformSync(readFileSync(path.join(REPO_ROOT, file), 'utf8'), { loader: 'js', legalComments: 'none' }).code;
  const hits = FORBIDDEN.filter(([, pattern]) => pattern.test(code)).map(([name]) => name);
  const textCodecs = [...code.matchAll(/\b(TextEncoder|TextDecoder)\b/g)].filter((m) => !new RegExp(`typeof\\s+${m[1] ?? ''}\\b`).test(code.slice(Math.max(0, m.index - 200), m.index)));
  expect({ hits, unguardedTextCodecs: textCodecs.length }).toEqual({ hits: [], unguardedTextCodecs: 0 });
});

test.each(CASES)('%s on a bare host with only `%s`: connects through the %s adapter and exchanges messages', async (file, hostGlobal, adapterName) => {
  const device = new SimulatedDevice();
  const logs: string[] = [];
  const api = loadOnBareHost(file, hostGlobal, SIMULATORS[hostGlobal](device), logs);
  expect(typeof api.UploadClient.initImage).toBe('function');
  const peer = await sdkUser(server, APP, 'peer');
  peers.push(peer);
  await peer.connect();

  const userId = newUserId(`bundle-${adapterName}`);
  const token = await tokenFor(server, APP, userId);
  const { RongIMClient } = api;
  const received: string[] = [];
  RongIMClient.setOnReceiveMessageListener({ onReceived: (message) => received.push(String(message.content['content'])) });
  RongIMClient.init(APP.key, null, { navi: server.url });
  const connected = await new Promise<unknown>((resolve, reject) =>
    RongIMClient.connect(token, { onSuccess: resolve, onTokenIncorrect: () => reject(new Error('token incorrect')), onError: (code) => reject(new Error(`connect ${String(code)}`)) }),
  );
  expect(connected).toBe(userId);
  expect(device.socketsOpened).toBe(1);

  const im = RongIMClient.getInstance();
  await new Promise((resolve, reject) =>
    im.sendMessage(1, peer.userId, new api.TextMessage({ content: `hello from ${file}` }), { onSuccess: resolve, onError: (code) => reject(new Error(`send ${String(code)}`)) }),
  );
  await peer.next((m) => m.content['content'] === `hello from ${file}`);
  await new Promise((resolve, reject) => peer.im.sendMessage(1, userId, new TextMessage({ content: 'hello back' }), { onSuccess: resolve, onError: reject }));
  const until = Date.now() + 10_000;
  while (!received.includes('hello back') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(received).toEqual(['hello back']);
  await im.disconnect();
  await peer.im.disconnect();
  device.shutdown();
  expect(device.misuse).toEqual([]);
});

test.each(['dist/baidu.cjs', MINIPROGRAM, 'dist/miniprogram/baidu.js'])('%s on a bare `swan`: UploadClient sends bytes through a temp user file and swan.uploadFile; the stored file has the same bytes, the temp file is gone', async (file) => {
  const device = new SimulatedDevice();
  const sandbox: Record<string, unknown> = {};
  const api = loadOnBareHost(file, 'swan', SIMULATORS.swan(device), [], sandbox);
  const userId = newUserId('bundle-upload');
  const token = await tokenFor(server, APP, userId);
  api.RongIMClient.init(APP.key, null, { navi: server.url });
  await new Promise((resolve, reject) => api.RongIMClient.connect(token, { onSuccess: resolve, onTokenIncorrect: reject, onError: reject }));
  const im = api.RongIMClient.getInstance();
  // Bytes of the bundle's own realm, as a mini-program has them.
  const bytes = vm.runInContext('new Uint8Array(60000)', sandbox) as Uint8Array;
  bytes.set(Uint8Array.from({ length: bytes.length }, (_, i) => (i * 7 + 3) & 0xff));
  const FILE = 4;
  const uploaded = await new Promise<{ filename: string; name: string }>((resolve, reject) =>
    api.UploadClient.initFile(
      {
        domain: 'upload.qiniup.com',
        fileType: FILE,
        getToken: (callback) => im.getFileToken(FILE, { onSuccess: (data) => callback(data.token), onError: (code) => reject(new Error(`token ${code}`)) }),
      },
      (uploadFile) =>
        uploadFile.upload({ data: bytes, name: 'report.bin' }, { onProgress: () => undefined, onCompleted: resolve, onError: (code) => reject(new Error(`upload ${code}`)) }),
    ),
  );
  expect(uploaded.name).toBe('report.bin');
  const url = await new Promise<string>((resolve, reject) =>
    im.getFileUrl(FILE, uploaded.filename, uploaded.name, { onSuccess: (data) => resolve(data.downloadUrl), onError: (code) => reject(new Error(`url ${code}`)) }),
  );
  const stored = Buffer.from(await (await fetch(url)).arrayBuffer());
  expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  await waitFor('temp file removed', () => userFilesLeft(device).length === 0);
  await im.disconnect();
  device.shutdown();
  expect(device.misuse).toEqual([]);
});
