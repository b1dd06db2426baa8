/**
 * Direct `s_msg` delivery on the SDK side (src/client/services/sync.ts): pushes that arrive while a pull
 * round is in flight are held and delivered after the page, repeats dropped; a push outside a round moves
 * the inbox cursor. Real engine and services over the scripted host (only the socket/clock are fake); the
 * push is written right behind the pull answer, before any promise continuation runs — as `ws` does.
 * Multi-device echoes take the same hold, so pushes and echoes reach the app in the order they arrived.
 */
import type { ImMessage } from '../../../src/client/services/im-message';
import { decodeByName, encodeByName } from '../../../src/protocol/messages';
import { encodeUtf8 } from '../../../src/internal';
import type { QueryFrame } from '../../../src/protocol/frame';
import { connectedServices } from './connected-services';
import { F } from './fake-host';
import { BACKGROUND_CHECK_MS, BACKGROUND_PULL_AFTER_MS, CONFIRM_AFTER_PUSHES } from '../../../src/client/services/sync';

const PERSISTED_COUNTED = 16 | 32;

function down(uid: string, time: number) {
  return { fromUserId: 'peer', type: 1, classname: 'RC:TxtMsg', content: encodeUtf8(`{"content":"${uid}"}`), dataTime: time, status: PERSISTED_COUNTED, msgId: uid };
}

function page(uids: readonly [string, number][], syncTime: number): Uint8Array {
  return encodeByName('DownStreamMessages', { list: uids.map(([uid, time]) => down(uid, time)), syncTime, finished: true });
}

async function setup() {
  const { host, services, socket } = await connectedServices();
  const got: ImMessage[] = [];
  services.events.on('message', ({ message }) => got.push(message));
  await services.attach('user1', 1_700_000_000_500);
  await host.clock.advance(0);
  const pulls = (): QueryFrame[] => socket.sent.filter((f): f is QueryFrame => f.kind === 'query' && f.topic === 'pullMsg');
  const syncTimeOf = (q: QueryFrame | undefined): number => Number(decodeByName('SyncRequestMsg', q?.payload ?? new Uint8Array(0)).syncTime);
  let pushId = 100;
  const push = (uid: string, time: number): void => {
    pushId += 1;
    socket.deliver(F.push('s_msg', pushId, encodeByName('DownStreamMessage', down(uid, time))));
  };
  return { host, socket, services, got, pulls, syncTimeOf, push };
}

