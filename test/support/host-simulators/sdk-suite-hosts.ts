/**
 * Runs the SDK e2e suite (test/e2e/sdk-api.test.ts, imported unchanged by test/e2e/hosts-*.test.ts)
 * on one simulated host: every SdkUser gets its own simulated phone, except that users created
 * with the same `storage` share one (a reload on the same device keeps the host's storage). After
 * each test no adapter may have called the host outside its documented signatures, nor hit a host
 * limit; at the end the suite must have run over the expected transport (comet hosts open no socket).
 */
import type { KeyValueStorage } from '../../../src/platform/platform-adapter';
import { useSdkAdapter } from '../../e2e/sdk-api-support';
import { SimulatedDevice, simulatedAdapter, type SimulatedHostId } from './index';

export function runSdkSuiteOn(id: SimulatedHostId, transport: 'websocket' | 'comet' = 'websocket'): void {
  const devices: SimulatedDevice[] = [];
  const byStorage = new WeakMap<KeyValueStorage, SimulatedDevice>();
  useSdkAdapter(({ storage }) => {
    let device = storage === undefined ? undefined : byStorage.get(storage);
    if (device === undefined) {
      device = new SimulatedDevice();
      devices.push(device);
      if (storage !== undefined) byStorage.set(storage, device);
    }
    return simulatedAdapter(id, device);
  });
  afterEach(() => {
    expect(devices.flatMap((d) => d.misuse)).toEqual([]);
    expect(devices.flatMap((d) => d.connectFailures)).toEqual([]);
  });
  afterAll(() => {
    for (const device of devices) device.shutdown();
    const opened = devices.reduce((n, d) => n + d.socketsOpened, 0);
    if (transport === 'comet') expect(opened).toBe(0);
    else expect(opened).toBeGreaterThanOrEqual(devices.length);
  });
}
