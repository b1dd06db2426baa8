/**
 * Fuzzing a real server (issue #13), shared by the bounded jest run and `npm run fuzz -- --minutes N`.
 * A seeded mutation fuzzer (reproducible: the seed is printed) with four input families:
 * - `payload`: well-formed CMP QUERY/PUBLISH frames on real topic names with mutated or random
 *   protobuf payloads and target ids — every one that the protocol says is answered (QUERY; PUBLISH
 *   with qos ≥ 1 and messageId ≠ 0) must get exactly one QUERYACK/PUBACK within HANG_MS whose status
 *   is 0 or a documented error code (ErrorCode, PROTOCOL.md §11);
 * - `frame`: mutated/truncated/random CMP frames and text messages — the server may answer, ignore
 *   the frame or close THAT connection with 1002/1003/1008 (documented: malformed frame, text frame,
 *   frames before CONNACK); anything else is a violation;
 * - `comet`: POST /websocket upstream with mutated query and body on a live comet session and on
 *   made-up ones — HTTP 200 with a JSON array body, or 400 `lost params`;
 * - `http`: navi / cometnavi / v2 navi / ping with mutated queries and bodies, and signed Server API
 *   requests with random forms (app-wide destructive endpoints excluded) — never a 5xx, always a
 *   JSON body with a numeric `code` for the Server API.
 * Meanwhile two canary users exchange a message every 200 ms (other clients must be unaffected), and
 * the canary conversation stored before the run must be unchanged after it (no corruption).
 */
import WebSocket from 'ws';
import { decodeFrame, encodeByName, encodeFrame, type Frame } from '../src/internal';
import { ErrorCode } from '../src/errors';
import type { ServerApiClient } from '../test/support/server-api-client';
import { CanaryClient } from './fuzz-canary';

export interface FuzzUser {
  readonly userId: string;
  readonly token: string;
}

export interface FuzzOptions {
  readonly url: string;
  readonly appKey: string;
  readonly api: ServerApiClient;
  /** Connections fuzzing at once; each reconnects after the server closes it. */
  readonly users: readonly FuzzUser[];
  readonly canarySender: FuzzUser;
  readonly canaryReceiver: FuzzUser;
  readonly durationMs: number;
  readonly seed: number;
  /** Whether the server process is still running (checked at the end and when a request fails). */
  readonly alive: () => boolean;
  readonly log?: (line: string) => void;
}

export interface FuzzReport {
  readonly seed: number;
  readonly durationMs: number;
  readonly inputs: number;
  readonly inputsPerSecond: number;
  readonly byFamily: Readonly<Record<string, number>>;
  readonly violations: number;
  readonly firstViolations: readonly string[];
  readonly hangs: number;
  readonly serverAlive: boolean;
  readonly closeCodes: Readonly<Record<string, number>>;
  readonly statuses: Readonly<Record<string, number>>;
  readonly httpStatuses: Readonly<Record<string, number>>;
  readonly canarySent: number;
  readonly canaryDelivered: number;
  readonly canaryFailures: number;
  readonly storedIntact: boolean;
}

