/**
 * The chatroom store sweep (room-sweeper.ts) over a real in-memory SQLite store: rooms that went idle (or
 * due) together are all destroyed by the sweep that finds them, page after page, not one page per sweep;
 * the sweep yields to the event loop between pages, stops at its budget and continues at once; a page of
 * rooms destroy refused ends the walk; two nodes sweeping the same store destroy each room once.
 */
import { createAppConfig } from '../../../src/config';
import type { RoomFlow } from '../../../src/services/chatrooms/room-flow';
import { RoomSweeper, SWEEP_BUDGET, SWEEP_PAGE } from '../../../src/services/chatrooms/room-sweeper';
import type { Store } from '../../../src/store/store';
import { contextWith, memoryStore } from '../services/cache-test-support';

const KEY = 'lxsweep';
const IDLE_MS = 1000;
const T0 = 1_700_000_000_000;

let store: Store;
const clock = { t: T0 };
const sweepers: RoomSweeper[] = [];

beforeEach(async () => {
  store = await memoryStore();
  clock.t = T0;
});

afterEach(async () => {
  for (const s of sweepers.splice(0)) s.close();
  await store.close();
});

/** A node's sweeper whose destroy is the store's (one winner), counting what it destroyed and refused. */
function node(refuse: (roomId: string) => boolean = () => false): { sweeper: RoomSweeper; destroyed: string[]; calls: number } {
  const ctx = contextWith([createAppConfig(KEY, 'lxsweepsecret', { chrmIdleDestroyMs: String(IDLE_MS) })], store, clock);
  const state = { destroyed: [] as string[], calls: 0 };
  const destroy = async (appKey: string, roomId: string): Promise<boolean> => {
    state.calls += 1;
    await Promise.resolve();
    if (refuse(roomId)) return false;
    const members = await store.chatrooms.destroy(appKey, roomId);
    if (members === undefined) return false;
    state.destroyed.push(roomId);
    return true;
  };
  // A renotify delay far off: the timer never fires during a test; sweep() is called directly.
  const sweeper = new RoomSweeper({ ctx, flow: {} as RoomFlow, rooms: () => [], destroyIdle: destroy, destroyTimed: destroy }, 1e9);
  sweepers.push(sweeper);
  return { sweeper, get destroyed() { return state.destroyed; }, get calls() { return state.calls; } };
}

async function createRooms(prefix: string, n: number, destroy?: { type: 0 | 1; minutes: number; at: number }): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
  for (const id of ids) await store.chatrooms.create(KEY, id, '', T0, destroy);
  return ids;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('RoomSweeper', () => {
  it('destroys every idle room and every due room in one sweep when they fit the budget, not one page', async () => {
    const idle = await createRooms('i', SWEEP_PAGE * 4 + 7);
    const timed = await createRooms('t', SWEEP_PAGE * 3, { type: 1, minutes: 1, at: T0 + 10 });
    const n = node();
    clock.t = T0 + IDLE_MS + 1;
    await n.sweeper.sweep();
    expect(n.destroyed.filter((id) => id.startsWith('i'))).toHaveLength(idle.length);
    expect(n.destroyed.filter((id) => id.startsWith('t'))).toHaveLength(timed.length);
    expect(await store.chatrooms.list(KEY)).toEqual([]);
  });

  it('yields to the event loop between pages, stops at its budget and continues at once', async () => {
    const ids = await createRooms('r', SWEEP_BUDGET * 2 + 50);
    const n = node();
    clock.t = T0 + IDLE_MS + 1;
    let timerRan = false;
    setTimeout(() => void (timerRan = true), 0);
    await n.sweeper.sweep();
    // The SQLite store answers synchronously: without a yield the whole sweep would run in microtasks.
    expect(timerRan).toBe(true);
    expect(n.destroyed).toHaveLength(SWEEP_BUDGET);
    await until(() => n.destroyed.length === ids.length);
    expect(new Set(n.destroyed).size).toBe(ids.length);
    expect(await store.chatrooms.list(KEY)).toEqual([]);
  });

  it('ends the walk on a page of rooms destroy refused (no endless loop), and leaves rooms not idle', async () => {
    await createRooms('k', SWEEP_PAGE * 2);
    await store.chatrooms.create(KEY, 'fresh', '', T0 + IDLE_MS);
    const n = node((roomId) => roomId.startsWith('k'));
    clock.t = T0 + IDLE_MS + 1;
    await n.sweeper.sweep();
    // The first page was refused, the second is the same rooms again: nothing new, the walk ends.
    expect(n.calls).toBe(SWEEP_PAGE);
    expect(n.destroyed).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(n.calls).toBe(SWEEP_PAGE);
    expect(await store.chatrooms.list(KEY)).toHaveLength(SWEEP_PAGE * 2 + 1);
  });

  it('two nodes sweeping the same store at once destroy every room exactly once between them', async () => {
    const ids = await createRooms('c', SWEEP_PAGE * 6 + 3);
    const a = node();
    const b = node();
    clock.t = T0 + IDLE_MS + 1;
    await Promise.all([a.sweeper.sweep(), b.sweeper.sweep()]);
    const all = [...a.destroyed, ...b.destroyed];
    expect(all).toHaveLength(ids.length);
    expect(new Set(all).size).toBe(ids.length);
    expect(await store.chatrooms.list(KEY)).toEqual([]);
  });
});
