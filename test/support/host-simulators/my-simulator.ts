/**
 * `my` (Alipay) simulator over a SimulatedDevice, following opendocs.alipay.com and the published
 * typings (@mini-types/my lib.my.d.ts):
 *  - my.connectSocket({ multiple: true }) returns a SocketTask (at most 5); without `multiple` the
 *    one global socket (my.sendSocketMessage / closeSocket({ code, reason }) / onSocket* / offSocket*).
 *    A second global connect while one exists closes the existing one and opens the new one
 *    (lib.my.d.ts connectSocket: "如果当前已存在 WebSocket 连接，那么会自动关闭该连接，并重新创建一个新的");
 *    the old socket's close reaches the global onSocketClose listeners, which cannot tell the two
 *    apart — an adapter must not rely on it, so it is recorded in `device.connectFailures`;
 *  - frames are strings: binary travels as base64 with `isBuffer: true`; received binary frames
 *    arrive base64 + isBuffer (default) or as ArrayBuffer (`binaryDelivery: 'arraybuffer'`);
 *    `binaryFrames: false` models a client that cannot send binary (`isBuffer` sends fail); a SocketTask's
 *    onMessage gets the frame nested as @mini-types/my types it, `{ data: { socketTaskID, data, isBuffer } }`
 *    (default), or flat `{ data, isBuffer }` as the prose docs and the global my.onSocketMessage have it
 *    (`taskMessages: 'flat'`);
 *  - my.request: `headers`, success `{ data, status, headers, statusCode, header }`, `dataType` json
 *    (default) | text | base64 (a data URI) | arraybuffer; an HTTP status ≥ 400 fails with
 *    `{ error: 19, errorMessage: 'http status error' }` and an unparseable json body with
 *    `{ error: 14, errorMessage: 'JSON parse data error' }` — exactly as lib.my.d.ts types them, with no
 *    status, headers or data. `httpErrorDetails: true` adds `status`/`headers`/`data` to those two, as
 *    Alipay's my.request FAQ ("my.request 常见问题": troubleshoot a failure "根据 status 的 HTTP 状态码",
 *    and its error-14 example `{ data, error: 14, headers, status, errorMessage }`) shows some clients do;
 *    timeout 13 (default 30 s), abort 9, network 12;
 *  - my.uploadFile({ url, filePath, fileName, fileType, header, formData }) of a file in
 *    `device.files` → UploadTask with onProgressUpdate (`fileName` is the form field; `fileType`
 *    image | video | audio is required);
 *  - my.getStorageSync({ key }) → `{ data }` (`null` for a missing key); my.setStorageSync({ key, data })
 *    RETURNS `{ success: true }` or, refused, `{ success: false, error, errorMessage }` (it does not throw:
 *    lib.my.d.ts setStorageSync) — refused past 200 KB per key or 10 MB in total (lib.my.d.ts setStorage:
 *    "单个 key 允许存储的最大数据大小为 200KB，所有数据存储上限为 10MB"), the previous value kept;
 *    my.removeStorageSync({ key }) → `{ success: true }`; network-status and app show/hide events with off*.
 */
import type { AlipayHost } from '../../../platforms/alipay/alipay-host';
import { multipart } from './multipart';
import { RealRequest, type RealOutcome } from './real-http';
import { RealSocket } from './real-socket';
import { isArrayBuffer, later, SimulatedDevice, toArrayBuffer, type DeviceOptions } from './simulated-device';

export interface MySimulatorOptions extends DeviceOptions {
  readonly binaryDelivery?: 'base64' | 'arraybuffer';
  readonly binaryFrames?: boolean;
  readonly taskMessages?: 'typings' | 'flat';
  /** my.request error 19 / 14 failures carry status, headers and data (see above); default: as typed, without. */
  readonly httpErrorDetails?: boolean;
}

type Fn = (result: unknown) => void;
type Options = Record<string, unknown>;

