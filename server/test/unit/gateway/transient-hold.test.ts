import { encodeMessage, rc, decodeMessage } from '../../../../src/internal';
import { downStreamTimedAtMost, FLUSH_DELAY_MS, isTransientUpstream, MAX_HOLD_MS, TransientHold } from '../../../src/gateway/transient-hold';

describe('TransientHold', () => {
  let now: number;
  let pulled: number;
  let unpulled: boolean;
  let openedAt: number;
  let hold: TransientHold;
  let written: Array<[string, number]>;
  const send = (name: string, bytes = 10): void => hold.send((cap) => written.push([name, cap]), bytes);

  beforeEach(() => {
    jest.useFakeTimers();
    now = 1_000_000;
    pulled = -1;
    unpulled = false;
    written = [];
    openedAt = now - 60_000;
    hold = new TransientHold({ pulledTo: () => pulled, notifiedUnpulled: () => unpulled, isOpen: () => true, now: () => now, age: () => now - openedAt });
  });
  afterEach(() => jest.useRealTimers());
  const advance = (ms: number): void => {
    now += ms;
    jest.advanceTimersByTime(ms);
  };

  it('a session that never pulled gets its messages at once, untimed', () => {
    send('a');
    expect(written).toEqual([['a', Number.POSITIVE_INFINITY]]);
  });

  it('holds in the first second of a session that has not pulled yet (its first pull is on its way), then for its answer', () => {
    openedAt = now - 100;
    send('a');
    advance(500);
    expect(written).toEqual([]);
    hold.pullArrived();
    advance(300);
    expect(written).toEqual([]);
    pulled = 42;
    hold.pullAnswered();
    advance(FLUSH_DELAY_MS);
    expect(written).toEqual([['a', 42]]);
    // A session that never pulls: held at most until it is a second old and MAX_HOLD_MS after the message.
    openedAt = now;
    const quiet = new TransientHold({ pulledTo: () => -1, notifiedUnpulled: () => false, isOpen: () => true, now: () => now, age: () => now - openedAt });
    quiet.send((cap) => written.push(['q', cap]), 1);
    advance(MAX_HOLD_MS - 1);
    expect(written).toHaveLength(1);
    advance(1);
    expect(written).toEqual([['a', 42], ['q', Number.POSITIVE_INFINITY]]);
    quiet.send((cap) => written.push(['r', cap]), 1);
    expect(written).toHaveLength(3);
  });

  it('holds while a pull is pending and releases FLUSH_DELAY_MS after its answer, capped at the pull mark, in order', () => {
    hold.pullArrived();
    send('a');
    send('b');
    advance(500);
    expect(written).toEqual([]);
    pulled = 700;
    hold.pullAnswered();
    send('c');
    advance(FLUSH_DELAY_MS - 1);
    expect(written).toEqual([]);
    advance(1);
    expect(written).toEqual([['a', 700], ['b', 700], ['c', 700]]);
    advance(FLUSH_DELAY_MS);
    send('d');
    expect(written).toHaveLength(4);
  });

  it('keeps holding after a truncated page until the answer of the pull that follows it, at most MAX_HOLD_MS', () => {
    hold.pullArrived();
    send('a');
    pulled = 100;
    hold.pullContinues();
    hold.pullAnswered();
    advance(FLUSH_DELAY_MS * 5);
    expect(written).toEqual([]);
    hold.pullArrived();
    pulled = 200;
    hold.pullAnswered();
    advance(FLUSH_DELAY_MS);
    expect(written).toEqual([['a', 200]]);
    // A client that never pulls on after a truncated page: released after MAX_HOLD_MS.
    hold.pullArrived();
    hold.pullContinues();
    hold.pullAnswered();
    send('b');
    advance(MAX_HOLD_MS - 1);
    expect(written).toHaveLength(1);
    advance(1);
    expect(written).toEqual([['a', 200], ['b', 200]]);
  });

  it('holds while a notification is unpulled, at most MAX_HOLD_MS', () => {
    pulled = 5;
    hold.pullArrived();
    hold.pullAnswered();
    advance(FLUSH_DELAY_MS);
    unpulled = true;
    send('a');
    advance(MAX_HOLD_MS - 1);
    expect(written).toEqual([]);
    advance(1);
    expect(written).toEqual([['a', 5]]);
  });

  it('a pull that starts before the release keeps the messages until its own answer', () => {
    pulled = 5;
    hold.pullArrived();
    send('a');
    hold.pullAnswered();
    hold.pullArrived();
    advance(FLUSH_DELAY_MS * 3);
    expect(written).toEqual([]);
    pulled = 9;
    hold.pullAnswered();
    advance(FLUSH_DELAY_MS);
    expect(written).toEqual([['a', 9]]);
  });

  it('an s_ntf right behind a released message waits FLUSH_DELAY_MS, later ones go at once', () => {
    const notes: string[] = [];
    send('a');
    hold.notify(() => notes.push('n1'));
    hold.notify(() => notes.push('n2'));
    expect(notes).toEqual([]);
    advance(FLUSH_DELAY_MS);
    expect(notes).toEqual(['n1', 'n2']);
    hold.notify(() => notes.push('n3'));
    expect(notes).toEqual(['n1', 'n2', 'n3']);
  });

  it('keeps at most 256 KiB held: the oldest go first', () => {
    pulled = 1;
    hold.pullArrived();
    for (let i = 0; i < 5; i++) send(`m${i}`, 100 * 1024);
    hold.pullAnswered();
    advance(FLUSH_DELAY_MS);
    expect(written.map(([name]) => name)).toEqual(['m3', 'm4']);
  });

  it('clear drops what is held', () => {
    hold.pullArrived();
    send('a');
    hold.clear();
    hold.pullAnswered();
    advance(MAX_HOLD_MS);
    expect(written).toEqual([]);
  });
});

describe('transient helpers', () => {
  it('isTransientUpstream reads the persisted bit of field 1', () => {
    const up = (sessionId: number): Uint8Array => encodeMessage(rc.UpStreamMessage, { sessionId, classname: 'X:Y', content: new Uint8Array([123, 125]) });
    expect(isTransientUpstream(up(0))).toBe(true);
    expect(isTransientUpstream(up(3))).toBe(false);
    expect(isTransientUpstream(up(32 | 64 | 128))).toBe(true);
    expect(isTransientUpstream(up(1 | 128))).toBe(false);
    expect(isTransientUpstream(new Uint8Array([0x12, 0x00]))).toBe(false);
  });

  it('downStreamTimedAtMost lowers dataTime only when above the cap', () => {
    const payload = encodeMessage(rc.DownStreamMessage, { fromUserId: 'u', type: 1, classname: 'X:Y', content: new Uint8Array([123, 125]), dataTime: 2_000, status: 0, msgId: 'M' });
    expect(downStreamTimedAtMost(payload, 5_000)).toBe(payload);
    const lowered = decodeMessage(rc.DownStreamMessage, downStreamTimedAtMost(payload, 1_500), 'DownStreamMessage');
    expect([Number(lowered.dataTime), lowered.msgId, lowered.classname]).toEqual([1_500, 'M', 'X:Y']);
  });
});
