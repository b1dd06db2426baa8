/**
 * CMP over HTTP long-polling (PROTOCOL.md §10). Connect is `GET /websocket?…` answered by one
 * CONNACK-like JSON object; downstream is a `GET /pullmsg.js` loop, re-issued as soon as each
 * response arrives; upstream is one `POST /websocket?messageid&header&sessionid[&topic&targetid]&pid`
 * per frame. Every response body is an array of JSON signal objects, handled the same way.
 *
 * Payloads travel as JSON; this transport converts them to/from protobuf bytes at the edge
 * (comet-json.ts, types from TOPIC_SCHEMA) so the engine sees the same Frames as over WebSocket.
 * Upstream POSTs are sent one at a time so the server sees them in send order.
 *
 * Comet has no PINGREQ/PINGRESP: the poll loop itself is the liveness check (a failed or timed-out
 * poll closes the transport). A PINGREQ given to `send` is answered locally while the loop runs.
 */
import { cometJsonToPayload, payloadToCometJson } from '../protocol/comet-json';
import { parseCometBody, signalToFrame, type CometFrame } from '../protocol/comet-signal';
import type { Frame } from '../protocol/frame';
import { headerOf } from '../protocol/frame-header';
import { isTopic, TOPIC_SCHEMA } from '../protocol/topics';
import type { RcMessageName } from '../../proto/gen/rc-schema';
import type { HttpResponse, PendingRequest, PlatformAdapter } from '../platform/platform-adapter';
import type { CloseReason, Endpoint, Transport, TransportEvents, TransportFactory } from './transport';

/** Clients give up on a poll after 45 s; servers hold it ~25–30 s. */
export const COMET_POLL_TIMEOUT_MS = 45_000;
export const COMET_REQUEST_TIMEOUT_MS = 15_000;

const EMPTY = new Uint8Array(0);

function inputType(topic: string): RcMessageName | undefined {
  return isTopic(topic) ? TOPIC_SCHEMA[topic].input : undefined;
}

function outputType(topic: string): RcMessageName | undefined {
  return isTopic(topic) ? TOPIC_SCHEMA[topic].output : undefined;
}

function jsonToBytes(type: RcMessageName | undefined, data: string): Uint8Array {
  if (data === '' || type === undefined) return EMPTY;
  return cometJsonToPayload(type, data);
}

class CometTransport implements Transport {
  readonly kind = 'comet' as const;
  private readonly base: string;
  private readonly pid: string;
  private sessionId = '';
  private open = false;
  private closed = false;
  private readonly inFlight = new Set<PendingRequest>();
  /** QUERY messageId → topic, to pick the QUERYACK payload type. */
  private readonly queryTopics = new Map<number, string>();
  private readonly outbox: Frame[] = [];
  private posting = false;

  constructor(
    readonly endpoint: Endpoint,
    private readonly events: TransportEvents,
    private readonly platform: PlatformAdapter,
  ) {
    this.base = `${endpoint.secure ? 'https' : 'http'}://${endpoint.host}`;
    this.pid = String(platform.clock.now() + Math.random());
    // Deferred so no event can fire before the factory returns.
    platform.clock.setTimeout(() => void this.connect(), 0);
  }

  send(frame: Frame): void {
    if (!this.open || this.closed) return;
    if (frame.kind === 'pingreq') {
      this.platform.clock.setTimeout(() => {
        if (!this.closed) this.events.onFrames([{ kind: 'pingresp', dup: false, qos: 0, retain: false }]);
      }, 0);
      return;
    }
    this.outbox.push(frame);
    void this.drainOutbox();
  }

  close(): void {
    this.finish({ kind: 'local' });
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const e = this.endpoint;
    const url =
      `${this.base}/websocket?appId=${e.appKey}&token=${encodeURIComponent(e.token)}&sdkVer=${e.sdkVersion}` +
      `&pid=${encodeURIComponent(this.pid)}&apiVer=normal&lianxin=${encodeURIComponent(e.lianxinVersion)}`;
    const res = await this.request('GET', url, undefined, COMET_REQUEST_TIMEOUT_MS);
    if (res === undefined) return;
    const frames = this.framesOf(res);
    const connack = frames?.find((f) => f.kind === 'connack');
    if (connack === undefined) {
      this.finish({ kind: 'http-failed', status: res.status, message: 'comet connect reply is not a CONNACK' });
      return;
    }
    this.open = true;
    this.events.onOpen();
    if (this.closed) return;
    this.events.onFrames([connack]);
    if (connack.status === 0 && !this.closed) void this.pollLoop();
  }

  private async pollLoop(): Promise<void> {
    while (!this.closed) {
      const url = `${this.base}/pullmsg.js?sessionid=${encodeURIComponent(this.sessionId)}&timestrap=${this.platform.clock.now()}&pid=${encodeURIComponent(this.pid)}`;
      if (!this.deliver(await this.request('GET', url, undefined, COMET_POLL_TIMEOUT_MS))) return;
    }
  }

