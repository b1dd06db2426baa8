/**
 * The comet transport's downlink bound (server/src/gateway/comet-transport.ts), with a manual clock: only polls
 * keep a session from expiring, and an unpolled queue beyond its bound is dropped and reported once.
 */
import { encodeCometSignals, encodeMessage, encodeUtf8, parseCometBody, rc } from '../../../../src/internal';
import { CometTransport, cometMaxQueuedBytesFromEnv, DEFAULT_COMET_MAX_QUEUED_BYTES, type QueueSize } from '../../../src/gateway/comet-transport';
import { publishFrame, pubackFrame } from '../../../src/gateway/session-frames';
import type { Logger } from '../../../src/log';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const HOLD = 25_000;
const EXPIRY = 50_000;

function harness(maxQueuedBytes?: number): { transport: CometTransport; clock: { t: number }; overflows: QueueSize[] } {
  const clock = { t: 1_000_000 };
  const overflows: QueueSize[] = [];
  const transport = new CometTransport({
    dialect: 'e4',
    holdMs: HOLD,
    now: () => clock.t,
    log: quiet,
    ...(maxQueuedBytes === undefined ? {} : { maxQueuedBytes }),
    onOverflow: (dropped) => overflows.push(dropped),
  });
  return { transport, clock, overflows };
}

const ntf = (id: number, time: number) => publishFrame('s_ntf', 'bob', id, encodeMessage(rc.NotifyMsg, { type: 1, time }), 1, time);
const flushMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('comet expiry', () => {
  it('expires without a poll for longer than the window, however many POSTs come in', () => {
    const { transport, clock } = harness();
    const answers: string[] = [];
    for (let i = 1; i <= 12; i++) {
      clock.t += 5_000;
      transport.expectAnswer(i, (body) => answers.push(body), HOLD);
      transport.write(pubackFrame(i, 0, clock.t, `UID-${i}`));
    }
    expect(answers).toHaveLength(12);
    expect(transport.expired(clock.t, EXPIRY)).toBe(true);
  });

  it('stays alive while a poll is held, and for the window after it was answered', () => {
    const { transport, clock } = harness();
    const bodies: string[] = [];
    clock.t += EXPIRY - 1;
    transport.poll((body) => bodies.push(body));
    clock.t += EXPIRY + 1;
    expect(transport.expired(clock.t, EXPIRY)).toBe(false);
    transport.write(ntf(1, clock.t));
    expect(bodies).toHaveLength(1);
    clock.t += EXPIRY;
    expect(transport.expired(clock.t, EXPIRY)).toBe(false);
    clock.t += 1;
    expect(transport.expired(clock.t, EXPIRY)).toBe(true);
  });

  it('counts a poll given up by its client as the last pull', () => {
    const { transport, clock } = harness();
    const reply = (): void => undefined;
    transport.poll(reply);
    clock.t += 10_000;
    transport.cancelPoll(reply);
    clock.t += EXPIRY;
    expect(transport.expired(clock.t, EXPIRY)).toBe(false);
    clock.t += 1;
    expect(transport.expired(clock.t, EXPIRY)).toBe(true);
  });
});

describe('comet queue bound', () => {
  it('answers a poll with exactly the JSON array of what was queued', () => {
    const { transport, clock } = harness();
    transport.write(ntf(1, clock.t));
    transport.write(ntf(2, clock.t + 1));
    const bodies: string[] = [];
    transport.poll((body) => bodies.push(body));
    expect(bodies).toHaveLength(1);
    const signals = parseCometBody(bodies[0] ?? '');
    expect(bodies[0]).toBe(encodeCometSignals(signals));
    expect(signals.map((s) => s.messageId)).toEqual([1, 2]);
    expect(transport.queued).toEqual({ signals: 0, bytes: 0 });
  });

  it('drops an unpolled queue past the bound, reports it once, and queues nothing more', async () => {
    const { transport, clock, overflows } = harness(1000);
    let written = 0;
    for (let i = 1; i <= 100 && overflows.length === 0; i++) {
      transport.write(ntf(i, clock.t + i));
      written = i;
      await flushMicrotasks();
    }
    expect(overflows).toHaveLength(1);
    expect(overflows[0]?.signals).toBe(written);
    expect(overflows[0]?.bytes).toBeGreaterThan(1000);
    expect(transport.overflow).toEqual(overflows[0]);
    expect(transport.queued).toEqual({ signals: 0, bytes: 0 });
    for (let i = 0; i < 50; i++) transport.write(ntf(1000 + i, clock.t));
    await flushMicrotasks();
    expect(transport.queued).toEqual({ signals: 0, bytes: 0 });
    expect(overflows).toHaveLength(1);
  });

  it('counts the queue in UTF-8 bytes, as the poll answer carries it, not in characters', async () => {
    const { transport, overflows } = harness(2000);
    const content = encodeUtf8(JSON.stringify({ content: '你'.repeat(1000) }));
    transport.write(publishFrame('s_msg', 'bob', 1, encodeMessage(rc.DownStreamMessage, { fromUserId: 'a', type: 1, classname: 'RC:TxtMsg', content, dataTime: 5, status: 0 }), 0, 5));
    await flushMicrotasks();
    // About 1,200 characters but 3,200 bytes.
    expect(overflows).toHaveLength(1);
    expect(overflows[0]?.bytes).toBeGreaterThan(3000);
  });

  it('never counts what a held poll takes at once', async () => {
    const { transport, clock, overflows } = harness(1000);
    const bodies: string[] = [];
    for (let i = 1; i <= 100; i++) {
      transport.poll((body) => bodies.push(body));
      transport.write(ntf(i, clock.t + i));
    }
    await flushMicrotasks();
    expect(bodies).toHaveLength(100);
    expect(overflows).toEqual([]);
    expect(transport.overflow).toBeUndefined();
  });

  it('reads LIANXIN_COMET_MAX_QUEUED_BYTES, ignoring anything but a positive integer', () => {
    expect(cometMaxQueuedBytesFromEnv({})).toBe(DEFAULT_COMET_MAX_QUEUED_BYTES);
    expect(cometMaxQueuedBytesFromEnv({ LIANXIN_COMET_MAX_QUEUED_BYTES: '2048' })).toBe(2048);
    for (const bad of ['0', '-1', '1e6', 'lots', '']) expect(cometMaxQueuedBytesFromEnv({ LIANXIN_COMET_MAX_QUEUED_BYTES: bad })).toBe(DEFAULT_COMET_MAX_QUEUED_BYTES);
  });
});
