/**
 * A room signal that arrives while the room's load is in progress waits for the load (room-signals.ts). When that
 * load fails (the store unreachable: a PostgreSQL outage), the signal is dropped quietly — its rejection used to be
 * unhandled, which ends a Node 20 process.
 */
import type { ServerContext } from '../../../src/context';
import { receiveRoomSignal, type RoomSignalHost } from '../../../src/services/chatrooms/room-signals';

test('a signal for a room whose load fails leaves no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const failedLoad = Promise.reject(new Error('store unavailable'));
    failedLoad.catch(() => undefined); // the loader's own caller handles it
    const host = {
      ctx: {} as ServerContext,
      isClosed: () => false,
      loaded: () => undefined,
      loading: () => failedLoad,
    } as unknown as RoomSignalHost;
    receiveRoomSignal(host, 'k', 'room', { k: 'recall' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

describe('a join signal of a member this node removed lately is checked on the store', () => {
  const setup = async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createSqliteStore } = await import('../../../src/store/sqlite/sqlite-store');
    const { RoomState } = await import('../../../src/services/chatrooms/room-state');
    const dir = mkdtempSync(join(tmpdir(), 'lianxin-signals-'));
    const store = createSqliteStore({ file: join(dir, 'store.db') });
    await store.migrate();
    let now = 1_700_000_000_000;
    const room = new RoomState('k', 'r', { windowMs: 200, high: 20, shared: 20 });
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const host = {
      ctx: { store, clock: { now: () => now }, log } as unknown as ServerContext,
      isClosed: () => false,
      loaded: () => room,
      loading: () => undefined,
      isOnline: () => true,
      index: () => undefined,
      unindex: () => undefined,
    } as unknown as RoomSignalHost;
    await store.chatrooms.create('k', 'r', '', now);
    const settle = async (): Promise<void> => {
      await room.run(async () => undefined);
    };
    return {
      store, room, host, settle,
      tick: (ms: number) => (now += ms),
      close: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };

  test('a join signal that crossed this node\'s removal of the member is dropped; a later join is applied', async () => {
    const { store, room, host, settle, tick, close } = await setup();
    try {
      // Node 2 stores the join and signals it; before the signal arrives, this node (a block) removes the member.
      const { joinTime } = await store.chatrooms.join('k', 'r', 'u', 1_700_000_000_000);
      await store.chatrooms.leave('k', 'r', 'u');
      room.removeMember('u', 1_700_000_000_000);
      receiveRoomSignal(host, 'k', 'r', { k: 'member', userId: 'u', joined: true, joinTime });
      await settle();
      // Applied as it came, the signal made the removed user a member of this node's copy again.
      expect(room.members.has('u')).toBe(false);
      // A real join later (the store has it) still arrives.
      tick(1000);
      const again = await store.chatrooms.join('k', 'r', 'u', 1_700_000_001_000);
      receiveRoomSignal(host, 'k', 'r', { k: 'member', userId: 'u', joined: true, joinTime: again.joinTime });
      // A leave signal right behind it waits for the check instead of being undone by it.
      await store.chatrooms.leave('k', 'r', 'u');
      receiveRoomSignal(host, 'k', 'r', { k: 'member', userId: 'u', joined: false });
      await settle();
      expect(room.members.has('u')).toBe(false);
      const third = await store.chatrooms.join('k', 'r', 'u', 1_700_000_002_000);
      receiveRoomSignal(host, 'k', 'r', { k: 'member', userId: 'u', joined: true, joinTime: third.joinTime });
      await settle();
      expect(room.members.get('u')?.joinTime).toBe(third.joinTime);
      expect(room.checkingJoins.size).toBe(0);
    } finally {
      await close();
    }
  });

  test('a join signal of a member not removed here lately is applied at once, without a store read', async () => {
    const { room, host, close } = await setup();
    try {
      receiveRoomSignal(host, 'k', 'r', { k: 'member', userId: 'v', joined: true, joinTime: 5 });
      expect(room.members.get('v')?.joinTime).toBe(5);
    } finally {
      await close();
    }
  });
});
