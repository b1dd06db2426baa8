/**
 * Room pulls against notifications that race them (src/client/services/chatroom/chatroom-pull.ts). A
 * server may answer a `chrmPull` from a store snapshot taken before a message it announces (`s_ntf` type
 * 2) while that pull is in flight — seen in the cluster e2e: node B read the timeline, the message
 * committed on node A, B relayed the notification, and only then wrote the (older) answer. The client
 * must ask again rather than treat the empty page as "the server cannot reach that time", which left the
 * message waiting for the server's 35 s re-notify. A notification the answer could have covered still
 * ends the round when the page moves nothing (no spinning).
 * Real engine and services over the scripted host (only the socket and clock are fake).
 */
import type { ImMessage } from '../../../src/client/services/im-message';
import { decodeByName, encodeByName } from '../../../src/protocol/messages';
import { encodeUtf8 } from '../../../src/internal';
import type { QueryFrame } from '../../../src/protocol/frame';
import { connectedServices } from './connected-services';
import { F } from './fake-host';

const ROOM = 'room1';
const JOIN_TIME = 1_700_000_001_000;

function down(uid: string, time: number) {
  return { fromUserId: 'peer', type: 4, groupId: ROOM, classname: 'RC:TxtMsg', content: encodeUtf8(`{"content":"${uid}"}`), dataTime: time, status: 16, msgId: uid };
}

function page(messages: readonly [string, number][], syncTime: number): Uint8Array {
  return encodeByName('DownStreamMessages', { list: messages.map(([uid, time]) => down(uid, time)), syncTime, finished: true });
}

async function joined() {
  const { host, services, socket } = await connectedServices();
  const got: ImMessage[] = [];
  services.events.on('message', ({ message }) => {
    if (message.conversationType === 4) got.push(message);
  });
  const queries = (topic: string): QueryFrame[] => socket.sent.filter((f): f is QueryFrame => f.kind === 'query' && f.topic === topic);
  const pulls = (): QueryFrame[] => queries('chrmPull');
  const cursorOf = (q: QueryFrame | undefined): number => Number(decodeByName('ChrmPullMsg', q?.payload ?? new Uint8Array(0)).syncTime);
  let pushId = 300;
  const notify = (time: number): void => {
    pushId += 1;
    socket.deliver(F.push('s_ntf', pushId, encodeByName('NotifyMsg', { type: 2, time, chrmId: ROOM })));
  };
  const answer = async (q: QueryFrame | undefined, payload: Uint8Array): Promise<void> => {
    socket.deliver(F.queryack(q?.messageId ?? -1, payload));
    await host.clock.advance(0);
  };
  const joining = services.chatrooms.join(ROOM, 0);
  await host.clock.advance(0);
  await answer(queries('joinChrm')[0], encodeByName('ChrmOutput', { nothing: 1, joinTime: JOIN_TIME }));
  await joining;
  // The join pull: nothing yet; the cursor becomes the join time.
  await answer(pulls()[0], page([], JOIN_TIME));
  expect(pulls()).toHaveLength(1);
  return { host, services, queries, got, pulls, cursorOf, notify, answer };
}

describe('room pulls racing notifications', () => {
  it('a notification that arrives while a pull is in flight is pulled again when that answer predates it', async () => {
    const { host, services, queries, got, pulls, cursorOf, notify, answer } = await joined();
    notify(JOIN_TIME + 100);
    await answer(pulls()[1], page([['m1', JOIN_TIME + 100]], JOIN_TIME + 100));
    // The re-join after a reconnect (as in the cluster failure): its pull continues from the cursor.
    const rejoining = services.chatrooms.join(ROOM, 5, true);
    await host.clock.advance(0);
    await answer(queries('joinChrmR')[0], encodeByName('ChrmOutput', { nothing: 1, joinTime: JOIN_TIME }));
    await rejoining;
    expect(pulls()).toHaveLength(3);
    expect(cursorOf(pulls()[2])).toBe(JOIN_TIME + 100);
    // m2 is committed and announced while that pull is in flight; its answer is from an older snapshot.
    notify(JOIN_TIME + 200);
    expect(pulls()).toHaveLength(3);
    await answer(pulls()[2], page([], JOIN_TIME + 100));
    // The empty page moved nothing, but a notification came while it was asked: ask again, same cursor.
    expect(pulls()).toHaveLength(4);
    expect(cursorOf(pulls()[3])).toBe(JOIN_TIME + 100);
    await answer(pulls()[3], page([['m2', JOIN_TIME + 200]], JOIN_TIME + 200));
    expect(got.map((m) => m.messageUId)).toEqual(['m1', 'm2']);
    await host.clock.advance(1000);
    expect(pulls()).toHaveLength(4);
  });

  it('a page that moves nothing still ends the round when no notification came while it was asked', async () => {
    const { host, pulls, cursorOf, notify, answer } = await joined();
    notify(JOIN_TIME + 500);
    expect(pulls()).toHaveLength(2);
    // The server cannot reach the notified time (nothing stored there): one answer, no second ask.
    await answer(pulls()[1], page([], JOIN_TIME));
    await host.clock.advance(1000);
    expect(pulls()).toHaveLength(2);
    // The next notification retries from the same cursor.
    notify(JOIN_TIME + 600);
    expect(pulls()).toHaveLength(3);
    expect(cursorOf(pulls()[2])).toBe(JOIN_TIME);
  });
});
