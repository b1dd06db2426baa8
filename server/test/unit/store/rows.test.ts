import { keptBytes, storedMessageOf } from '../../../src/store/rows';
import { storedRoomMessageOf } from '../../../src/store/chatroom-rows';
import type { NewMessage } from '../../../src/store/store';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('keptBytes', () => {
  it('keeps a received frame’s content view: a plain Uint8Array over a small buffer of its own', () => {
    const frame = new Uint8Array(150);
    frame.set(text('{"content":"hello"}'), 40);
    const content = frame.subarray(40, 140);
    expect(keptBytes(content)).toBe(content);
    const whole = text('{"content":"hello"}');
    expect(keptBytes(whole)).toBe(whole);
  });

  it('copies a view into a larger buffer (a socket read), so the stored message does not keep that buffer alive', () => {
    const read = new Uint8Array(64 * 1024);
    read.set(text('abc'), 1000);
    const content = read.subarray(1000, 1003);
    const kept = keptBytes(content);
    expect(kept).not.toBe(content);
    expect(kept.buffer).not.toBe(read.buffer);
    expect(kept.buffer.byteLength).toBe(3);
    expect(Array.from(kept)).toEqual([97, 98, 99]);
  });

  it('copies a Buffer (Node’s pool) into a plain Uint8Array', () => {
    const pooled = Buffer.from('{"content":"x"}');
    const kept = keptBytes(pooled);
    expect(kept.constructor).toBe(Uint8Array);
    expect(Buffer.from(kept).toString()).toBe('{"content":"x"}');
  });
});

describe('storedMessageOf / storedRoomMessageOf', () => {
  const base: NewMessage = {
    appKey: 'app',
    fromUserId: 'a',
    conversationType: 1,
    targetId: 'b',
    objectName: 'RC:TxtMsg',
    content: Buffer.from('{"content":"hi"}'),
    flags: 3,
    recipients: ['b'],
    senderSendbox: true,
    now: 1,
  };

  it('has the same keys in the same order as before (recalled last), optional fields only when present', () => {
    expect(Object.keys(storedMessageOf(base, 'U', 5))).toEqual([
      'appKey', 'uid', 'sentTime', 'fromUserId', 'conversationType', 'targetId', 'objectName', 'content', 'flags', 'recalled',
    ]);
    const full = storedMessageOf({ ...base, configFlag: 1, pushContent: 'p', pushData: 'd', pushExt: Buffer.from([1, 2]), extraContent: 'e' }, 'U', 5);
    expect(Object.keys(full)).toEqual([
      'appKey', 'uid', 'sentTime', 'fromUserId', 'conversationType', 'targetId', 'objectName', 'content', 'flags',
      'configFlag', 'pushContent', 'pushData', 'pushExt', 'extraContent', 'recalled',
    ]);
    expect(full.pushExt?.constructor).toBe(Uint8Array);
    expect(full.content.constructor).toBe(Uint8Array);
    expect(full).toMatchObject({ uid: 'U', sentTime: 5, recalled: false, pushContent: 'p', extraContent: 'e', configFlag: 1 });
  });

  it('a room message likewise', () => {
    const room = storedRoomMessageOf({ appKey: 'app', roomId: 'r', fromUserId: 'a', objectName: 'RC:TxtMsg', content: text('{}'), flags: 0, now: 1 }, 'U', 7);
    expect(Object.keys(room)).toEqual(['appKey', 'roomId', 'uid', 'sentTime', 'fromUserId', 'objectName', 'content', 'flags']);
  });
});
