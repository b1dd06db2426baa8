/**
 * Every simulated host the tests run the SDK on, by id: one PlatformAdapter factory per host
 * variant, each on a SimulatedDevice (one phone). Adapter contract tests, the SDK e2e suite and
 * the lifecycle e2e tests all take their hosts from here.
 */
import type { PlatformAdapter } from '../../../src/platform/platform-adapter';
import { createAlipayAdapter } from '../../../platforms/alipay/alipay-adapter';
import { createBaiduAdapter } from '../../../platforms/baidu/baidu-adapter';
import { createToutiaoAdapter } from '../../../platforms/toutiao/toutiao-adapter';
import { createUniappAdapter } from '../../../platforms/uniapp/uniapp-adapter';
import { createWechatAdapter } from '../../../platforms/wechat/wechat-adapter';
import { createMySimulator } from './my-simulator';
import { SimulatedDevice, type DeviceOptions } from './simulated-device';
import { createSwanSimulator, createTtSimulator, createUniSimulator, createWxSimulator } from './wx-simulators';

export { SimulatedDevice } from './simulated-device';
export type { DeviceOptions } from './simulated-device';
export { createMySimulator } from './my-simulator';
export { createSwanSimulator, createTtSimulator, createUniSimulator, createWxSimulator } from './wx-simulators';

/**
 * A host object whose network calls (request, connectSocket, uploadFile, downloadFile) record their URL in `urls`
 * and then go to `raw`'s: for checks that an app reaches no host but the configured one.
 */
export function spyUrls(raw: object): { wx: Record<string, unknown>; urls: string[] } {
  const urls: string[] = [];
  const wx: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const name of ['request', 'connectSocket', 'uploadFile', 'downloadFile']) {
    const original = (raw as Record<string, unknown>)[name];
    if (typeof original !== 'function') continue;
    wx[name] = (o: { url?: string }) => {
      urls.push(String(o?.url));
      return (original as (o: unknown) => unknown).call(raw, o);
    };
  }
  return { wx, urls };
}

export const SIMULATED_HOST_IDS = [
  'wechat',
  'toutiao',
  'baidu',
  'alipay',
  'alipay-single',
  'alipay-comet',
  'uniapp-app',
  'uniapp-h5',
] as const;
export type SimulatedHostId = (typeof SIMULATED_HOST_IDS)[number];

/** The adapter of host `id` over `device`'s simulator. */
export function simulatedAdapter(id: SimulatedHostId, device: SimulatedDevice): PlatformAdapter {
  switch (id) {
    case 'wechat':
      return createWechatAdapter(createWxSimulator({}, device).host);
    case 'toutiao':
      return createToutiaoAdapter(createTtSimulator({}, device).host);
    case 'baidu':
      return createBaiduAdapter(createSwanSimulator({}, device).host);
    case 'alipay':
      return createAlipayAdapter(createMySimulator({}, device).host);
    case 'alipay-single':
      return createAlipayAdapter(createMySimulator({}, device).host, { socketMode: 'single' });
    case 'alipay-comet':
      return createAlipayAdapter(createMySimulator({ binaryFrames: false }, device).host, { binaryFrames: false });
    case 'uniapp-app':
      return createUniappAdapter(createUniSimulator('app', {}, device).host);
    case 'uniapp-h5':
      return createUniappAdapter(createUniSimulator('h5', {}, device).host);
  }
}

export function simulatedHost(id: SimulatedHostId, options: DeviceOptions = {}): { adapter: PlatformAdapter; device: SimulatedDevice } {
  const device = new SimulatedDevice(options);
  return { adapter: simulatedAdapter(id, device), device };
}
