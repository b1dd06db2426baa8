/**
 * The PUBLISH dispatch of one Session (server/src/gateway/session.ts) with a recording transport: frames
 * are handled one at a time in arrival order, an idle session's synchronous handler answers within
 * `receive`, and a handler that throws, rejects or forgets to answer still gets exactly one PUBACK.
 */
import type { Frame, PublishFrame } from '../../../../src/internal';
import { Session } from '../../../src/gateway/session';
import { mapRouter, WireStatus, type SessionInfo, type TopicHandler } from '../../../src/gateway/topic-router';
import type { Logger } from '../../../src/log';
import { serverMetrics } from '../../../src/ops/server-metrics';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function harness(handlers: Record<string, TopicHandler>, pipelined: readonly string[] = []): { session: Session; acks: () => [number, number][] } {
  const written: Frame[] = [];
  const info: SessionInfo = { sessionId: 'n.1', appKey: 'k', userId: 'bob', platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };
  const session = new Session(
    info,
    { kind: 'websocket', write: (frame) => written.push(frame), close: () => undefined },
    { router: { ...mapRouter(handlers), pipelined: (topic) => pipelined.includes(topic) }, clock: { now: () => 1_000_000 }, log: quiet, maxSendRatePerSecond: 1000, onClosed: () => undefined },
  );
  const acks = (): [number, number][] => written.flatMap((f): [number, number][] => (f.kind === 'puback' ? [[f.messageId, f.status ?? -1]] : []));
  return { session, acks };
}

function publish(topic: string, messageId: number): PublishFrame {
  return { kind: 'publish', dup: false, qos: 1, retain: false, topic, targetId: 'alice', messageId, payload: new Uint8Array(0) };
}

