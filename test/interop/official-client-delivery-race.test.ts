/**
 * Interop: delivery of stored messages under load, issue #12. The OFFICIAL web client (imlib-v2 2.9.2 on
 * engine 4.4.2) and our SDK are two devices of one user; neither declares `directPush`, so both get
 * `s_ntf` → `pullMsg` (server/src/services/inbox-delivery.ts explains why). A sender hammers the user while
 * both devices pull and reconnect: each device gets every message exactly once, in sentTime order.
 */
import { ConversationType, TextMessage } from '../../src/index';
import type { Message } from '../../src/index';
import { ConnectionStatus } from '../support/official-client/official-message';
import { delay, useInteropServer } from '../support/official-client/interop-fixture';
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import type { TestApp } from '../support/server-launcher';
import { call, ok, sdkUser } from '../e2e/sdk-api-support';
import type { SdkUser } from '../e2e/sdk-api-support';

const APP: TestApp = { key: 'lxraceapp', secret: 'lxracesecret', options: { multiDevice: true, maxSendRate: 1000 } };
const fx = useInteropServer([DEFAULT_TEST_APP, APP]);
const TOTAL = 160;
const WAVE = 8;
const sdkUsers: SdkUser[] = [];
/** DEFAULT_RENOTIFY_MS (35 s) + at most one gateway sweep (5 s) + the pull itself on a loaded machine (seen: ~40 s). */
const RENOTIFY_BOUND_MS = 50_000;

afterAll(async () => {
  for (const user of sdkUsers.splice(0)) await user.im.disconnect();
});

function send(from: SdkUser, to: string, text: string): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(ConversationType.PRIVATE, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

test('official client and our SDK on one user, hammered while pulling and reconnecting: exactly once, in order', async () => {
  const alice = await sdkUser(fx.server, APP, 'alice');
  sdkUsers.push(alice);
  expect(await alice.connect()).toBe(alice.userId);
  const bob = await fx.online('bob', {}, APP);
  const bobSdk = await sdkUser(fx.server, APP, 'bob', { userId: bob.userId, token: bob.token });
  sdkUsers.push(bobSdk);
  expect(await bobSdk.connect()).toBe(bob.userId);

  const sent: Message[] = [];
  let reconnectedAt = Date.now();
  for (let wave = 0; wave < TOTAL / WAVE; wave += 1) {
    const inFlight = Array.from({ length: WAVE }, (_, i) => send(alice, bob.userId, `m${wave * WAVE + i}`));
    if (wave === 6) {
      await bob.client.disconnect();
      await bob.client.waitForStatus(ConnectionStatus.DISCONNECTED, 5_000);
      expect(await bob.client.connect(bob.token)).toEqual({ ok: true, userId: bob.userId });
      reconnectedAt = Date.now();
    }
    if (wave === 12) {
      await bobSdk.im.disconnect();
      expect(await bobSdk.connect()).toBe(bob.userId);
    }
    sent.push(...(await Promise.all(inFlight)));
  }
  const expected = [...sent].sort((a, b) => a.sentTime - b.sentTime).map((m) => m.messageUId);
  const lastUid = expected[expected.length - 1] as string;
  // Engine 4.4.2 can keep waiting for a pullMsg answer it requested on the socket it just closed (its
  // 30 s request timeout) and drop every s_ntf meanwhile. Nothing else is sent: the server repeats the
  // s_ntf the session has not pulled past (inbox-renotify.ts, 35 s + at most one 5 s sweep after the
  // first message on the new session), so the client catches up by itself.
  await bob.client.nextMessage((m) => m.messageUId === lastUid, Math.max(5_000, reconnectedAt + RENOTIFY_BOUND_MS - Date.now()));
  await bobSdk.next((m) => m.messageUId === (expected[expected.length - 1] as string), 30_000);
  await bob.client.settle(800);

  const official = bob.client.messages.filter((m) => m.senderUserId === alice.userId).map((m) => m.messageUId);
  const ours = bobSdk.received.map((r) => r.message).filter((m) => m.senderUserId === alice.userId).map((m) => m.messageUId);
  expect({ official, ours }).toEqual({ official: expected, ours: expected });
  await delay(10);
}, 120_000);