const MAX_ITEM_BYTES = 200 * 1024;
const MAX_TOTAL_BYTES = 10 * 1024 * 1024;
/** The typings give no number for a refused write; 15 is this simulator's choice. */
const STORAGE_REFUSED = 15;
const MAX_TASKS = 5;

let nextTaskId = 0;

/** A SocketTask listener as @mini-types/my types it: the frame one level down, next to the task's id. */
function nested(fn: Fn, socketTaskID: string): Fn {
  return (frame) => fn({ data: { socketTaskID, ...(frame as object) } });
}

function call(fn: unknown, result: unknown): void {
  if (typeof fn === 'function') (fn as Fn)(result);
}

function settle(options: Options | undefined, ok: boolean, result: unknown): void {
  later(() => {
    call(ok ? options?.['success'] : options?.['fail'], result);
    call(options?.['complete'], result);
  });
}

class Listeners {
  private fns: Fn[] = [];
  add(fn: Fn): void {
    this.fns.push(fn);
  }
  remove(fn?: Fn): void {
    this.fns = fn === undefined ? [] : this.fns.filter((f) => f !== fn);
  }
  emit(result: unknown): void {
    for (const fn of [...this.fns]) fn(result);
  }
}

/** One Alipay connection: a SocketTask, or the global socket (then `my.*` drives it). */
class MySocket {
  readonly open = new Listeners();
  readonly close = new Listeners();
  readonly error = new Listeners();
  readonly message = new Listeners();
  private real: RealSocket | undefined;
  closed = false;

  constructor(
    private readonly device: SimulatedDevice,
    private readonly options: MySimulatorOptions,
    url: string,
    header: Record<string, string> | undefined,
  ) {
    const blocked = device.blocked;
    if (blocked !== undefined) {
      later(() => {
        this.error.emit({ error: 12, errorMessage: blocked === 'offline' ? 'network is down' : 'interrupted' });
        this.finish(1006, 'abnormal closure');
      });
      return;
    }
    this.real = new RealSocket(
      device,
      url,
      {
        opened: () => this.open.emit({}),
        message: (data) => this.message.emit(this.frame(data)),
        error: (message) => this.error.emit({ error: 1, errorMessage: message }),
        closed: (code, reason) => this.finish(code, reason),
      },
      header === undefined ? {} : { headers: header },
    );
  }

  private frame(data: ArrayBuffer | string): unknown {
    if (typeof data === 'string') return { data, isBuffer: false };
    if (this.options.binaryDelivery === 'arraybuffer') return { data };
    return { data: Buffer.from(new Uint8Array(data)).toString('base64'), isBuffer: true };
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.close.emit({ code, reason });
  }

  send(o: Options, what: string): void {
    const data = o['data'];
    if (typeof data !== 'string') {
      this.device.noteMisuse(`my.${what}: data must be a string (base64 with isBuffer for binary), got ${Object.prototype.toString.call(data)}`);
      settle(o, false, { error: 2, errorMessage: 'data must be a string' });
      return;
    }
    if (this.real?.isOpen !== true) {
      this.device.noteMisuse(`my.${what} before the socket opened`);
      settle(o, false, { error: 10, errorMessage: '网络连接没有打开，无法发送消息' });
      return;
    }
    if (o['isBuffer'] === true) {
      if (this.options.binaryFrames === false) {
        settle(o, false, { error: 11, errorMessage: '消息发送失败' });
        return;
      }
      this.real.send(toArrayBuffer(Buffer.from(data, 'base64')));
    } else this.real.send(data);
    settle(o, true, {});
  }

  shut(code: number, reason: string): void {
    if (this.real === undefined) {
      later(() => this.finish(code, reason));
      return;
    }
    this.real.close(code, reason);
  }
}

function checkKeys(device: SimulatedDevice, what: string, options: Options, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) if (!allowed.includes(key)) device.noteMisuse(`my.${what}: unknown option ${key}`);
}

function storageKey(device: SimulatedDevice, what: string, options: unknown): string {
  const key = (options as Options | null | undefined)?.['key'];
  if (options === null || typeof options !== 'object' || typeof key !== 'string' || key === '') {
    device.noteMisuse(`my.${what}: takes { key }, got ${JSON.stringify(options)}`);
    throw new Error(`my.${what}: key is required`);
  }
  return key;
}

