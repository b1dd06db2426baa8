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
