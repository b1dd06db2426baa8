/**
 * A PlatformAdapter for facade tests that never connect: sockets and HTTP fail loudly if touched,
 * storage is in memory, time is a FakeClock. A host-boundary fake, not a mock of our code.
 */
import type { PlatformAdapter } from '../../../src/platform/platform-adapter';
import { FakeClock } from '../../support/fake-clock';

export function idlePlatform(clock = new FakeClock()): PlatformAdapter {
  const map = new Map<string, string>();
  const noop = (): (() => void) => () => undefined;
  return {
    name: 'test',
    capabilities: { maxConcurrentSockets: 1, binaryFrames: true },
    openSocket: () => {
      throw new Error('this test must not open sockets');
    },
    request: () => {
      throw new Error('this test must not make HTTP requests');
    },
    storage: {
      get: (k) => Promise.resolve(map.get(k)),
      set: (k, v) => Promise.resolve(void map.set(k, v)),
      remove: (k) => Promise.resolve(void map.delete(k)),
    },
    clock,
    lifecycle: { onNetworkChange: noop, onForeground: noop, onBackground: noop },
  };
}