describe('direct s_msg delivery', () => {
  it('connects with directPush=1', async () => {
    const { socket } = await setup();
    expect(socket.query.get('directPush')).toBe('1');
  });

  it('an s_msg right behind the pull answer is delivered after the page, once', async () => {
    const { host, socket, got, pulls, push } = await setup();
    const first = pulls()[0];
    expect(first).toBeDefined();
    // One TCP read: the answer (m1, m2) and, synchronously behind it, pushes m2 (repeat) and m3.
    socket.deliver(F.queryack(first?.messageId ?? -1, page([['m1', 1000], ['m2', 1001]], 1001)));
    push('m2', 1001);
    push('m3', 1002);
    expect(got).toHaveLength(0);
    await host.clock.advance(0);
    expect(got.map((m) => m.messageUId)).toEqual(['m1', 'm2', 'm3']);
  });

  it('a push never moves the inbox cursor: an s_ntf above the cursor pulls from it, and the dedupe drops what was pushed', async () => {
    const { host, socket, services, got, pulls, syncTimeOf, push } = await setup();
    socket.deliver(F.queryack(pulls()[0]?.messageId ?? -1, page([['m1', 1000]], 1000)));
    await host.clock.advance(0);
    push('m2', 2000);
    expect(got.map((m) => m.messageUId)).toEqual(['m1', 'm2']);
    expect(services.session?.inbox).toBe(1000);
    // In a cluster another node may have stored m15 before m2 and announce it with one s_ntf for its burst
    // (m15 and m3, newer than the push): the pull starts at the confirmed cursor, not at the pushed m2.
    socket.deliver(F.push('s_ntf', 200, encodeByName('NotifyMsg', { type: 1, time: 3000 })));
    await host.clock.advance(0);
    expect(syncTimeOf(pulls()[1])).toBe(1000);
    socket.deliver(F.queryack(pulls()[1]?.messageId ?? -1, page([['m15', 1500], ['m2', 2000], ['m3', 3000]], 3000)));
    await host.clock.advance(0);
    expect(got.map((m) => m.messageUId)).toEqual(['m1', 'm2', 'm15', 'm3']);
    expect(services.session?.inbox).toBe(3000);
    // An s_ntf at or below the cursor pulls nothing.
    socket.deliver(F.push('s_ntf', 201, encodeByName('NotifyMsg', { type: 1, time: 3000 })));
    await host.clock.advance(0);
    expect(pulls()).toHaveLength(2);
  });

  it('the first pull after a reconnect starts at the confirmed cursor, below the pushes of the last connection', async () => {
    const { host, socket, services, got, pulls, syncTimeOf, push } = await setup();
    socket.deliver(F.queryack(pulls()[0]?.messageId ?? -1, page([['m1', 1000]], 1000)));
    await host.clock.advance(0);
    push('m2', 2000);
    socket.serverClose(1006);
    // The engine reconnects on its own after its back-off.
    for (let i = 0; i < 40 && host.lastSocket === socket; i += 1) await host.clock.advance(1000);
    const again = host.lastSocket;
    expect(again).not.toBe(socket);
    again.open();
    again.deliver(F.connack(0));
    await host.clock.advance(0);
    // What the facade does on every automatic reconnect.
    await services.attach('user1', 1_700_000_009_000);
    await host.clock.advance(0);
    const pulled = again.sent.filter((f): f is QueryFrame => f.kind === 'query' && f.topic === 'pullMsg');
    expect(pulled).toHaveLength(1);
    expect(syncTimeOf(pulled[0])).toBe(1000);
    again.deliver(F.queryack(pulled[0]?.messageId ?? -1, page([['m15', 1500], ['m2', 2000]], 2000)));
    await host.clock.advance(0);
    expect(got.map((m) => m.messageUId)).toEqual(['m1', 'm2', 'm15']);
  });

  it('the background pull, after nothing was pulled for a while, starts below the pushes too', async () => {
    const { host, socket, pulls, syncTimeOf, push } = await setup();
    socket.deliver(F.queryack(pulls()[0]?.messageId ?? -1, page([['m1', 1000]], 1000)));
    await host.clock.advance(0);
    push('m2', 2000);
    // The connection stays up: every ping is answered.
    for (let t = 0; t <= BACKGROUND_PULL_AFTER_MS + BACKGROUND_CHECK_MS && pulls().length === 1; t += 1000) {
      if (socket.sent.some((f) => f.kind === 'pingreq')) socket.deliver(F.pingresp());
      socket.sent.splice(0, socket.sent.length, ...socket.sent.filter((f) => f.kind !== 'pingreq'));
      await host.clock.advance(1000);
    }
    expect(pulls().length).toBeGreaterThan(1);
    expect(syncTimeOf(pulls()[1])).toBe(1000);
  });

  it('the background pull still comes when the device clock was set back since the last pull', async () => {
    const { host, socket, pulls } = await setup();
    socket.deliver(F.queryack(pulls()[0]?.messageId ?? -1, page([['m1', 1000]], 1000)));
    await host.clock.advance(0);
    host.clock.jump(-3 * 3_600_000);
    // Measured on the device clock alone, "nothing pulled for 180 s" waited three hours and 180 s.
    for (let t = 0; t <= BACKGROUND_PULL_AFTER_MS + BACKGROUND_CHECK_MS && pulls().length === 1; t += 1000) {
      if (socket.sent.some((f) => f.kind === 'pingreq')) socket.deliver(F.pingresp());
      socket.sent.splice(0, socket.sent.length, ...socket.sent.filter((f) => f.kind !== 'pingreq'));
      await host.clock.advance(1000);
    }
    expect(pulls()).toHaveLength(2);
  });

  it(`${CONFIRM_AFTER_PUSHES} stored pushes since the last pull start a pull that confirms them`, async () => {
    const { host, socket, got, pulls, syncTimeOf, push } = await setup();
    socket.deliver(F.queryack(pulls()[0]?.messageId ?? -1, page([['m1', 1000]], 1000)));
    await host.clock.advance(0);
    for (let i = 1; i < CONFIRM_AFTER_PUSHES; i += 1) push(`p${i}`, 1000 + i);
    await host.clock.advance(0);
    expect(pulls()).toHaveLength(1);
    push(`p${CONFIRM_AFTER_PUSHES}`, 1000 + CONFIRM_AFTER_PUSHES);
    await host.clock.advance(0);
    expect(pulls()).toHaveLength(2);
    expect(syncTimeOf(pulls()[1])).toBe(1000);
    expect(got).toHaveLength(CONFIRM_AFTER_PUSHES + 1);
  });

  it('an echo during a round waits behind the pushes held before it: the app hears them in arrival order', async () => {
    // CI under load: aliceWeb was still pulling (the s_ntf of alice's own send) when bob's expansion update came
    // as s_msg (held) and alice's own removal from her other device as an echo (delivered at once): the
    // expansion listener heard the removal before the update the server had accepted first.
    const { host, socket, services, got, pulls } = await setup();
    const heard: string[] = [];
    services.events.on('expansionUpdated', ({ expansion }) => heard.push(`updated ${JSON.stringify(expansion)}`));
    services.events.on('expansionDeleted', ({ deletedKeys }) => heard.push(`deleted ${deletedKeys.join(',')}`));
    const first = pulls()[0];
    expect(first).toBeDefined();
    // Bob's update, pushed (not stored).
    const update = { fromUserId: 'bob', type: 1, classname: 'RC:MsgExMsg', content: encodeUtf8('{"mid":"M1","put":{"status":"confirmed"}}'), dataTime: 1500, status: 0, msgId: 'X1' };
    socket.deliver(F.push('s_msg', 150, encodeByName('DownStreamMessage', update), { targetId: 'bob', qos: 0 }));
    // Alice's removal from her other device: DUP PUBLISH + PUBACK (PROTOCOL.md §5.5).
    const removal = encodeByName('UpStreamMessage', { sessionId: 0, classname: 'RC:MsgExMsg', content: encodeUtf8('{"mid":"M1","del":["k1"]}') });
    socket.deliver(F.push('ppMsgP', 151, removal, { dup: true, targetId: 'bob' }));
    socket.deliver(F.puback(151, 0, 1_700_000_001, 600, 'X2'));
    // An ordinary echoed message after them keeps its place too.
    const text = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8('{"content":"e1"}') });
    socket.deliver(F.push('ppMsgP', 152, text, { dup: true, targetId: 'bob' }));
    socket.deliver(F.puback(152, 0, 1_700_000_001, 700, 'e1'));
    socket.deliver(F.queryack(first?.messageId ?? -1, page([['m1', 1000]], 1000)));
    await host.clock.advance(0);
    expect(heard).toEqual(['updated {"status":"confirmed"}', 'deleted k1']);
    expect(got.map((m) => m.messageUId)).toEqual(['m1', 'e1']);
    // Outside a round an echo is delivered at once.
    socket.deliver(F.push('ppMsgP', 153, text, { dup: true, targetId: 'bob' }));
    socket.deliver(F.puback(153, 0, 1_700_000_001, 800, 'e2'));
    expect(got.map((m) => m.messageUId)).toEqual(['m1', 'e1', 'e2']);
  });
});