/** A promise with its resolve, for handlers that answer when the test says so. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('Session PUBLISH dispatch', () => {
  it('answers a synchronous handler of an idle session within receive()', async () => {
    const { session, acks } = harness({ t: (port, frame) => port.puback(frame.messageId, { status: 0 }) });
    session.receive(publish('t', 1));
    expect(acks()).toEqual([[1, 0]]);
    session.receive(publish('t', 2));
    expect(acks()).toEqual([[1, 0], [2, 0]]);
    await session.idle();
  });

  it('handles frames one at a time in arrival order while a handler is pending', async () => {
    const started: number[] = [];
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const { session, acks } = harness({
      t: (port, frame) => {
        started.push(frame.messageId);
        const gate = deferred();
        gates.set(frame.messageId, gate);
        return gate.promise.then(() => port.puback(frame.messageId, { status: 0 }));
      },
    });
    session.receive(publish('t', 1));
    session.receive(publish('t', 2));
    session.receive(publish('t', 3));
    expect(started).toEqual([1]);
    await Promise.resolve();
    expect(started).toEqual([1]);
    gates.get(1)?.resolve();
    for (let i = 0; i < 10 && started.length < 2; i++) await Promise.resolve();
    expect(started).toEqual([1, 2]);
    expect(acks()).toEqual([[1, 0]]);
    gates.get(2)?.resolve();
    for (let i = 0; i < 20 && started.length < 3; i++) await Promise.resolve();
    gates.get(3)?.resolve();
    await session.idle();
    expect(started).toEqual([1, 2, 3]);
    expect(acks()).toEqual([[1, 0], [2, 0], [3, 0]]);
    // The queue is dropped once drained: the next frame is handled at once again.
    session.receive(publish('t', 4));
    expect(started).toEqual([1, 2, 3, 4]);
    gates.get(4)?.resolve();
    await session.idle();
    expect(acks()).toEqual([[1, 0], [2, 0], [3, 0], [4, 0]]);
  });

  it('answers HandlerFailed once when a handler throws, rejects or does not answer, and goes on', async () => {
    const { session, acks } = harness({
      throws: () => {
        throw new Error('boom');
      },
      rejects: () => Promise.reject(new Error('boom')),
      forgets: () => undefined,
      forgetsLater: () => Promise.resolve(),
      ok: (port, frame) => port.puback(frame.messageId, { status: 0 }),
      unknownTopicIsNotHere: (port, frame) => port.puback(frame.messageId, { status: 0 }),
    });
    session.receive(publish('throws', 1));
    session.receive(publish('rejects', 2));
    session.receive(publish('forgets', 3));
    session.receive(publish('forgetsLater', 4));
    session.receive(publish('ok', 5));
    session.receive(publish('nope', 6));
    await session.idle();
    expect(acks()).toEqual([
      [1, WireStatus.HandlerFailed],
      [2, WireStatus.HandlerFailed],
      [3, WireStatus.HandlerFailed],
      [4, WireStatus.HandlerFailed],
      [5, 0],
      [6, WireStatus.UnsupportedTopic],
    ]);
  });
});

describe('Session PUBLISH dispatch, pipelined topics (issue #12 P1)', () => {
  /** A handler that records its start and answers when the test opens its gate; `defer` says it waits first. */
  function gated(started: number[], gates: Map<number, ReturnType<typeof deferred>>, defer = false): TopicHandler {
    return (port, frame) => {
      started.push(frame.messageId);
      if (defer) port.deferOrder?.();
      const gate = deferred();
      gates.set(frame.messageId, gate);
      return gate.promise.then(() => port.puback(frame.messageId, { status: 0 }));
    };
  }

  async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  }

  it('starts consecutive pipelined frames at once; a frame of another topic waits for all of them', async () => {
    const started: number[] = [];
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const { session, acks } = harness({ p: gated(started, gates), q: gated(started, gates) }, ['p']);
    session.receive(publish('p', 1));
    session.receive(publish('p', 2));
    session.receive(publish('q', 3));
    session.receive(publish('p', 4));
    expect(started).toEqual([1, 2]);
    gates.get(2)?.resolve();
    await settle();
    expect(acks()).toEqual([[2, 0]]);
    expect(started).toEqual([1, 2]);
    gates.get(1)?.resolve();
    await settle();
    expect(started).toEqual([1, 2, 3]);
    gates.get(3)?.resolve();
    await settle();
    // 4 came after a non-pipelined frame: it waited for it.
    expect(started).toEqual([1, 2, 3, 4]);
    gates.get(4)?.resolve();
    await session.idle();
    expect(acks()).toEqual([[2, 0], [1, 0], [3, 0], [4, 0]]);
    // Drained: pipelining starts over.
    session.receive(publish('p', 5));
    session.receive(publish('p', 6));
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
    gates.get(5)?.resolve();
    gates.get(6)?.resolve();
    await session.idle();
  });

  it('lets sends join again once the frames queued behind another topic have started, without draining', async () => {
    const started: number[] = [];
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const { session } = harness({ p: gated(started, gates), q: gated(started, gates) }, ['p']);
    session.receive(publish('p', 1));
    session.receive(publish('q', 2));
    session.receive(publish('p', 3));
    expect(started).toEqual([1]);
    gates.get(1)?.resolve();
    await settle();
    expect(started).toEqual([1, 2]);
    gates.get(2)?.resolve();
    await settle();
    // 3 started behind the queue and passed its order-sensitive step: 4 and 5 start while it is pending.
    expect(started).toEqual([1, 2, 3]);
    session.receive(publish('p', 4));
    session.receive(publish('p', 5));
    expect(started).toEqual([1, 2, 3, 4, 5]);
    for (const id of [3, 4, 5]) gates.get(id)?.resolve();
    await session.idle();
  });

  it('queues the frames after a handler that defers its order-sensitive step', async () => {
    const started: number[] = [];
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const { session, acks } = harness({ p: gated(started, gates), d: gated(started, gates, true) }, ['p', 'd']);
    session.receive(publish('p', 1));
    session.receive(publish('d', 2));
    session.receive(publish('p', 3));
    expect(started).toEqual([1, 2]);
    await settle();
    expect(started).toEqual([1, 2]);
    // 2 is answered: everything before 3 is past its order-sensitive step (1 was at once), 3 starts.
    gates.get(2)?.resolve();
    await settle();
    expect(started).toEqual([1, 2, 3]);
    gates.get(3)?.resolve();
    gates.get(1)?.resolve();
    await session.idle();
    expect(acks()).toEqual([[2, 0], [3, 0], [1, 0]]);
  });

  it('settles idle() once the frames received so far are answered, though later ones are still pending', async () => {
    const started: number[] = [];
    const gates = new Map<number, ReturnType<typeof deferred>>();
    const { session, acks } = harness({ p: gated(started, gates), q: gated(started, gates) }, ['p']);
    session.receive(publish('p', 1));
    session.receive(publish('p', 2));
    const first = session.idle();
    // Asked twice with nothing admitted in between: the same wait.
    expect(session.idle()).toBe(first);
    let firstSettled = false;
    void first.then(() => {
      firstSettled = true;
    });
    session.receive(publish('p', 3));
    session.receive(publish('q', 4));
    const second = session.idle();
    expect(second).not.toBe(first);
    // Answers out of arrival order: 2, then 3 (a later frame), then 1.
    gates.get(2)?.resolve();
    gates.get(3)?.resolve();
    await settle();
    expect(firstSettled).toBe(false);
    gates.get(1)?.resolve();
    await first;
    expect(acks()).toEqual([[2, 0], [3, 0], [1, 0]]);
    // 4 (another topic) started once 1–3 were answered; the second wait covers it.
    await settle();
    expect(started).toEqual([1, 2, 3, 4]);
    let secondSettled = false;
    void second.then(() => {
      secondSettled = true;
    });
    await settle();
    expect(secondSettled).toBe(false);
    gates.get(4)?.resolve();
    await second;
    await expect(session.idle()).resolves.toBeUndefined();
  });

  it('gives every pipelined frame exactly one answer when handlers fail', async () => {
    const { session, acks } = harness(
      {
        rejects: () => Promise.reject(new Error('boom')),
        forgetsLater: () => Promise.resolve(),
        ok: (port, frame) => Promise.resolve().then(() => port.puback(frame.messageId, { status: 0 })),
      },
      ['rejects', 'forgetsLater', 'ok'],
    );
    session.receive(publish('ok', 1));
    session.receive(publish('rejects', 2));
    session.receive(publish('forgetsLater', 3));
    session.receive(publish('ok', 4));
    await session.idle();
    expect(acks().sort((a, b) => a[0] - b[0])).toEqual([[1, 0], [2, WireStatus.HandlerFailed], [3, WireStatus.HandlerFailed], [4, 0]]);
  });
});

