/**
 * Long use on a mini-program host: a user left with unread messages in 1,500 conversations. Real server,
 * real sockets (Node adapter) over the Alipay host's storage (simulator, 200 KB per key): the unread record
 * is then larger than one key holds. Before records were written in parts (user-store.ts) every write of it
 * was refused, and after a reload the counts were those of the last write that fitted. A new device then
 * looks up one of the oldest conversations: getConversation pages through the server's list (1,000 a page).
 */
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { ConversationType } from '../../src/index';
import type { IConversation } from '../../src/index';
import { serverApi } from '../support/server-api-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { SimulatedDevice, simulatedAdapter } from '../support/host-simulators';
import { call, delay, ok, sdkUser, useSdkAdapter } from './sdk-api-support';

const APP: TestApp = { key: 'lxunreadmany', secret: 'lxunreadmanysecret', options: { maxSendRate: 100_000 } };
const CONVERSATIONS = 1500;
const PER_CONVERSATION = 2;
let server: RunningServer;
jest.setTimeout(180_000);

useSdkAdapter(({ storage }) => createNodeAdapter(storage ? { storage } : {}));
beforeAll(async () => {
  server = await startServer({ apps: [APP] });
});
afterAll(async () => {
  await server?.stop();
});

test(`unread counts of ${CONVERSATIONS} conversations survive a reload on a 200 KB-per-key host; a new device finds one beyond the newest 1,000`, async () => {
  const storage = simulatedAdapter('alipay', new SimulatedDevice()).storage;
  const me = await sdkUser(server, APP, 'me', { storage });
  await me.connect();
  const api = serverApi(server.url, APP.key, APP.secret);
  const total = CONVERSATIONS * PER_CONVERSATION;
  const jobs = Array.from({ length: total }, (_, i) => ({ from: `peer-${String(i % CONVERSATIONS).padStart(5, '0')}-${me.userId}`, n: i }));
  for (let at = 0; at < jobs.length; at += 50) {
    await Promise.all(
      jobs.slice(at, at + 50).map(async ({ from, n }) => {
        const sent = await api.post('message/private/publish', { fromUserId: from, toUserId: me.userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `m${n}` }) });
        expect(sent.status).toBe(200);
      }),
    );
  }
  // Every message counted (bounded wait: 600 polls).
  let counted = 0;
  for (let i = 0; i < 600 && counted < total; i += 1) {
    counted = await ok(call<number>((cb) => me.im.getTotalUnreadCount(cb)), 'total');
    if (counted < total) await delay(100);
  }
  expect(counted).toBe(total);
  await me.im.disconnect();
  await delay(50); // the write-behind flush started by disconnect runs on the host's synchronous storage

  // The app is reloaded on the same device: a new client on the same storage.
  const again = await sdkUser(server, APP, 'me', { storage, userId: me.userId, token: me.token });
  await again.connect();
  expect(await ok(call<number>((cb) => again.im.getTotalUnreadCount(cb)), 'total after reload')).toBe(total);
  await again.im.disconnect();

  // A new device (nothing cached) asks for one of the oldest conversations, beyond the newest 1,000 (one server
  // list page): it exists, so it is found (API_CHECKLIST "Decisions": getConversation asks the server; null only
  // when the conversation does not exist). peer 0's latest is m1500, sent in the first batch of the second round.
  const fresh = await sdkUser(server, APP, 'me', { userId: me.userId, token: me.token });
  await fresh.connect();
  const oldest = `peer-${'0'.padStart(5, '0')}-${me.userId}`;
  const found = await ok(call<IConversation | null>((cb) => fresh.im.getConversation(ConversationType.PRIVATE, oldest, cb)), 'getConversation');
  expect(found).toMatchObject({ conversationType: ConversationType.PRIVATE, targetId: oldest, latestMessage: { content: { content: `m${CONVERSATIONS}` } } });
  expect(await ok(call((cb) => fresh.im.getConversation(ConversationType.PRIVATE, `no-such-peer-${me.userId}`, cb)), 'missing')).toBeNull();
  await fresh.im.disconnect();
});