const HANG_MS = 15_000;
const WINDOW = 32;
const ALLOWED_CLOSE = new Set([1000, 1002, 1003, 1008]);
const DOCUMENTED = new Set<number>([0, ...Object.values(ErrorCode).filter((v): v is number => typeof v === 'number')]);
const TOPICS = [
  'ppMsgP', 'pgMsgP', 'chatMsg', 'ppMsgS', 'pgMsgS', 'chatMsgS', 'pcMsgP', 'recallMsg', 'pullMsg', 'qryHisMsg', 'qryCHMsg', 'qryGMsg',
  'qryRelationR', 'qryRelation', 'delRelation', 'delMsg', 'cleanPMsg', 'cleanGMsg', 'joinChrm', 'joinChrmR', 'exitChrm', 'chrmPull',
  'queryChrmI', 'setKV', 'delKV', 'pullKV', 'pullUS', 'pullSeAtts', 'reportsdk', 'qnTkn', 'qnUrl', 'rrMsg', 'rrList', 'setSeAtt',
  'updRTime', 'pullSe', 'addBlack', 'rmBlack', 'qryBlack', 'blackStat', 'addTag', 'delTag', 'pullTag', 'addConvTag', 'setMsgEx',
  'pullMsgEx', 'noSuchTopic', '', 'x'.repeat(300),
];
const API_PATHS = [
  'user/getToken', 'user/info', 'user/refresh', 'user/block', 'user/unblock', 'user/block/query', 'user/checkOnline', 'user/tag/set',
  'message/private/publish', 'message/group/publish', 'message/system/publish', 'message/chatroom/publish', 'message/recall',
  'message/private/publish_template', 'statusmessage/private/publish', 'group/create', 'group/join', 'group/quit', 'group/dismiss',
  'group/user/query', 'group/user/gag/add', 'group/ban/add', 'chatroom/create', 'chatroom/destroy', 'chatroom/query', 'chatroom/user/query',
  'chatroom/entry/set', 'chatroom/user/gag/add', 'conversation/notification/set', 'conversation/top/set', 'message/history', 'no/such/endpoint',
];
const FORM_KEYS = ['userId', 'name', 'portraitUri', 'fromUserId', 'toUserId', 'objectName', 'content', 'groupId', 'groupName', 'chatroomId', 'minute', 'messageUID', 'sentTime', 'conversationType', 'targetId', 'isMuted', 'date', 'key', 'value', 'count'];

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Fuzzer {
  readonly rand: () => number;
  inputs = 0;
  readonly byFamily: Record<string, number> = {};
  violations = 0;
  readonly firstViolations: string[] = [];
  hangs = 0;
  readonly closeCodes: Record<string, number> = {};
  readonly statuses: Record<string, number> = {};
  readonly httpStatuses: Record<string, number> = {};
  readonly corpus: Uint8Array[];
  /** Aborted at the deadline: requests still held then (comet holds, relays) are dropped, not failures. */
  readonly stop = new AbortController();

  constructor(seed: number, readonly options: FuzzOptions) {
    this.rand = prng(seed);
    const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
    this.corpus = [
      encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: utf8('{"content":"hi"}'), configFlag: 0 }),
      encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }),
      encodeByName('HistoryMessageInput', { targetId: 'someone', dataTime: 0, size: 20 }),
      encodeByName('ChannelInvitationInput', { users: ['a', 'b'] }),
      encodeByName('RelationQryInput', { type: 1, count: 100 }),
      new Uint8Array(0),
    ];
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  count(family: string): void {
    this.inputs++;
    this.byFamily[family] = (this.byFamily[family] ?? 0) + 1;
  }

  violation(text: string): void {
    this.violations++;
    if (this.firstViolations.length < 50) this.firstViolations.push(text);
  }

  bytes(max: number): Uint8Array {
    const out = new Uint8Array(this.int(max + 1));
    for (let i = 0; i < out.length; i++) out[i] = this.int(256);
    return out;
  }

  /** Bit flips, byte replacements, insertions, deletions, truncation, duplication of a slice. */
  mutate(input: Uint8Array): Uint8Array {
    let out = Uint8Array.from(input);
    const rounds = 1 + this.int(4);
    for (let r = 0; r < rounds; r++) {
      const at = out.length === 0 ? 0 : this.int(out.length);
      switch (this.int(6)) {
        case 0:
          if (out.length > 0) out[at] = (out[at] as number) ^ (1 << this.int(8));
          break;
        case 1:
          if (out.length > 0) out[at] = this.pick([0, 0xff, 0x7f, 0x80, this.int(256)]);
          break;
        case 2: {
          const extra = this.bytes(8);
          out = Uint8Array.from([...out.subarray(0, at), ...extra, ...out.subarray(at)]);
          break;
        }
        case 3:
          out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + this.int(4))]);
          break;
        case 4:
          out = out.subarray(0, at);
          break;
        default:
          out = Uint8Array.from([...out, ...out.subarray(at, at + 1 + this.int(16))]);
      }
    }
    return out;
  }

  payload(): Uint8Array {
    const roll = this.int(10);
    if (roll < 6) return this.mutate(this.pick(this.corpus));
    if (roll < 9) return this.bytes(64);
    return this.bytes(4096);
  }

  text(): string {
    const pool = ['', '0', '-1', 'null', 'undefined', '%', '%zz', '\u0000', 'é', '😀', 'a'.repeat(200), '{"a":', '[]', '{}', '<script>', '../..', ' ', 'true'];
    if (this.int(3) === 0) return this.pick(pool);
    return Array.from({ length: this.int(12) }, () => String.fromCharCode(32 + this.int(95))).join('');
  }

  targetId(): string {
    return this.int(4) === 0 ? this.pick(this.options.users).userId : this.text();
  }
}

