/**
 * Fuzzing a real server (issue #13), shared by the bounded jest run and `npm run fuzz`.
 * A seeded mutation fuzzer (reproducible: the seed is printed; scripts/fuzz-input.ts) with five
 * input families:
 * - `payload`: well-formed CMP QUERY/PUBLISH frames on real topic names with mutated or random
 *   protobuf payloads and target ids, on connections that get nothing else — every one that the
 *   protocol says is answered (QUERY; PUBLISH with qos ≥ 1 and messageId ≠ 0) must get exactly one
 *   QUERYACK/PUBACK within HANG_MS whose status is 0 or a documented error code (ErrorCode,
 *   PROTOCOL.md §11); up to WINDOW are pipelined per connection;
 * - `frame`: mutated/truncated/random CMP frames and text messages on their own connections — the
 *   server may answer (documented status), ignore the frame or close THAT connection with
 *   1002/1003/1008 (documented: malformed frame, text frame, frames before CONNACK); anything else
 *   is a violation;
 * - `wire` (scripts/fuzz-wire.ts): raw TCP connections writing random WebSocket framing, broken in every
 *   way and cut anywhere, around CMP frames — answered, or closed with a close frame and a documented code;
 * - `comet` and `http` (scripts/fuzz-http.ts): comet upstream bodies, navi/ping queries, Server API.
 * Meanwhile two canary users exchange a message every 200 ms (bystanders must be unaffected), and
 * the canary conversation stored before the run must be unchanged after it (no corruption).
 */
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, type Frame } from '../src/internal';
import { percentile } from '../bench/lib/stats';
import { CanaryClient } from './fuzz-canary';
import { cometWorker, httpWorker } from './fuzz-http';
import { wireWorker } from './fuzz-wire';
import { ALLOWED_CLOSE, DOCUMENTED, Fuzzer, HANG_MS, TOPICS, WINDOW, type FuzzOptions, type FuzzUser } from './fuzz-input';

export type { FuzzOptions, FuzzUser } from './fuzz-input';

export interface FuzzReport {
  readonly seed: number;
  readonly durationMs: number;
  readonly inputs: number;
  readonly inputsPerSecond: number;
  readonly byFamily: Readonly<Record<string, number>>;
  /** What was fuzzed: cmp-payload, cmp-frame, ws-frame, comet, navi-ping, server-api. */
  readonly byTarget: Readonly<Record<string, number>>;
  /** cmp-payload inputs per topic. */
  readonly byTopic: Readonly<Record<string, number>>;
  /** Answerable payload inputs whose single answer arrived and was checked. */
  readonly answered: number;
  /** Answerable payload inputs left unanswered because the server closed the connection (documented close). */
  readonly unansweredAtClose: number;
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
  /** Bystander send → pulled, ms. */
  readonly canaryP99Ms: number;
  readonly canaryMaxMs: number;
  readonly storedIntact: boolean;
}

interface Pending {
  readonly at: number;
  readonly kind: 'query' | 'publish';
  readonly topic: string;
  readonly targetId: string;
  readonly payload: Uint8Array;
}

function describe(p: Pending, id: number): string {
  return `${p.kind} ${p.topic.slice(0, 20)} #${id} target ${JSON.stringify(p.targetId.slice(0, 20))} payload ${Buffer.from(p.payload.subarray(0, 48)).toString('hex')}`;
}

const PINGREQ = encodeFrame({ kind: 'pingreq', dup: false, qos: 0, retain: false }, 'client');
const FRAME_BATCH = 32;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * One fuzzing WebSocket connection of one kind ('payload' or 'frame'): reconnects after every close
 * until the run ends. The two kinds never share a connection, so a mutated frame that (legitimately)
 * closes its connection never takes well-formed payload inputs down with it unanswered.
 */