  private async drainOutbox(): Promise<void> {
    if (this.posting) return;
    this.posting = true;
    try {
      for (let frame = this.outbox.shift(); frame !== undefined && !this.closed; frame = this.outbox.shift()) {
        const post = this.postFor(frame);
        if (post === undefined) continue;
        if (!this.deliver(await this.request('POST', post.url, post.body, COMET_REQUEST_TIMEOUT_MS))) return;
      }
    } finally {
      this.posting = false;
    }
  }

  private postFor(frame: Frame): { url: string; body: string } | undefined {
    const common = `sessionid=${encodeURIComponent(this.sessionId)}`;
    const pid = `pid=${encodeURIComponent(this.pid)}`;
    switch (frame.kind) {
      case 'publish':
      case 'query': {
        const type = inputType(frame.topic);
        // Unknown topics cannot be expressed as JSON; the request then times out like a lost frame.
        if (type === undefined && frame.payload.length > 0) return undefined;
        if (frame.kind === 'query') this.queryTopics.set(frame.messageId, frame.topic);
        const body = type === undefined ? '{}' : payloadToCometJson(type, frame.payload);
        return {
          url: `${this.base}/websocket?messageid=${frame.messageId}&header=${headerOf(frame)}&${common}&topic=${frame.topic}&targetid=${frame.targetId}&${pid}`,
          body,
        };
      }
      case 'puback':
      case 'querycon':
        return { url: `${this.base}/websocket?messageid=${frame.messageId}&header=${headerOf(frame)}&${common}&${pid}`, body: '{}' };
      default:
        return undefined;
    }
  }

  /** Runs one request; on failure closes the transport and returns undefined. */
  private async request(method: 'GET' | 'POST', url: string, body: string | undefined, timeoutMs: number): Promise<HttpResponse | undefined> {
    if (this.closed) return undefined;
    const pending = this.platform.request({
      method,
      url,
      responseType: 'text',
      timeoutMs,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/plain;charset=UTF-8' } }),
    });
    this.inFlight.add(pending);
    try {
      const res = await pending.response;
      if (this.closed) return undefined;
      if (res.status !== 200 && res.status !== 202) {
        this.finish({ kind: 'http-failed', status: res.status, message: `${method} ${url.split('?')[0] ?? ''} → ${res.status}` });
        return undefined;
      }
      return res;
    } catch (error) {
      this.finish({ kind: 'http-failed', status: 0, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    } finally {
      this.inFlight.delete(pending);
    }
  }

  /** Parses a response body into frames; undefined (and the transport closed) when it is not signals. */
  private framesOf(res: HttpResponse): Frame[] | undefined {
    const text = typeof res.body === 'string' ? res.body : '';
    let frames: Frame[];
    try {
      frames = [];
      for (const signal of parseCometBody(text)) {
        if (signal.sessionid !== undefined && signal.sessionid !== '') this.sessionId = signal.sessionid;
        const frame = this.toFrame(signalToFrame(signal));
        if (frame !== undefined) frames.push(frame);
      }
    } catch (error) {
      this.finish({ kind: 'protocol-error', message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
    return frames;
  }

  /** Hands a response's frames on; false when the loop must stop (closed, no response, not signals). */
  private deliver(res: HttpResponse | undefined): boolean {
    const frames = res === undefined ? undefined : this.framesOf(res);
    if (frames === undefined) return false;
    if (frames.length > 0 && !this.closed) this.events.onFrames(frames);
    return true;
  }

  /** JSON payloads → protobuf bytes. A payload that does not convert drops that one signal. */
  private toFrame(frame: CometFrame): Frame | undefined {
    try {
      switch (frame.kind) {
        case 'publish': {
          const { data, ...rest } = frame;
          const type = frame.dup ? 'UpStreamMessage' : inputType(frame.topic);
          return { ...rest, payload: jsonToBytes(type, data) };
        }
        case 'query': {
          const { data, ...rest } = frame;
          return { ...rest, payload: jsonToBytes(inputType(frame.topic), data) };
        }
        case 'queryack': {
          const { data, ...rest } = frame;
          const topic = this.queryTopics.get(frame.messageId);
          this.queryTopics.delete(frame.messageId);
          return { ...rest, payload: jsonToBytes(topic === undefined ? undefined : outputType(topic), data) };
        }
        default:
          return frame;
      }
    } catch {
      return undefined;
    }
  }

  private finish(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.outbox.length = 0;
    for (const pending of [...this.inFlight]) pending.abort();
    this.inFlight.clear();
    this.events.onClose(reason);
  }
}

export const createCometTransport: TransportFactory = (endpoint, events, platform) =>
  new CometTransport(endpoint, events, platform);
