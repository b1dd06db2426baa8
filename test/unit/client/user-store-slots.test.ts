/**
 * UserStore's per-key write queue (src/client/services/user-store.ts): a write of a key that is already
 * waiting only replaces the waiting value, whether it was given as a value (`writeJson`) or as a text
 * producer (`writeJsonText`) — the newest wins, serialised once when the write starts; keys are queued
 * independently; a write issued while another of the same key is in flight is applied after it; a
 * failing storage write is logged and the next write of the key still happens. Real store over a
 * map-backed storage and the fake clock (host boundaries only).
 */
import { UserStore, WRITE_BEHIND_MS } from '../../../src/client/services/user-store';
import type { Logger } from '../../../src/client/logger';
import { SILENT_LOGGER } from '../../../src/client/logger';
import type { KeyValueStorage } from '../../../src/platform/platform-adapter';
import { FakeClock } from '../../support/fake-clock';

function storage(): { storage: KeyValueStorage; map: Map<string, string>; log: string[]; failNext: { value: boolean }; gate: { hold: Promise<void> | undefined } } {
  const map = new Map<string, string>();
  const log: string[] = [];
  const failNext = { value: false };
  const gate: { hold: Promise<void> | undefined } = { hold: undefined };
  return {
    map,
    log,
    failNext,
    gate,
    storage: {
      get: (k) => Promise.resolve(map.get(k)),
      set: async (k, v) => {
        log.push(`${k}=${v}`);
        if (gate.hold !== undefined) await gate.hold;
        if (failNext.value) {
          failNext.value = false;
          throw new Error('disk full');
        }
        map.set(k, v);
      },
      remove: (k) => Promise.resolve(void map.delete(k)),
    },
  };
}

describe('UserStore write slots', () => {
  it('the newest of values and text producers wins; each key is written once per interval', async () => {
    const clock = new FakeClock();
    const s = storage();
    const store = new UserStore(s.storage, 'app', 'me', SILENT_LOGGER, clock, WRITE_BEHIND_MS);
    let produced = 0;
    void store.writeJson('inbox', 1);
    void store.writeJsonText('inbox', () => {
      produced += 1;
      return '"text"';
    });
    void store.writeJson('sendbox', 5);
    const last = store.writeJson('inbox', { n: 3 });
    void store.writeJsonText('seen', () => '["a"]');
    await clock.advance(WRITE_BEHIND_MS);
    await last;
    expect(produced).toBe(0);
    expect(s.log.sort()).toEqual(['lx-inbox-app-me={"n":3}', 'lx-seen-app-me=["a"]', 'lx-sendbox-app-me=5']);
    expect(store.key('inbox')).toBe('lx-inbox-app-me');
  });

  it('a write issued while the previous one of the key is in flight is applied after it', async () => {
    const clock = new FakeClock();
    const s = storage();
    const store = new UserStore(s.storage, 'app', 'me', SILENT_LOGGER, clock, WRITE_BEHIND_MS);
    let release: () => void = () => undefined;
    s.gate.hold = new Promise((resolve) => (release = resolve));
    const first = store.writeJson('inbox', 1);
    await clock.advance(WRITE_BEHIND_MS);
    expect(s.log).toEqual(['lx-inbox-app-me=1']);
    // In flight: this value waits for the next write, not the one running.
    const second = store.writeJsonText('inbox', () => '2');
    const third = store.writeJson('inbox', 3);
    expect(third).toBe(second);
    s.gate.hold = undefined;
    release();
    await first;
    await clock.advance(WRITE_BEHIND_MS);
    await third;
    expect(s.log).toEqual(['lx-inbox-app-me=1', 'lx-inbox-app-me=3']);
    expect(s.map.get('lx-inbox-app-me')).toBe('3');
  });

  it('a failed write is logged, and the next write of the key still happens', async () => {
    const clock = new FakeClock();
    const s = storage();
    const warnings: string[] = [];
    const logger: Logger = { ...SILENT_LOGGER, warn: (message: string) => void warnings.push(message) };
    const store = new UserStore(s.storage, 'app', 'me', logger, clock, WRITE_BEHIND_MS);
    s.failNext.value = true;
    const failed = store.writeJson('unread', { a: 1 });
    await clock.advance(WRITE_BEHIND_MS);
    await expect(failed).resolves.toBeUndefined();
    expect(warnings).toEqual(['storage write failed: unread']);
    void store.writeJson('unread', { a: 2 });
    await store.flush();
    expect(s.map.get('lx-unread-app-me')).toBe('{"a":2}');
  });
});