async function wsWorker(f: Fuzzer, user: FuzzUser, mode: 'payload' | 'frame'): Promise<void> {
  while (f.running()) {
    const base = f.options.url.replace(/^http/, 'ws');
    const ws = new WebSocket(`${base}/websocket?appId=${encodeURIComponent(f.options.appKey)}&token=${encodeURIComponent(user.token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`, { perMessageDeflate: false });
    const pending = new Map<number, Pending>();
    let nextId = 0;
    let connId = '';
    let onConnack: () => void = () => undefined;
    // Frame mode: a PINGREQ after every FRAME_BATCH inputs, and the next batch only after its
    // PINGRESP (frames are read in order), so mutated frames are paced by the server's own speed.
    let onPong: () => void = () => undefined;
    const connacked = new Promise<void>((resolve) => (onConnack = resolve));
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
        connId = frame.sessionId ?? '';
        if (frame.status !== 0) f.violation(`CONNACK ${frame.status} for a fuzz user`);
        else onConnack();
        return;
      }
      if (frame.kind === 'puback' || frame.kind === 'queryack') {
        const mine = pending.get(frame.messageId);
        if (frame.kind === 'queryack' || mine !== undefined) {
          // A client→server-shaped PUBACK (no status) from the server would be a violation too.
          const status = frame.status ?? -1;
          f.statuses[status] = (f.statuses[status] ?? 0) + 1;
          if (!DOCUMENTED.has(status)) f.violation(`undocumented status ${status} for ${mine !== undefined ? describe(mine, frame.messageId) : 'a mutated frame'}`);
        }
        if (mine !== undefined) {
          f.answered++;
          pending.delete(frame.messageId);
        }
        return;
      }
      if (frame.kind === 'pingresp') return onPong();
      if (frame.kind === 'publish' && frame.qos > 0 && !frame.dup) ws.send(encodeFrame({ kind: 'puback', dup: false, qos: 0, retain: false, messageId: frame.messageId }, 'client'));
    });
    // Wait for the CONNACK before fuzzing (frames before it would just close the connection).
    const ready = await Promise.race([connacked.then(() => true), closed.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    if (!ready && ws.readyState === WebSocket.OPEN) f.violation('no CONNACK within 10 s for a fuzz user');
    let sinceYield = 0;
    let inBatch = 0;
    while (ws.readyState === WebSocket.OPEN && f.running()) {
      const now = Date.now();
      if (pending.size > 0) {
        for (const [id, p] of pending) {
          if (now - p.at <= HANG_MS) break; // insertion order = send order: the rest are younger
          f.hangs++;
          f.violation(`no answer within ${HANG_MS} ms to ${describe(p, id)}`);
          pending.delete(id);
        }
      }
      if (pending.size >= WINDOW || ws.bufferedAmount > 1 << 20) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      if (mode === 'payload') {
        // Well-formed QUERY/PUBLISH with a fuzzed payload: must be answered exactly once.
        nextId = nextId >= 59_999 ? 1 : nextId + 1;
        const kind = f.int(2) === 0 ? 'query' : 'publish';
        const topic = f.pick(TOPICS);
        const payload = f.payload();
        const targetId = f.targetId();
        const qos = kind === 'query' ? f.int(2) : 1;
        ws.send(encodeFrame({ kind, dup: false, qos, retain: false, topic, targetId, messageId: nextId, payload }, 'client'));
        pending.set(nextId, { at: now, kind, topic, targetId, payload });
        f.count('payload', 'cmp-payload', topic);
      } else {
        const roll = f.int(100);
        if (roll < 80) {
          const valid = encodeFrame({ kind: 'query', dup: false, qos: 0, retain: false, topic: f.pick(TOPICS), targetId: 'x', messageId: 60_000 + f.int(5000), payload: f.pick(f.corpus) }, 'client');
          ws.send(f.int(5) === 0 ? f.bytes(32) : f.mutate(valid));
        } else if (roll < 90) {
          ws.send(f.text());
        } else {
          ws.send(PINGREQ);
        }
        f.count('frame', 'cmp-frame');
        if (++inBatch >= FRAME_BATCH) {
          inBatch = 0;
          const pong = new Promise<'pong'>((resolve) => (onPong = () => resolve('pong')));
          ws.send(PINGREQ);
          let timer: NodeJS.Timeout | undefined;
          const outcome = await Promise.race([pong, closed.then(() => 'closed' as const), new Promise<'hang'>((r) => (timer = setTimeout(() => r('hang'), HANG_MS)))]);
          clearTimeout(timer);
          onPong = () => undefined;
          if (outcome === 'hang' && ws.readyState === WebSocket.OPEN) {
            f.hangs++;
            f.violation(`no PINGRESP within ${HANG_MS} ms after a batch of mutated frames (connection ${connId})`);
            ws.terminate();
          }
        }
      }
      if (++sinceYield >= 64) {
        sinceYield = 0;
        await nextTurn();
      }
    }
    if (ws.readyState === WebSocket.OPEN) {
      // Let the last answers arrive, then leave.
      for (let i = 0; i < 500 && pending.size > 0 && ws.readyState === WebSocket.OPEN; i++) await new Promise((r) => setTimeout(r, 10));
      // A frame sent just before the end may have made the server close the connection (documented):
      // what it had not answered yet is not a hang.
      if (ws.readyState === WebSocket.OPEN) {
        for (const [id, p] of pending) {
          f.hangs++;
          f.violation(`no answer before the end to ${describe(p, id)} (connection ${connId})`);
        }
        pending.clear();
      }
      ws.close();
    }
    const code = await closed;
    f.unansweredAtClose += pending.size;
    f.closeCodes[`${mode} ${code}`] = (f.closeCodes[`${mode} ${code}`] ?? 0) + 1;
    if (f.running() && !ALLOWED_CLOSE.has(code) && code !== 1005) f.violation(`${mode} connection closed with code ${code}`);
  }
}

