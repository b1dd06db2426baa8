/**
 * A scripted host for engine unit tests: fake clock, in-memory storage, controllable lifecycle,
 * HTTP answered by a handler, and sockets the test opens/feeds/closes by hand. Only the host
 * boundary is faked; frames are encoded/decoded with the real protocol codec.
 */
import { decodeFrame } from '../../../src/protocol/frame-reader';
import { encodeFrame } from '../../../src/protocol/frame-writer';
import type { Frame } from '../../../src/protocol/frame';
import type {
  HttpRequest,
  HttpResponse,
  KeyValueStorage,
  PendingRequest,
  PlatformAdapter,
  SocketHandlers,
} from '../../../src/platform/platform-adapter';
import { HttpRequestError } from '../../../src/platform/http-request-error';
import { FakeClock } from '../../support/fake-clock';

export type HttpAnswer = { status: number; body: string } | 'hang' | 'fail';
/** A promise answers later (deferred long-poll responses); 'hang' never answers. */
export type HttpHandler = (request: HttpRequest, url: URL) => HttpAnswer | Promise<HttpAnswer>;

export class FakeSocket {
  readonly sent: Frame[] = [];
  closedByClient = false;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}

  get query(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  open(): void {
    this.handlers.onOpen();
  }

  /** Delivers a frame as the server would write it. */
  deliver(frame: Frame): void {
    if (!this.closed) this.handlers.onMessage(encodeFrame(frame, 'server'));
  }

  /** Delivers raw handler calls even after close (to prove stale sockets are ignored). */
  deliverRaw(frame: Frame): void {
    this.handlers.onMessage(encodeFrame(frame, 'server'));
  }

  serverClose(code = 1006, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(code, reason);
  }

  receive(data: Uint8Array): void {
    this.sent.push(decodeFrame(data, 'client'));
  }

  markClosedByClient(): void {
    this.closedByClient = true;
    this.serverClose(1000, '');
  }

  kinds(): string[] {
    return this.sent.map((f) => f.kind);
  }
}

export const F = {
  connack(status = 0, userId = 'user1', timestamp = 1_700_000_000_500): Frame {
    return status === 0
      ? { kind: 'connack', dup: false, qos: 0, retain: false, status, userId, sessionId: 'sess-1', timestamp }
      : { kind: 'connack', dup: false, qos: 0, retain: false, status };
  },
  pingresp(): Frame {
    return { kind: 'pingresp', dup: false, qos: 0, retain: false };
  },
  disconnect(reason: number): Frame {
    return { kind: 'disconnect', dup: false, qos: 0, retain: false, reason };
  },
  puback(messageId: number, status = 0, date = 1_700_000_001, millisecond = 234, messageUId = 'AAAA-BBBB-CCCC-DDDD'): Frame {
    return { kind: 'puback', dup: false, qos: 0, retain: false, messageId, date, status, millisecond, messageUId };
  },
  queryack(messageId: number, payload: Uint8Array = new Uint8Array(0), status = 0, qos = 0): Frame {
    return { kind: 'queryack', dup: false, qos, retain: false, messageId, date: 1_700_000_002, status, payload };
  },
  push(topic: string, messageId: number, payload: Uint8Array, opts: { qos?: number; dup?: boolean; targetId?: string } = {}): Frame {
    return {
      kind: 'publish',
      dup: opts.dup ?? false,
      qos: opts.qos ?? 1,
      retain: false,
      date: 1_700_000_003,
      topic,
      targetId: opts.targetId ?? 'user1',
      messageId,
      payload,
    };
  },
};

export const NAVI_BODY = (server = 'cmp.test:8080', extra = ''): string =>
  `getServerEndpoint({"code":200,"server":"${server}","backupServer":""${extra}});`;

export class FakeHost {
  readonly clock = new FakeClock();
  readonly sockets: FakeSocket[] = [];
  readonly requests: HttpRequest[] = [];
  readonly storageMap = new Map<string, string>();
  /** When set, openSocket fails asynchronously (error + close 1006) instead of creating a socket. */
  socketsFail = false;
  http: HttpHandler = (_req, url) => {
    if (url.pathname.endsWith('/navi.js') || url.pathname.endsWith('/cometnavi.js')) return { status: 200, body: NAVI_BODY() };
    if (url.pathname === '/ping') return { status: 200, body: '' };
    return { status: 404, body: '' };
  };
  private readonly networkListeners = new Set<(online: boolean) => void>();
  private readonly foregroundListeners = new Set<() => void>();

  readonly storage: KeyValueStorage = {
    get: (key) => Promise.resolve(this.storageMap.get(key)),
    set: (key, value) => {
      this.storageMap.set(key, value);
      return Promise.resolve();
    },
    remove: (key) => {
      this.storageMap.delete(key);
      return Promise.resolve();
    },
  };

  readonly adapter: PlatformAdapter = {
    name: 'fake',
    capabilities: { maxConcurrentSockets: 5, binaryFrames: true },
    openSocket: (url, handlers) => {
      if (this.socketsFail) {
        this.clock.setTimeout(() => {
          handlers.onError(new Error('refused'));
          handlers.onClose(1006, '');
        }, 0);
        return { send: () => undefined, close: () => undefined };
      }
      const socket = new FakeSocket(url, handlers);
      this.sockets.push(socket);
      return {
        send: (data) => socket.receive(data),
        close: () => socket.markClosedByClient(),
      };
    },
    request: (request) => this.request(request),
    storage: this.storage,
    clock: this.clock,
    lifecycle: {
      onNetworkChange: (listener) => {
        this.networkListeners.add(listener);
        return () => this.networkListeners.delete(listener);
      },
      onForeground: (listener) => {
        this.foregroundListeners.add(listener);
        return () => this.foregroundListeners.delete(listener);
      },
      onBackground: () => () => undefined,
    },
  };

  get lastSocket(): FakeSocket {
    const s = this.sockets[this.sockets.length - 1];
    if (s === undefined) throw new Error('no socket opened');
    return s;
  }

  get lifecycleListenerCount(): number {
    return this.networkListeners.size + this.foregroundListeners.size;
  }

  setOnline(online: boolean): void {
    for (const l of [...this.networkListeners]) l(online);
  }

  foreground(): void {
    for (const l of [...this.foregroundListeners]) l();
  }

  requestsTo(pathname: string): HttpRequest[] {
    return this.requests.filter((r) => new URL(r.url).pathname === pathname);
  }

  private request(request: HttpRequest): PendingRequest {
    this.requests.push(request);
    const answer = this.http(request, new URL(request.url));
    let abort: () => void = () => undefined;
    const response = new Promise<HttpResponse>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new HttpRequestError('timeout', 'timeout')), request.timeoutMs);
      abort = () => {
        this.clock.clearTimeout(timer);
        reject(new HttpRequestError('aborted', 'aborted'));
      };
      const settle = (a: HttpAnswer): void => {
        if (a === 'hang') return;
        this.clock.clearTimeout(timer);
        if (a === 'fail') reject(new HttpRequestError('network', 'refused'));
        else resolve({ status: a.status, headers: {}, body: request.responseType === 'text' ? a.body : new TextEncoder().encode(a.body) });
      };
      if (answer instanceof Promise) void answer.then(settle);
      else settle(answer);
    });
    return { response, abort: () => abort() };
  }
}