export function createMySimulator(options: MySimulatorOptions = {}, device = new SimulatedDevice(options)): { host: AlipayHost; device: SimulatedDevice } {
  let global: MySocket | undefined;
  const globalListeners = { open: new Listeners(), close: new Listeners(), error: new Listeners(), message: new Listeners() };
  const liveTasks = new Set<MySocket>();

  const api = {
    connectSocket(o: Options): unknown {
      checkKeys(device, 'connectSocket', o, ['url', 'data', 'header', 'multiple', 'success', 'fail', 'complete']);
      const url = o['url'];
      if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) device.noteMisuse(`my.connectSocket: url must be a ws(s) URL`);
      const header = o['header'] as Record<string, string> | undefined;
      if (o['multiple'] === true) {
        if (liveTasks.size >= MAX_TASKS) {
          device.connectFailures.push('my: more than 5 SocketTasks');
          settle(o, false, { error: 1, errorMessage: 'too many sockets' });
          return undefined;
        }
        const socket = new MySocket(device, options, String(url), header);
        const taskId = `socket-task-${(nextTaskId += 1)}`;
        const wrapped = new Map<Fn, Fn>();
        liveTasks.add(socket);
        socket.close.add(() => liveTasks.delete(socket));
        settle(o, true, {});
        return {
          send: (s: Options) => socket.send(s ?? {}, 'SocketTask.send'),
          close: (c: Options = {}) => {
            socket.shut(typeof c['code'] === 'number' ? c['code'] : 1000, typeof c['reason'] === 'string' ? c['reason'] : '');
            settle(c, true, {});
          },
          onOpen: (fn: Fn) => socket.open.add(fn),
          onClose: (fn: Fn) => socket.close.add(fn),
          onError: (fn: Fn) => socket.error.add(fn),
          onMessage: (fn: Fn) => {
            const listener = options.taskMessages === 'flat' ? fn : nested(fn, taskId);
            wrapped.set(fn, listener);
            socket.message.add(listener);
          },
          offOpen: (fn?: Fn) => socket.open.remove(fn),
          offClose: (fn?: Fn) => socket.close.remove(fn),
          offError: (fn?: Fn) => socket.error.remove(fn),
          offMessage: (fn?: Fn) => socket.message.remove(fn === undefined ? undefined : (wrapped.get(fn) ?? fn)),
        };
      }
      if (global !== undefined && !global.closed) {
        // Documented: the existing global socket is closed and the new one created.
        device.connectFailures.push('my: a second global connectSocket closed the live global socket');
        global.shut(1000, '');
      }
      const socket = new MySocket(device, options, String(url), header);
      global = socket;
      socket.open.add((r) => globalListeners.open.emit(r));
      socket.message.add((r) => globalListeners.message.emit(r));
      socket.error.add((r) => globalListeners.error.emit(r));
      socket.close.add((r) => globalListeners.close.emit(r));
      settle(o, true, {});
      return undefined;
    },
    sendSocketMessage(o: Options): void {
      checkKeys(device, 'sendSocketMessage', o, ['data', 'isBuffer', 'success', 'fail', 'complete']);
      if (global === undefined || global.closed) {
        device.noteMisuse('my.sendSocketMessage without a socket');
        settle(o, false, { error: 10, errorMessage: '网络连接没有打开，无法发送消息' });
        return;
      }
      global.send(o, 'sendSocketMessage');
    },
    closeSocket(o: Options = {}): void {
      checkKeys(device, 'closeSocket', o, ['code', 'reason', 'success', 'fail', 'complete']);
      const code = o['code'] ?? 1000;
      const reason = o['reason'] ?? '';
      if (typeof code !== 'number' || (code !== 1000 && (code < 3000 || code > 4999))) device.noteMisuse(`my.closeSocket: code must be 1000 or 3000-4999, got ${String(code)}`);
      if (typeof reason !== 'string') device.noteMisuse('my.closeSocket: reason must be a string');
      global?.shut(typeof code === 'number' ? code : 1000, String(reason));
      settle(o, true, { message: 'closed' });
    },
    onSocketOpen: (fn: Fn) => globalListeners.open.add(fn),
    onSocketMessage: (fn: Fn) => globalListeners.message.add(fn),
    onSocketClose: (fn: Fn) => globalListeners.close.add(fn),
    onSocketError: (fn: Fn) => globalListeners.error.add(fn),
    offSocketOpen: (fn?: Fn) => globalListeners.open.remove(fn),
    offSocketMessage: (fn?: Fn) => globalListeners.message.remove(fn),
    offSocketClose: (fn?: Fn) => globalListeners.close.remove(fn),
    offSocketError: (fn?: Fn) => globalListeners.error.remove(fn),

    request(o: Options): unknown {
      checkKeys(device, 'request', o, ['url', 'headers', 'method', 'data', 'timeout', 'dataType', 'success', 'fail', 'complete']);
      const method = String(o['method'] ?? 'GET').toUpperCase();
      if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) device.noteMisuse(`my.request: bad method ${method}`);
      const dataType = String(o['dataType'] ?? 'json');
      if (!['json', 'text', 'base64', 'arraybuffer'].includes(dataType)) device.noteMisuse(`my.request: bad dataType ${dataType}`);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries((o['headers'] as Options | undefined) ?? {})) {
        if (typeof value !== 'string') device.noteMisuse(`my.request: header ${name} must be a string`);
        headers[name] = String(value);
      }
      if (!Object.keys(headers).some((n) => n.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      const data = o['data'];
      let body: Buffer | undefined;
      if (typeof data === 'string') body = Buffer.from(data, 'utf8');
      else if (isArrayBuffer(data)) body = Buffer.from(new Uint8Array(data));
      else if (data !== undefined) device.noteMisuse('my.request: data must be a string or an ArrayBuffer here');
      const onOutcome = (outcome: RealOutcome): void => {
        const done = (ok: boolean, result: unknown): void => {
          call(ok ? o['success'] : o['fail'], result);
          call(o['complete'], result);
        };
        if (!outcome.ok) {
          const code = { abort: 9, timeout: 13, network: 12, interrupted: 12 }[outcome.why];
          done(false, { error: code, errorMessage: outcome.why === 'abort' ? 'request:fail abort' : outcome.message });
          return;
        }
        const { response } = outcome;
        const details = (data: unknown): Options => (options.httpErrorDetails === true ? { status: response.status, headers: response.headers, data } : {});
        let payload: unknown;
        if (dataType === 'arraybuffer') payload = toArrayBuffer(response.body);
        else if (dataType === 'base64') payload = `data:${response.headerValue('content-type') ?? 'application/octet-stream'};base64,${response.body.toString('base64')}`;
        else payload = response.body.toString('utf8');
        if (dataType === 'json') {
          try {
            payload = JSON.parse(String(payload));
          } catch {
            done(false, { error: 14, errorMessage: 'JSON parse data error', ...details(payload) });
            return;
          }
        }
        if (response.status >= 400) {
          done(false, { error: 19, errorMessage: 'http status error', ...details(payload) });
          return;
        }
        done(true, { data: payload, status: response.status, headers: response.headers, statusCode: response.status, header: response.headers });
      };
      let real: RealRequest | undefined;
      const blocked = device.blocked;
      if (blocked !== undefined) later(() => onOutcome({ ok: false, why: 'network', message: blocked }));
      else {
        real = new RealRequest(
          device,
          { url: String(o['url']), method, headers, ...(body === undefined ? {} : { body }), timeoutMs: typeof o['timeout'] === 'number' ? o['timeout'] : 30_000 },
          onOutcome,
        );
      }
      return { abort: () => real?.abort() };
    },

    uploadFile(o: Options): unknown {
      checkKeys(device, 'uploadFile', o, ['url', 'filePath', 'fileName', 'fileType', 'header', 'formData', 'success', 'fail', 'complete']);
      const filePath = String(o['filePath']);
      const fileName = o['fileName'];
      if (typeof fileName !== 'string' || fileName === '') device.noteMisuse('my.uploadFile: fileName (the file field) is required');
      if (!['image', 'video', 'audio'].includes(String(o['fileType']))) device.noteMisuse(`my.uploadFile: fileType must be image, video or audio, got ${String(o['fileType'])}`);
      const formData: Record<string, string> = {};
      for (const [key, value] of Object.entries((o['formData'] as Options | undefined) ?? {})) formData[key] = String(value);
      const progress = new Listeners();
      const done = (ok: boolean, result: unknown): void => {
        call(ok ? o['success'] : o['fail'], result);
        call(o['complete'], result);
      };
      let real: RealRequest | undefined;
      const bytes = device.files.get(filePath);
      if (bytes === undefined) later(() => done(false, { error: 11, errorMessage: '文件不存在' }));
      else if (device.blocked !== undefined) later(() => done(false, { error: 12, errorMessage: '上传文件失败' }));
      else {
        const form = multipart(formData, String(fileName), filePath, bytes);
        real = new RealRequest(
          device,
          {
            url: String(o['url']),
            method: 'POST',
            headers: { ...((o['header'] as Record<string, string> | undefined) ?? {}), 'content-type': form.contentType },
            body: form.body,
            timeoutMs: 60_000,
            onProgress: (sent, total) => progress.emit({ progress: Math.floor((sent * 100) / total), totalBytesSent: sent, totalBytesExpectedToSend: total }),
          },
          (outcome) => {
            if (outcome.ok) done(true, { data: outcome.response.body.toString('utf8'), statusCode: outcome.response.status, header: outcome.response.headers });
            else done(false, { error: outcome.why === 'abort' ? 9 : 12, errorMessage: outcome.message });
          },
        );
      }
      return { abort: () => real?.abort(), onProgressUpdate: (fn: Fn) => progress.add(fn), offProgressUpdate: (fn?: Fn) => progress.remove(fn) };
    },

    getStorageSync(o: unknown): unknown {
      const raw = device.storage.get(storageKey(device, 'getStorageSync', o));
      return { data: raw === undefined ? null : (JSON.parse(raw) as unknown) };
    },
    setStorageSync(o: unknown): unknown {
      const key = storageKey(device, 'setStorageSync', o);
      const json = JSON.stringify((o as Options)['data']);
      if (Buffer.byteLength(json) > MAX_ITEM_BYTES) return { success: false, error: STORAGE_REFUSED, errorMessage: 'a single item may hold at most 200 KB' };
      if (device.storageBytesWith(key, json) > MAX_TOTAL_BYTES) return { success: false, error: STORAGE_REFUSED, errorMessage: 'storage exceeds the 10 MB limit' };
      device.storage.set(key, json);
      return { success: true };
    },
    removeStorageSync(o: unknown): unknown {
      device.storage.delete(storageKey(device, 'removeStorageSync', o));
      return { success: true };
    },
    onNetworkStatusChange: (fn: Fn) => device.networkChange.on(fn),
    offNetworkStatusChange: (fn?: Fn) => device.networkChange.off(fn),
    onAppShow: (fn: Fn) => device.appShow.on(fn),
    offAppShow: (fn?: Fn) => device.appShow.off(fn),
    onAppHide: (fn: Fn) => device.appHide.on(fn),
    offAppHide: (fn?: Fn) => device.appHide.off(fn),
    getNetworkType(o: Options = {}): unknown {
      const result = { networkAvailable: device.isOnline, networkType: device.isOnline ? 'WIFI' : 'NOTREACHABLE' };
      if (!['success', 'fail', 'complete'].some((k) => typeof o[k] === 'function')) return Promise.resolve(result);
      settle(o, true, result);
      return undefined;
    },
  };
  // Checked at run time (device.misuse); handed out as the declared host type, like the real global.
  return { host: api as unknown as AlipayHost, device };
}
