/**
 * ChatroomService over a real SQLite store and an in-memory hub (sessions are the host boundary): sends of
 * one room made in the same turn share one group commit and keep their call order, and a member that
 * ignores the room `s_ntf` gets it again from the service sweep after the re-notify delay until it pulls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeByName } from '../../../../src/internal';
import { MemoryBroker } from '../../../src/broker/memory-broker';
import { MemoryPresence } from '../../../src/broker/memory-presence';
import { createAppConfig, createAppRegistry, type ServerConfig } from '../../../src/config';
import type { ServerContext } from '../../../src/context';
import { Hub } from '../../../src/gateway/hub';
import { SessionRegistry } from '../../../src/gateway/session-registry';
import type { UserEvent } from '../../../src/gateway/user-event';
import { createLogger } from '../../../src/log';
import { createTokenService } from '../../../src/services/auth-tokens';
import { ChatroomService } from '../../../src/services/chatrooms/chatroom-service';
import { SqliteChatroomRepository } from '../../../src/store/sqlite/sqlite-chatroom-repository';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';

const APP = 'k';
const RENOTIFY_MS = 40;
let dir = '';
let now = 1_700_000_000_000;
let store: Store;
let hub: Hub;
let service: ChatroomService;
const received = new Map<string, UserEvent[]>();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lianxin-room-flow-'));
  store = createSqliteStore({ file: join(dir, 'store.db') });
  await store.migrate();
  const apps = createAppRegistry([createAppConfig(APP, 'secret')]);
  const ctx: ServerContext = {
    config: { dataDir: dir } as unknown as ServerConfig, store, apps, tokens: createTokenService({ apps, users: store.users }),
    clock: { now: () => now }, log: createLogger('silent'),
  };
  hub = new Hub({ nodeId: 'A', broker: new MemoryBroker(), presence: new MemoryPresence(), registry: new SessionRegistry(), presenceTtlMs: 10_000 });
  service = new ChatroomService(ctx, hub, { renotifyMs: RENOTIFY_MS });
  received.clear();
});
afterEach(async () => {
  service.close();
  await hub.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function online(userId: string): Promise<void> {
  received.set(userId, []);
  await hub.attach({
    info: { sessionId: `A.${userId}`, appKey: APP, userId, platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 },
    deliver: (event) => received.get(userId)?.push(event),
  });
}

/** Times of the room s_ntf the user's session got. */
function roomNotifies(userId: string, roomId: string): number[] {
  return (received.get(userId) ?? []).flatMap((event) => {
    if (event.kind !== 'push' || event.topic !== 's_ntf') return [];
    const msg = decodeByName('NotifyMsg', event.payload) as { type: number; time: number | { toNumber(): number }; chrmId?: string | null };
    if (msg.type !== 2 || msg.chrmId !== roomId) return [];
    return [typeof msg.time === 'number' ? msg.time : msg.time.toNumber()];
  });
}

const input = (fromUserId: string, text: string) => ({ appKey: APP, roomId: 'r', fromUserId, objectName: 'RC:TxtMsg', content: new Uint8Array(Buffer.from(text)), flags: 3 });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await sleep(5);
}

test('sends of one room in the same turn commit one by one in call order and share one notification', async () => {
  for (const user of ['a', 'b', 'c', 'l']) {
    await online(user);
    expect((await service.join(APP, user, 'r', 'join')).status).toBe(0);
  }
  const repository = store.chatrooms;
  if (!(repository instanceof SqliteChatroomRepository)) throw new Error('expected the SQLite chatroom repository');
  const before = repository.appendStats;
  const outcomes = await Promise.all(['a', 'b', 'c', 'a'].map((user, i) => service.send(input(user, `m${i}`), 'client')));
  expect(outcomes.map((o) => o.status)).toEqual([0, 0, 0, 0]);
  // The store commits each chatroom append when it is called (sqlite-store.ts: a group commit deferred to the
  // end of the turn cut fan-out ≈ 10×, bench P3 round 4).
  expect(repository.appendStats.batches - before.batches).toBe(4);
  expect(repository.appendStats.jobs - before.jobs).toBe(4);
  const times = outcomes.map((o) => o.sentTime ?? 0);
  expect([...times].sort((x, y) => x - y)).toEqual(times);
  expect(new Set(times).size).toBe(4);
  // One coalesced notification of the newest time.
  await until(() => roomNotifies('l', 'r').length > 0);
  expect(roomNotifies('l', 'r')).toEqual([times[3]]);
  const page = await service.pull(APP, 'l', 'r', 1, 50);
  expect(page.messages?.map((m) => m.fromUserId)).toEqual(['a', 'b', 'c', 'a']);
});

test('the service sweep re-notifies a member that has not pulled, until it pulls', async () => {
  for (const user of ['a', 'l']) {
    await online(user);
    expect((await service.join(APP, user, 'r', 'join')).status).toBe(0);
  }
  const joined = await service.pull(APP, 'l', 'r', 0, 10);
  const sent = await service.send(input('a', 'hello'), 'client');
  await until(() => roomNotifies('l', 'r').length === 1);
  expect(roomNotifies('l', 'r')).toEqual([sent.sentTime]);
  // Not due yet on the service clock: the sweep leaves it alone.
  await sleep(RENOTIFY_MS * 2);
  expect(roomNotifies('l', 'r')).toHaveLength(1);
  now += RENOTIFY_MS;
  await until(() => roomNotifies('l', 'r').length === 2);
  expect(roomNotifies('l', 'r')).toEqual([sent.sentTime, sent.sentTime]);
  // The sender was never notified of its own message.
  expect(roomNotifies('a', 'r')).toEqual([]);
  const page = await service.pull(APP, 'l', 'r', joined.syncTime ?? 0, 50);
  expect(page.messages).toHaveLength(1);
  now += RENOTIFY_MS * 10;
  await sleep(RENOTIFY_MS * 2);
  expect(roomNotifies('l', 'r')).toHaveLength(2);
});