/** The canary pair: one message every 200 ms, each must be delivered (s_ntf → pullMsg) within 5 s. */
async function canary(f: Fuzzer): Promise<{ sent: number; delivered: number; failures: number; latencies: number[] }> {
  const { url, appKey, canarySender, canaryReceiver } = f.options;
  const sender = await CanaryClient.connect(url, appKey, canarySender);
  const receiver = await CanaryClient.connect(url, appKey, canaryReceiver);
  let sent = 0;
  let delivered = 0;
  let failures = 0;
  const latencies: number[] = [];
  await receiver.pullAll();
  while (f.running()) {
    const text = `canary ${sent}`;
    sent++;
    const t0 = performance.now();
    const ack = await sender.send(canaryReceiver.userId, text).catch(() => undefined);
    if (ack === undefined || ack.status !== 0) {
      failures++;
    } else {
      // Quoted: the JSON content holds exactly "canary N" (so "canary 1" never matches "canary 12").
      const got = await receiver.waitFor(`"${text}"`, 5000);
      if (got) {
        delivered++;
        latencies.push(performance.now() - t0);
      } else {
        failures++;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  sender.close();
  receiver.close();
  return { sent, delivered, failures, latencies };
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
  f.deadline = started + options.durationMs;
  const stopTimer = setTimeout(() => f.stop.abort(), options.durationMs);
  const progress = setInterval(() => log(`fuzz: ${f.inputs} inputs (${JSON.stringify(f.byTarget)}), ${f.answered} answers checked, ${f.violations} violations, ${f.hangs} hangs`), 10_000);
  // Half the connections send well-formed frames with fuzzed payloads, half mutated frames.
  const split = Math.max(1, Math.ceil(options.users.length / 2));
  const payloadUsers = options.users.slice(0, split);
  const frameUsers = options.users.length > 1 ? options.users.slice(split) : options.users;
  const [, , , canaryResult] = await Promise.all([
    Promise.all([
      ...payloadUsers.map((user) => wsWorker(f, user, 'payload')),
      ...frameUsers.map((user) => wsWorker(f, user, 'frame')),
      ...(options.wireUsers ?? []).map((user) => wireWorker(f, user)),
    ]),
    Promise.all((options.cometUsers ?? options.users.slice(0, 2)).map((user) => cometWorker(f, user))),
    Promise.all([httpWorker(f), httpWorker(f)]),
    canary(f),
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
    byTarget: f.byTarget,
    byTopic: f.byTopic,
    answered: f.answered,
    unansweredAtClose: f.unansweredAtClose,
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
    canaryP99Ms: percentile(canaryResult.latencies, 99),
    canaryMaxMs: canaryResult.latencies.length === 0 ? Number.NaN : Math.max(...canaryResult.latencies),
    storedIntact,
  };
}