describe('Session PUBLISH dispatch, per-frame costs', () => {
  /** Counts `then` calls on every promise of its kind (derived promises are of it too). */
  class CountingPromise<T> extends Promise<T> {
    static thens = 0;
    override then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
      CountingPromise.thens++;
      return super.then(onFulfilled, onRejected);
    }
  }

  it('puts one continuation on an asynchronous handler’s promise, pipelined or not, and still checks the answer', async () => {
    const gates: (() => void)[] = [];
    const gated =
      (answer: boolean): TopicHandler =>
      (port, frame) =>
        new CountingPromise<void>((resolve) => {
          gates.push(() => {
            if (answer) port.puback(frame.messageId, { status: 0 });
            resolve();
          });
        });
    const { session, acks } = harness({ p: gated(true), q: gated(true), forgets: gated(false), rejects: () => CountingPromise.reject(new Error('boom')) }, ['p', 'forgets', 'rejects']);
    CountingPromise.thens = 0;
    session.receive(publish('p', 1));
    session.receive(publish('forgets', 2));
    session.receive(publish('rejects', 3));
    session.receive(publish('q', 4));
    while (acks().length < 4) {
      gates.shift()?.();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    await session.idle();
    expect(acks().sort((a, b) => a[0] - b[0])).toEqual([
      [1, 0],
      [2, WireStatus.HandlerFailed],
      [3, WireStatus.HandlerFailed],
      [4, 0],
    ]);
    // One per frame (it was two: the session's check, then the frame order's own on the check's promise).
    expect(CountingPromise.thens).toBe(4);
  });

  it('asks the router once per topic and labels the metrics by route', async () => {
    const asked: string[] = [];
    const inner = mapRouter({ t: (port, frame) => port.puback(frame.messageId, { status: 0 }) });
    const written: Frame[] = [];
    const info: SessionInfo = { sessionId: 'n.2', appKey: 'k', userId: 'carol', platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };
    const router = {
      handle: (topic: string) => {
        asked.push(topic);
        return inner.handle(topic);
      },
    };
    const session = new Session(info, { kind: 'websocket', write: (frame) => written.push(frame), close: () => undefined }, { router, clock: { now: () => 1_000_000 }, log: quiet, maxSendRatePerSecond: 1000, onClosed: () => undefined });
    const framesIn = async (kind: string, topic: string): Promise<number> => (await serverMetrics.framesIn.get()).values.find((v) => v.labels.kind === kind && v.labels.topic === topic)?.value ?? 0;
    const pubacks = async (topic: string): Promise<number> =>
      (await serverMetrics.pubackLatency.get()).values.find((v) => v.labels.topic === topic && (v as { metricName?: string }).metricName === 'lianxin_puback_latency_seconds_count')?.value ?? 0;
    const before = [await framesIn('publish', 't'), await framesIn('publish', 'unsupported'), await framesIn('pingreq', ''), await pubacks('t'), await pubacks('unsupported')];
    for (let id = 1; id <= 5; id++) session.receive(publish('t', id));
    session.receive(publish('nope', 6));
    session.receive({ kind: 'pingreq', dup: false, qos: 0, retain: false });
    await session.idle();
    expect(written.filter((f) => f.kind === 'puback').map((f) => (f.kind === 'puback' ? [f.messageId, f.status] : []))).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
      [5, 0],
      [6, WireStatus.UnsupportedTopic],
    ]);
    expect(asked).toEqual(['t', 'nope']);
    const after = [await framesIn('publish', 't'), await framesIn('publish', 'unsupported'), await framesIn('pingreq', ''), await pubacks('t'), await pubacks('unsupported')];
    expect(after.map((v, i) => v - (before[i] as number))).toEqual([5, 1, 1, 5, 1]);
  });

  it('answers for a handler that did not answer only while the request it started with is in flight (a reused messageId)', async () => {
    const gates: (() => void)[] = [];
    const { session, acks } = harness({
      forgetsLater: () => new Promise<void>((resolve) => gates.push(resolve)),
      ok: (port, frame) => port.puback(frame.messageId, { status: 0 }),
    });
    session.receive(publish('forgetsLater', 1));
    // The client reuses id 1 while the first is in flight: the second request replaces the first.
    session.receive(publish('ok', 1));
    gates.shift()?.();
    await session.idle();
    expect(acks()).toEqual([[1, 0]]);
  });
});
