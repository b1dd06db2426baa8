/**
 * A raw comet client for tests (PROTOCOL.md §10): connect GET, a `pullmsg.js` long-poll loop and
 * upstream POSTs with JSON bodies, over real HTTP. Signals from polls are collected in `signals`;
 * the answer to a POST is returned by that POST (the server answers inline).
 */
import { parseCometBody, type CometSignal } from '../../src/internal';

export interface CometClientOptions {
  /** Server base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly appKey: string;
  readonly token: string;
  /** '2.9.2' (E4, default) or '2.5.3' (L2): also selects the L2-style `timestrap`. */
  readonly sdkVer?: string;
  readonly apiVer?: string;
  readonly platform?: string;
  /** Start the long-poll loop right after a successful connect (default true). */
  readonly poll?: boolean;
}

export interface HttpResult {
  readonly status: number;
  readonly text: string;
}

export class CometRawClient {
  readonly signals: CometSignal[] = [];
  readonly pid = String(Date.now() + Math.random());
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();
  private messageId = 0;
  connectText = '';
  connectReply: Record<string, unknown> = {};
  sessionId = '';

  constructor(readonly options: CometClientOptions) {}

  get isL2(): boolean {
    return (this.options.sdkVer ?? '2.9.2').startsWith('2.5');
  }

  nextMessageId(): number {
    return ++this.messageId;
  }

  /** One `pullmsg.js` request for any session id (the loop uses this client's). */
  async pollOnce(sessionId = this.sessionId): Promise<HttpResult> {
    const timestrap = this.isL2 ? String(Date.now() + Math.random()) : String(Date.now());
    const res = await fetch(`${this.options.url}/pullmsg.js?sessionid=${sessionId}&timestrap=${timestrap}&pid=${encodeURIComponent(this.pid)}`);
    return { status: res.status, text: await res.text() };
  }

  startPolling(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let result: HttpResult;
        try {
          result = await this.pollOnce();
        } catch {
          break;
        }
        if (result.status !== 200) break;
        const got = parseCometBody(result.text);
        this.signals.push(...got);
        for (const wake of [...this.waiters]) wake();
        if (got.some((s) => s.headerCode === 224 || s.headerCode === -32)) break;
      }
      this.running = false;
    })();
  }

  async stopPolling(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Upstream POST; returns the raw HTTP result (the inline PUBACK/QUERYACK is in `text`). */
  async post(params: { messageid: number; header: number; topic?: string; targetid?: string; sessionid?: string }, body: string): Promise<HttpResult> {
    let q = `messageid=${params.messageid}&header=${params.header}&sessionid=${params.sessionid ?? this.sessionId}`;
    // Neither official client URL-encodes topic/targetid.
    if (params.topic !== undefined) q += `&topic=${params.topic}&targetid=${params.targetid ?? ''}`;
    q += `&pid=${encodeURIComponent(this.pid)}`;
    const res = await fetch(`${this.options.url}/websocket?${q}`, {
      method: 'POST',
      headers: { 'content-type': this.isL2 ? 'application/x-www-form-urlencoded; charset=utf-8' : 'text/plain;charset=UTF-8' },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  async publish(topic: string, targetId: string, json: unknown): Promise<CometSignal[]> {
    const res = await this.post({ messageid: this.nextMessageId(), header: 50, topic, targetid: targetId }, JSON.stringify(json));
    return parseCometBody(res.text);
  }

  async query(topic: string, targetId: string, json: unknown): Promise<CometSignal[]> {
    const res = await this.post({ messageid: this.nextMessageId(), header: this.isL2 ? 82 : 80, topic, targetid: targetId }, JSON.stringify(json));
    return parseCometBody(res.text);
  }

  /** First collected signal matching `predicate`, waiting for later polls up to `timeoutMs`. */
  async nextSignal(predicate: (s: CometSignal) => boolean, timeoutMs = 5000): Promise<CometSignal> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.signals.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching comet signal within ${timeoutMs} ms: ${JSON.stringify(this.signals)}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }
}

export function cometConnectUrl(options: CometClientOptions, pid: string): string {
  const params = [
    `appId=${encodeURIComponent(options.appKey)}`,
    `token=${encodeURIComponent(options.token)}`,
    `sdkVer=${encodeURIComponent(options.sdkVer ?? '2.9.2')}`,
    `pid=${encodeURIComponent(pid)}`,
    `apiVer=${encodeURIComponent(options.apiVer ?? 'normal')}`,
  ];
  if (options.platform !== undefined) params.push(`platform=${encodeURIComponent(options.platform)}`);
  return `${options.url}/websocket?${params.join('&')}`;
}

/** Connect GET; resolves whatever the status (check `connectReply.status`). */
export async function connectComet(options: CometClientOptions): Promise<CometRawClient> {
  const client = new CometRawClient(options);
  const res = await fetch(cometConnectUrl(options, client.pid));
  client.connectText = await res.text();
  client.connectReply = JSON.parse(client.connectText) as Record<string, unknown>;
  const sid = client.connectReply['sessionid'];
  client.sessionId = typeof sid === 'string' ? sid : '';
  if (client.connectReply['status'] === 0 && options.poll !== false) client.startPolling();
  return client;
}
