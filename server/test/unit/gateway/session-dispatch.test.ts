/**
 * The PUBLISH dispatch of one Session (server/src/gateway/session.ts) with a recording transport: frames
 * are handled one at a time in arrival order, an idle session's synchronous handler answers within
 * `receive`, and a handler that throws, rejects or forgets to answer still gets exactly one PUBACK.
 */
import type { Frame, PublishFrame } from '../../../../src/internal';
import { Session } from '../../../src/gateway/session';
import { mapRouter, WireStatus, type SessionInfo, type TopicHandler } from '../../../src/gateway/topic-router';
import type { Logger } from '../../../src/log';

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