/** A request that failed at the transport level (module-local class: jest realms break `instanceof Error`). */
class Failure {
  constructor(readonly message: string) {}
}

function failure(error: unknown): Failure {
  return new Failure(typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error));
}

interface Pending {
  readonly at: number;
  readonly what: string;
}

/** One fuzzing WebSocket connection: reconnects after every close until the deadline. */
async function wsWorker(f: Fuzzer, user: FuzzUser, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const base = f.options.url.replace(/^http/, 'ws');
    const ws = new WebSocket(`${base}/websocket?appId=${encodeURIComponent(f.options.appKey)}&token=${encodeURIComponent(user.token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`, { perMessageDeflate: false });
    const pending = new Map<number, Pending>();
    let nextId = 0;
    let connacked = false;
    let connId = '';
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return f.violation('server sent a text message');
      let frame: Frame;
      try {
        frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 'server');
      } catch (error) {
        return f.violation(`server sent an undecodable frame: ${(error as Error).message}`);
      }
      if (frame.kind === 'connack') {
        connacked = frame.status === 0;
        connId = frame.sessionId ?? '';
        if (!connacked) f.violation(`CONNACK ${frame.status} for a fuzz user`);
        return;
      }
      if (frame.kind === 'puback' || frame.kind === 'queryack') {
        if (frame.kind === 'queryack' || pending.has(frame.messageId)) {
          // A client→server-shaped PUBACK (no status) from the server would be a violation too.
          const status = frame.status ?? -1;
          f.statuses[status] = (f.statuses[status] ?? 0) + 1;
          if (!DOCUMENTED.has(status)) f.violation(`undocumented status ${status} for ${pending.get(frame.messageId)?.what ?? 'a mutated frame'}`);
        }
        pending.delete(frame.messageId);
        return;
      }
      if (frame.kind === 'publish' && frame.qos > 0 && !frame.dup) ws.send(encodeFrame({ kind: 'puback', dup: false, qos: 0, retain: false, messageId: frame.messageId }, 'client'));
    });
    await new Promise<void>((resolve) => {
      ws.once('open', () => resolve());
      void closed.then(() => resolve());
    });
    // Wait for the CONNACK before fuzzing (frames before it would just close the connection).
    for (let i = 0; i < 100 && !connacked && ws.readyState === WebSocket.OPEN; i++) await new Promise((r) => setTimeout(r, 10));
    while (Date.now() < deadline && ws.readyState === WebSocket.OPEN) {
      const now = Date.now();
      for (const [id, p] of pending) {
        if (now - p.at > HANG_MS) {
          f.hangs++;
          f.violation(`no answer within ${HANG_MS} ms to ${p.what}`);
          pending.delete(id);
        }
      }
      if (pending.size >= WINDOW || ws.bufferedAmount > 1 << 20) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      const roll = f.int(100);
      if (roll < 88) {
        // Well-formed QUERY/PUBLISH with a fuzzed payload: must be answered exactly once.
        nextId = nextId >= 59_999 ? 1 : nextId + 1;
        const kind = f.int(2) === 0 ? 'query' : 'publish';
        const topic = f.pick(TOPICS);
        const payload = f.payload();
        const targetId = f.targetId();
        ws.send(encodeFrame({ kind, dup: false, qos: kind === 'query' ? f.int(2) : 1, retain: false, topic, targetId, messageId: nextId, payload }, 'client'));
        pending.set(nextId, { at: now, what: `${kind} ${topic.slice(0, 20)} #${nextId} target ${JSON.stringify(targetId.slice(0, 20))} payload ${Buffer.from(payload.subarray(0, 48)).toString('hex')}` });
        f.count('payload');
      } else if (roll < 98) {
        const valid = encodeFrame({ kind: 'query', dup: false, qos: 0, retain: false, topic: f.pick(TOPICS), targetId: 'x', messageId: 60_000 + f.int(5000), payload: f.pick(f.corpus) }, 'client');
        ws.send(f.int(5) === 0 ? f.bytes(32) : f.mutate(valid));
        f.count('frame');
      } else if (roll < 99) {
        ws.send(f.text());
        f.count('frame');
      } else {
        ws.send(encodeFrame({ kind: 'pingreq', dup: false, qos: 0, retain: false }, 'client'));
        f.count('frame');
      }
      if (f.inputs % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    if (ws.readyState === WebSocket.OPEN) {
      // Let the last answers arrive, then leave.
      for (let i = 0; i < 500 && pending.size > 0 && ws.readyState === WebSocket.OPEN; i++) await new Promise((r) => setTimeout(r, 10));
      // A frame sent just before the end may have made the server close the connection (documented):
      // what it had not answered yet is not a hang.
      if (ws.readyState !== WebSocket.OPEN) pending.clear();
      for (const p of pending.values()) {
        f.hangs++;
        f.violation(`no answer before the end to ${p.what} (connection ${connId})`);
      }
      ws.close();
    }
    const code = await closed;
    f.closeCodes[code] = (f.closeCodes[code] ?? 0) + 1;
    if (Date.now() < deadline && !ALLOWED_CLOSE.has(code) && code !== 1005) f.violation(`connection closed with code ${code}`);
  }
}

