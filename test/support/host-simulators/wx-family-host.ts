/**
 * The API family of `wx`, `tt`, `swan` and `uni`, over a SimulatedDevice: connectSocket →
 * SocketTask, request → RequestTask, positional *StorageSync, network-status and app show/hide
 * events, getNetworkType, uploadFile → UploadTask with onProgressUpdate (of a file in
 * `device.files`, or a user file). Per-host differences come in a profile (failure fields, socket
 * limit, uni's Promise-without-callbacks rule, H5's lower-case response headers, swan's string-only
 * request bodies and its user files). Argument checks follow the hosts' documented signatures;
 * anything else is recorded in `device.misuse`.
 */
import { multipart } from './multipart';
import { RealRequest, type RealOutcome } from './real-http';
import { RealSocket } from './real-socket';
import { isArrayBuffer, later, toArrayBuffer, type NetworkStatusEvent, type SimulatedDevice } from './simulated-device';
import { createUserFiles } from './user-files';

type Callback = (result: never) => void;

export interface CallbackOptions {
  success?: Callback;
  fail?: Callback;
  complete?: Callback;
}

export interface WxFamilyProfile {
  /** 'wx' | 'tt' | 'swan' | 'uni': the errMsg prefix and the name in misuse reports. */
  readonly api: string;
  readonly maxSockets: number;
  /** Extra failure fields besides errMsg (tt `errNo`, swan `errCode`, wx `errno`). */
  readonly failExtra: (why: string) => Record<string, number>;
  /** uni: connectSocket/request without any callback return a Promise instead of a task. */
  readonly promiseWithoutCallbacks: boolean;
  /** uni H5: response header names come lower-cased (XHR). */
  readonly lowerCaseResponseHeaders: boolean;
  /**
   * swan: request `data` is documented as Object/String only, and data that is no String is
   * "converted to String" before sending — an ArrayBuffer goes out as `String(data)`.
   */
  readonly stringBodiesOnly?: boolean;
  /** swan: `env.USER_DATA_PATH` and `getFileSystemManager()` over device.userDataDir (./user-files.ts). */
  readonly userDataPath?: string;
  /**
   * setStorageSync limits (JSON bytes per key; keys and values in total), each host's documented
   * ones: absent means none documented. A refused write throws and keeps the previous value.
   */
  readonly storage: { readonly maxItemBytes?: number; readonly maxTotalBytes?: number };
}

export interface WxFamilyHost {
  connectSocket(options: Record<string, unknown>): unknown;
  request(options: Record<string, unknown>): unknown;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
  onNetworkStatusChange(listener: (result: NetworkStatusEvent) => void): void;
  offNetworkStatusChange(listener?: (result: NetworkStatusEvent) => void): void;
  onAppShow(listener: (options: unknown) => void): void;
  offAppShow(listener?: (options: unknown) => void): void;
  onAppHide(listener: (options: unknown) => void): void;
  offAppHide(listener?: (options: unknown) => void): void;
  getNetworkType(options?: CallbackOptions): Promise<unknown> | undefined;
  uploadFile(options: Record<string, unknown>): unknown;
  readonly env?: { readonly USER_DATA_PATH: string };
  getFileSystemManager?(): Record<string, unknown>;
}

const METHODS = new Set(['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT']);

function call(fn: unknown, result: unknown): void {
  if (typeof fn === 'function') (fn as (r: unknown) => void)(result);
}

function hasCallback(options: Record<string, unknown>): boolean {
  return ['success', 'fail', 'complete'].some((k) => typeof options[k] === 'function');
}

/** success/fail then complete, asynchronously as every host does. */
function settle(options: Record<string, unknown>, ok: boolean, result: unknown): void {
  later(() => {
    call(ok ? options['success'] : options['fail'], result);
    call(options['complete'], result);
  });
}

function queryString(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
}

function validCloseCode(code: unknown): boolean {
  return code === undefined || code === 1000 || (typeof code === 'number' && code >= 3000 && code <= 4999);
}

