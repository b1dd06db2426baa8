import {
  loadPreference,
  preferenceKey,
  PREFERENCE_TTL_MS,
  rememberOutcome,
  transportOrder,
} from '../../../src/transport/transport-selector';
import type { KeyValueStorage } from '../../../src/platform/platform-adapter';

function memory(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get: async (k) => map.get(k),
    set: async (k, v) => {
      map.set(k, v);
    },
    remove: async (k) => {
      map.delete(k);
    },
  };
}

describe('transportOrder', () => {
  const now = 1_000_000;
  it('WebSocket first with comet fallback by default and for "websocket"', () => {
    expect(transportOrder(undefined, undefined, now)).toEqual(['websocket', 'comet']);
    expect(transportOrder('websocket', undefined, now)).toEqual(['websocket', 'comet']);
  });
  it('"comet" is comet only', () => {
    expect(transportOrder('comet', { kind: 'websocket', expiresAt: now + 1 }, now)).toEqual(['comet']);
  });
  it('a live comet preference puts comet first; an expired one is re-probed', () => {
    expect(transportOrder(undefined, { kind: 'comet', expiresAt: now + 1 }, now)).toEqual(['comet', 'websocket']);
    expect(transportOrder(undefined, { kind: 'comet', expiresAt: now }, now)).toEqual(['websocket', 'comet']);
  });
});

describe('remembered preference', () => {
  it('stores comet after a fallback, with a TTL, and forgets it after a WebSocket success', async () => {
    const storage = memory();
    await rememberOutcome(storage, 'k', ['websocket', 'comet'], 'comet', 5_000);
    expect(await loadPreference(storage, 'k')).toEqual({ kind: 'comet', expiresAt: 5_000 + PREFERENCE_TTL_MS });
    await rememberOutcome(storage, 'k', ['comet', 'websocket'], 'comet', 6_000);
    expect((await loadPreference(storage, 'k'))?.expiresAt).toBe(5_000 + PREFERENCE_TTL_MS);
    await rememberOutcome(storage, 'k', ['comet', 'websocket'], 'websocket', 7_000);
    expect(await loadPreference(storage, 'k')).toBeUndefined();
  });

  it('comet-only mode stores nothing; garbage and failing storage read as no preference', async () => {
    const storage = memory();
    await rememberOutcome(storage, 'k', ['comet'], 'comet', 1);
    expect(storage.map.size).toBe(0);
    storage.map.set(preferenceKey('k'), '{not json');
    expect(await loadPreference(storage, 'k')).toBeUndefined();
    storage.map.set(preferenceKey('k'), '{"kind":"pigeon","expiresAt":1}');
    expect(await loadPreference(storage, 'k')).toBeUndefined();
    const broken: KeyValueStorage = {
      get: () => Promise.reject(new Error('quota')),
      set: () => Promise.reject(new Error('quota')),
      remove: () => Promise.reject(new Error('quota')),
    };
    expect(await loadPreference(broken, 'k')).toBeUndefined();
    await expect(rememberOutcome(broken, 'k', ['websocket', 'comet'], 'comet', 1)).resolves.toBeUndefined();
  });
});