async function httpCheck(f: Fuzzer, what: string, response: Response, expect: (status: number, body: string) => string | undefined): Promise<void> {
  const body = await response.text();
  f.httpStatuses[response.status] = (f.httpStatuses[response.status] ?? 0) + 1;
  if (response.status >= 500) f.violation(`${what}: HTTP ${response.status} ${body.slice(0, 120)}`);
  const problem = expect(response.status, body);
  if (problem !== undefined) f.violation(`${what}: ${problem}`);
}

function isJsonArray(body: string): boolean {
  try {
    return Array.isArray(JSON.parse(body));
  } catch {
    return false;
  }
}

async function cometWorker(f: Fuzzer, user: FuzzUser, deadline: number): Promise<void> {
  const url = f.options.url;
  let sessionId = '';
  while (Date.now() < deadline) {
    if (sessionId === '') {
      const response = await fetch(`${url}/websocket?appId=${f.options.appKey}&token=${encodeURIComponent(user.token)}&sdkVer=2.9.2&pid=fz${f.int(1e9)}&apiVer=normal`);
      const reply = JSON.parse(await response.text()) as { status?: number; sessionid?: string };
      if (reply.status !== 0 || typeof reply.sessionid !== 'string') {
        f.violation(`comet connect refused: ${JSON.stringify(reply)}`);
        return;
      }
      sessionId = reply.sessionid;
    }
    const params = new URLSearchParams();
    const header = f.pick([0x32, 0x52, 0x40, 0x62, f.int(256)]);
    params.set('messageid', f.int(3) === 0 ? f.text() : String(1 + f.int(60_000)));
    params.set('header', f.int(6) === 0 ? f.text() : String(header));
    params.set('sessionid', f.int(8) === 0 ? f.text() : sessionId);
    if (f.int(10) > 0) params.set('topic', f.int(4) === 0 ? f.text() : f.pick(TOPICS));
    if (f.int(10) > 0) params.set('targetid', f.targetId());
    const body = f.int(3) === 0 ? f.text() : JSON.stringify(f.int(2) === 0 ? { content: f.text(), syncTime: f.int(1e9) } : [f.text(), f.int(100)]);
    const response = await fetch(`${url}/websocket?${params.toString()}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body, signal: AbortSignal.any([f.stop.signal, AbortSignal.timeout(HANG_MS + 30_000)]) }).catch(failure);
    f.count('comet');
    if (response instanceof Failure) {
      if (f.stop.signal.aborted) break;
      f.hangs++;
      f.violation(`comet POST failed: ${response.message}`);
      continue;
    }
    await httpCheck(f, 'comet POST', response, (status, text) => (status === 200 ? (isJsonArray(text) ? undefined : `body is not a JSON array: ${text.slice(0, 80)}`) : status === 400 && text === 'lost params' ? undefined : `unexpected ${status} ${text.slice(0, 80)}`));
    // A malformed upstream closes our session (documented): the next poll says so; start a new one.
    if (f.int(20) === 0) {
      const poll = await fetch(`${url}/pullmsg.js?sessionid=${f.int(2) === 0 ? encodeURIComponent(f.text()) : 'gone' + f.int(1e6)}&timestrap=${Date.now()}`, { signal: f.stop.signal }).catch(failure);
      if (poll instanceof Failure) break;
      f.count('comet');
      await httpCheck(f, 'comet poll', poll, (status, text) => (status === 200 && isJsonArray(text)) || (status === 400 && text === 'lost params') ? undefined : `unexpected ${status} ${text.slice(0, 80)}`);
      sessionId = f.int(3) === 0 ? '' : sessionId;
    }
  }
}

async function httpWorker(f: Fuzzer, deadline: number): Promise<void> {
  const url = f.options.url;
  while (Date.now() < deadline) {
    const roll = f.int(10);
    let response: Response | Failure;
    let what: string;
    let check: (status: number, body: string) => string | undefined = () => undefined;
    if (roll < 4) {
      const path = f.pick(['/navi.js', '/cometnavi.js', '/ping', '/navi.js']);
      const query = new URLSearchParams();
      for (let i = f.int(5); i > 0; i--) query.set(f.pick(['appId', 'token', 'callBack', 'v', 'r', f.text()]), f.int(4) === 0 ? f.options.appKey : f.text());
      what = `GET ${path}`;
      response = await fetch(`${url}${path}?${query.toString()}`, { signal: AbortSignal.any([f.stop.signal, AbortSignal.timeout(HANG_MS)]) }).catch(failure);
    } else if (roll < 5) {
      what = 'POST /v2/navi.json';
      response = await fetch(`${url}/v2/navi.json`, { method: 'POST', headers: { 'rc-appkey': f.int(2) === 0 ? f.options.appKey : f.text().replace(/[^\x21-\x7e]/g, '_'), 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(f.text())}&${f.text()}`, signal: AbortSignal.any([f.stop.signal, AbortSignal.timeout(HANG_MS)]) }).catch(failure);
    } else {
      const path = f.pick(API_PATHS);
      const form: Record<string, string | string[]> = {};
      for (let i = 1 + f.int(6); i > 0; i--) {
        const key = f.int(6) === 0 ? f.text() : f.pick(FORM_KEYS);
        form[key] = f.int(5) === 0 ? [f.text(), f.text()] : f.int(3) === 0 ? String(f.int(1e6) - 10) : f.text();
      }
      what = `Server API ${path}`;
      const answer = await f.options.api.post(path, form).catch(failure);
      f.count('http');
      if (answer instanceof Failure) {
        f.hangs++;
        f.violation(`${what} failed: ${answer.message}`);
        continue;
      }
      f.httpStatuses[answer.status] = (f.httpStatuses[answer.status] ?? 0) + 1;
      if (answer.status >= 500) f.violation(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 120)}`);
      check = (status, body) => {
        if (status === 429) return undefined;
        try {
          const parsed = JSON.parse(body) as { code?: unknown };
          return typeof parsed.code === 'number' ? undefined : `no numeric code: ${body.slice(0, 80)}`;
        } catch {
          return `not JSON: ${body.slice(0, 80)}`;
        }
      };
      const problem = check(answer.status, answer.text);
      if (problem !== undefined) f.violation(`${what}: ${problem}`);
      continue;
    }
    f.count('http');
    if (response instanceof Failure) {
      if (f.stop.signal.aborted) break;
      f.hangs++;
      f.violation(`${what} failed: ${response.message}`);
      continue;
    }
    await httpCheck(f, what, response, check);
  }
}

/** The canary pair: one message every 200 ms, each must be delivered (s_ntf → pullMsg) within 5 s. */
async function canary(f: Fuzzer, deadline: number): Promise<{ sent: number; delivered: number; failures: number }> {
  const { url, appKey, canarySender, canaryReceiver } = f.options;
  const sender = await CanaryClient.connect(url, appKey, canarySender);
  const receiver = await CanaryClient.connect(url, appKey, canaryReceiver);
  let sent = 0;
  let delivered = 0;
  let failures = 0;
  await receiver.pullAll();
  while (Date.now() < deadline) {
    const text = `canary ${sent}`;
    sent++;
    const ack = await sender.send(canaryReceiver.userId, text).catch(() => undefined);
    if (ack === undefined || ack.status !== 0) {
      failures++;
    } else {
      const got = await receiver.waitFor(text, 5000);
      if (got) delivered++;
      else failures++;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  sender.close();
  receiver.close();
  return { sent, delivered, failures };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const f = new Fuzzer(options.seed, options);
  const log = options.log ?? ((): void => undefined);
  // Stored before the run: the canary conversation, compared after it.
  const seedSender = await CanaryClient.connect(options.url, options.appKey, options.canarySender);
  for (let i = 0; i < 5; i++) await seedSender.send(options.canaryReceiver.userId, `stored before fuzzing ${i}`);
  seedSender.close();
  const storedBefore = await CanaryClient.storedConversation(options.url, options.appKey, options.canaryReceiver, options.canarySender.userId);

  const started = Date.now();
  const deadline = started + options.durationMs;
  const stopTimer = setTimeout(() => f.stop.abort(), options.durationMs);
  const progress = setInterval(() => log(`fuzz: ${f.inputs} inputs, ${f.violations} violations, ${f.hangs} hangs`), 10_000);
  const [, , , canaryResult] = await Promise.all([
    Promise.all(options.users.map((user) => wsWorker(f, user, deadline))),
    Promise.all(options.users.slice(0, 2).map((user) => cometWorker(f, user, deadline))),
    Promise.all([httpWorker(f, deadline), httpWorker(f, deadline)]),
    canary(f, deadline),
  ]);
  clearInterval(progress);
  clearTimeout(stopTimer);
  const durationMs = Date.now() - started;
  const storedAfter = await CanaryClient.storedConversation(options.url, options.appKey, options.canaryReceiver, options.canarySender.userId);
  const storedIntact = storedBefore.length === 5 && storedBefore.every((m) => storedAfter.some((a) => a.uid === m.uid && a.content === m.content && a.time === m.time));
  const health = await fetch(`${options.url}/healthz`).then((r) => r.status, () => 0);
  return {
    seed: options.seed,
    durationMs,
    inputs: f.inputs,
    inputsPerSecond: f.inputs / (durationMs / 1000),
    byFamily: f.byFamily,
    violations: f.violations,
    firstViolations: f.firstViolations,
    hangs: f.hangs,
    serverAlive: options.alive() && health === 200,
    closeCodes: f.closeCodes,
    statuses: f.statuses,
    httpStatuses: f.httpStatuses,
    canarySent: canaryResult.sent,
    canaryDelivered: canaryResult.delivered,
    canaryFailures: canaryResult.failures,
    storedIntact,
  };
}