export function createWxFamilyHost(device: SimulatedDevice, profile: WxFamilyProfile): WxFamilyHost {
  const { api } = profile;
  const failure = (what: string, message: string): Record<string, unknown> => ({ errMsg: `${what}:fail ${message}`, ...profile.failExtra(message) });
  const misuse = (what: string): void => device.noteMisuse(`${api}.${what}`);
  const userFiles = profile.userDataPath === undefined ? undefined : createUserFiles(device, profile.userDataPath, failure, misuse);

  function connectSocket(options: Record<string, unknown>): unknown {
    const url = options['url'];
    if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) misuse(`connectSocket: url must be a ws(s) URL, got ${String(url)}`);
    for (const key of Object.keys(options)) {
      if (!['url', 'header', 'protocols', 'method', 'timeout', 'tcpNoDelay', 'perMessageDeflate', 'success', 'fail', 'complete'].includes(key)) {
        misuse(`connectSocket: unknown option ${key}`);
      }
    }
    const listeners = { open: [] as Callback[], close: [] as Callback[], error: [] as Callback[], message: [] as Callback[] };
    const emit = (kind: keyof typeof listeners, result: unknown): void => {
      for (const listener of [...listeners[kind]]) (listener as (r: unknown) => void)(result);
    };
    let socket: RealSocket | undefined;
    const task = {
      send(o: Record<string, unknown>): void {
        const data = o['data'];
        if (typeof data !== 'string' && !isArrayBuffer(data)) {
          misuse(`SocketTask.send: data must be a string or an ArrayBuffer, got ${Object.prototype.toString.call(data)}`);
          settle(o, false, failure('sendSocketMessage', 'parameter error: data type error'));
          return;
        }
        if (socket?.isOpen !== true) {
          misuse('SocketTask.send before onOpen');
          settle(o, false, failure('sendSocketMessage', 'WebSocket is not connected'));
          return;
        }
        socket.send(data);
        settle(o, true, { errMsg: 'sendSocketMessage:ok' });
      },
      close(o: Record<string, unknown> = {}): void {
        if (!validCloseCode(o['code'])) {
          misuse(`SocketTask.close: code must be 1000 or 3000-4999, got ${String(o['code'])}`);
          settle(o, false, failure('closeSocket', 'invalid code'));
          return;
        }
        socket?.close(typeof o['code'] === 'number' ? o['code'] : 1000, typeof o['reason'] === 'string' ? o['reason'] : '');
        settle(o, true, { errMsg: 'closeSocket:ok' });
      },
      onOpen: (listener: Callback) => void listeners.open.push(listener),
      onClose: (listener: Callback) => void listeners.close.push(listener),
      onError: (listener: Callback) => void listeners.error.push(listener),
      onMessage: (listener: Callback) => void listeners.message.push(listener),
    };
    const callbacks = hasCallback(options);
    const blocked = device.blocked;
    if (device.liveSockets >= profile.maxSockets) {
      device.connectFailures.push(`${api}: exceed max task count`);
      settle(options, false, failure('connectSocket', 'exceed max task count'));
    } else if (blocked !== undefined) {
      settle(options, true, { errMsg: 'connectSocket:ok' });
      later(() => {
        emit('error', { errMsg: `connectSocket:fail ${blocked === 'offline' ? 'network is down' : 'interrupted'}` });
        emit('close', { code: 1006, reason: 'abnormal closure' });
      });
    } else {
      const header = options['header'];
      const protocols = options['protocols'];
      socket = new RealSocket(
        device,
        String(url),
        {
          opened: () => emit('open', { header: {}, profile: {} }),
          message: (data) => emit('message', { data }),
          error: (message) => emit('error', { errMsg: message }),
          closed: (code, reason) => emit('close', { code, reason }),
        },
        {
          ...(header !== undefined ? { headers: header as Record<string, string> } : {}),
          ...(Array.isArray(protocols) && protocols.length > 0 ? { protocols: protocols as string[] } : {}),
        },
      );
      settle(options, true, { errMsg: 'connectSocket:ok', socketTaskId: device.socketsOpened });
    }
    if (profile.promiseWithoutCallbacks && !callbacks) {
      misuse('connectSocket without success/fail/complete returns a Promise, not a SocketTask');
      return Promise.resolve({ errMsg: 'connectSocket:ok' });
    }
    return task;
  }

  function request(options: Record<string, unknown>): unknown {
    const url = options['url'];
    const method = String(options['method'] ?? 'GET').toUpperCase();
    const dataType = options['dataType'] ?? 'json';
    const responseType = options['responseType'] ?? 'text';
    if (typeof url !== 'string') misuse('request: url must be a string');
    if (!METHODS.has(method)) misuse(`request: bad method ${method}`);
    if (typeof dataType !== 'string') misuse('request: dataType must be a string');
    if (responseType !== 'text' && responseType !== 'arraybuffer') misuse(`request: responseType must be text or arraybuffer, got ${String(responseType)}`);
    if ('headers' in options) misuse('request: the option is `header`, not `headers`');
    const header: Record<string, string> = {};
    for (const [name, value] of Object.entries((options['header'] as Record<string, unknown> | undefined) ?? {})) {
      if (typeof value !== 'string') misuse(`request: header ${name} must be a string`);
      header[name] = String(value);
    }
    if (!Object.keys(header).some((name) => name.toLowerCase() === 'content-type')) header['content-type'] = 'application/json';
    let target = String(url);
    let body: Buffer | undefined;
    const data = options['data'];
    if (typeof data === 'string') body = Buffer.from(data, 'utf8');
    else if (isArrayBuffer(data) && profile.stringBodiesOnly === true) {
      misuse('request: data must be a string or an object (anything else is sent converted to String)');
      body = Buffer.from(String(data), 'utf8');
    } else if (isArrayBuffer(data)) body = Buffer.from(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) misuse('request: data must be a string, an object or an ArrayBuffer, not a typed array');
    else if (data !== undefined && data !== null && typeof data === 'object') {
      const fields = data as Record<string, unknown>;
      if (method === 'GET') target += (target.includes('?') ? '&' : '?') + queryString(fields);
      else body = Buffer.from(/json/i.test(header['content-type'] ?? '') ? JSON.stringify(fields) : queryString(fields), 'utf8');
    }

    let real: RealRequest | undefined;
    const promise = !hasCallback(options) && profile.promiseWithoutCallbacks;
    let resolvePromise: (value: unknown) => void = () => undefined;
    let rejectPromise: (error: unknown) => void = () => undefined;
    const result = promise
      ? new Promise((resolve, reject) => {
          resolvePromise = resolve;
          rejectPromise = reject;
        })
      : undefined;
    const finish = (ok: boolean, value: unknown): void => {
      if (promise) (ok ? resolvePromise : rejectPromise)(value);
      else {
        call(ok ? options['success'] : options['fail'], value);
        call(options['complete'], value);
      }
    };
    const onOutcome = (outcome: RealOutcome): void => {
      if (!outcome.ok) {
        finish(false, failure('request', outcome.why === 'network' ? outcome.message : outcome.why));
        return;
      }
      const { response } = outcome;
      let body: unknown = responseType === 'arraybuffer' ? toArrayBuffer(response.body) : response.body.toString('utf8');
      if (dataType === 'json' && typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          // wx keeps the raw text when it is not JSON.
        }
      }
      const headers = profile.lowerCaseResponseHeaders
        ? Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]))
        : response.headers;
      finish(true, { data: body, statusCode: response.status, header: headers, cookies: [], errMsg: 'request:ok' });
    };
    const blocked = device.blocked;
    if (blocked !== undefined) {
      later(() => finish(false, failure('request', blocked === 'offline' ? 'network is down' : 'interrupted')));
    } else {
      real = new RealRequest(
        device,
        { url: target, method, headers: header, ...(body === undefined ? {} : { body }), timeoutMs: typeof options['timeout'] === 'number' ? options['timeout'] : 60_000 },
        onOutcome,
      );
    }
    const task = {
      abort: () => real?.abort(),
      onHeadersReceived: () => undefined,
      offHeadersReceived: () => undefined,
    };
    return result ?? task;
  }

  function uploadFile(options: Record<string, unknown>): unknown {
    for (const key of Object.keys(options)) {
      if (!['url', 'filePath', 'name', 'header', 'formData', 'timeout', 'success', 'fail', 'complete'].includes(key)) misuse(`uploadFile: unknown option ${key}`);
    }
    const filePath = options['filePath'];
    const name = options['name'];
    if (typeof options['url'] !== 'string') misuse('uploadFile: url must be a string');
    if (typeof filePath !== 'string') misuse('uploadFile: filePath must be a string');
    if (typeof name !== 'string' || name === '') misuse('uploadFile: name (the file field) is required');
    const header: Record<string, string> = {};
    for (const [key, value] of Object.entries((options['header'] as Record<string, unknown> | undefined) ?? {})) header[key] = String(value);
    const formData: Record<string, string> = {};
    for (const [key, value] of Object.entries((options['formData'] as Record<string, unknown> | undefined) ?? {})) {
      if (typeof value !== 'string') misuse(`uploadFile: formData ${key} must be a string`);
      formData[key] = String(value);
    }
    const progress: Callback[] = [];
    let real: RealRequest | undefined;
    const finish = (ok: boolean, value: unknown): void => {
      call(ok ? options['success'] : options['fail'], value);
      call(options['complete'], value);
    };
    const bytes = device.files.get(String(filePath)) ?? userFiles?.read(String(filePath));
    const blocked = device.blocked;
    if (bytes === undefined) later(() => finish(false, failure('uploadFile', `file not found: ${String(filePath)}`)));
    else if (blocked !== undefined) later(() => finish(false, failure('uploadFile', blocked === 'offline' ? 'network is down' : 'interrupted')));
    else {
      const form = multipart(formData, String(name), String(filePath), bytes);
      real = new RealRequest(
        device,
        {
          url: String(options['url']),
          method: 'POST',
          headers: { ...header, 'content-type': form.contentType },
          body: form.body,
          timeoutMs: typeof options['timeout'] === 'number' ? options['timeout'] : 60_000,
          onProgress: (sent, total) => {
            const result = { progress: Math.floor((sent * 100) / total), totalBytesSent: sent, totalBytesExpectedToSend: total };
            for (const listener of [...progress]) (listener as (r: unknown) => void)(result);
          },
        },
        (outcome) => {
          if (outcome.ok) finish(true, { data: outcome.response.body.toString('utf8'), statusCode: outcome.response.status, errMsg: 'uploadFile:ok' });
          else finish(false, failure('uploadFile', outcome.why === 'network' ? outcome.message : outcome.why));
        },
      );
    }
    const task = {
      abort: () => real?.abort(),
      onProgressUpdate: (listener: Callback) => void progress.push(listener),
      offProgressUpdate: (listener?: Callback) => void progress.splice(0, progress.length, ...progress.filter((l) => listener !== undefined && l !== listener)),
    };
    if (profile.promiseWithoutCallbacks && !hasCallback(options)) {
      misuse('uploadFile without success/fail/complete returns a Promise, not an UploadTask');
      return Promise.resolve({});
    }
    return task;
  }

  function checkKey(what: string, key: unknown): string {
    if (typeof key !== 'string' || key === '') misuse(`${what}: key must be a non-empty string`);
    return String(key);
  }

  return {
    connectSocket,
    request,
    uploadFile,
    ...(userFiles === undefined ? {} : { env: userFiles.env, getFileSystemManager: userFiles.getFileSystemManager }),
    getStorageSync(key) {
      const raw = device.storage.get(checkKey('getStorageSync', key));
      return raw === undefined ? '' : (JSON.parse(raw) as unknown);
    },
    setStorageSync(key, data) {
      if (data === undefined) misuse('setStorageSync: data is required');
      const json = JSON.stringify(data);
      const name = checkKey('setStorageSync', key);
      const { maxItemBytes, maxTotalBytes } = profile.storage;
      if (maxItemBytes !== undefined && Buffer.byteLength(json) > maxItemBytes) throw new Error(`setStorageSync:fail exceed storage item max length`);
      if (maxTotalBytes !== undefined && device.storageBytesWith(name, json) > maxTotalBytes) throw new Error(`setStorageSync:fail exceed storage max size`);
      device.storage.set(name, json);
    },
    removeStorageSync(key) {
      device.storage.delete(checkKey('removeStorageSync', key));
    },
    onNetworkStatusChange: (listener) => device.networkChange.on(listener),
    offNetworkStatusChange: (listener) => device.networkChange.off(listener),
    onAppShow: (listener) => device.appShow.on(listener),
    offAppShow: (listener) => device.appShow.off(listener),
    onAppHide: (listener) => device.appHide.on(listener),
    offAppHide: (listener) => device.appHide.off(listener),
    getNetworkType(options = {}) {
      const result = { networkType: device.isOnline ? 'wifi' : 'none', errMsg: 'getNetworkType:ok' };
      if (!hasCallback(options as Record<string, unknown>)) return Promise.resolve(result);
      settle(options as Record<string, unknown>, true, result);
      return undefined;
    },
  };
}
