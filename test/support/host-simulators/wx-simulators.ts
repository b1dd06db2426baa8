/**
 * `wx` (WeChat), `tt` (Douyin/Toutiao), `swan` (Baidu) and `uni` (uni-app App and H5) simulators:
 * the wx API family over a SimulatedDevice, each with its host's documented differences.
 *   wx   at most 5 sockets; failures `{ errMsg, errno }`
 *   tt   at most 5 sockets; failures `{ errMsg, errNo }`
 *   swan several sockets (5 kept); failures `{ errMsg, errCode }`; request `data` other than
 *        Object/String is sent as String(data); local user files under `bdfile://usr`
 *   uni  a SocketTask/RequestTask only when a callback is passed (a Promise otherwise);
 *        'h5' hands response headers over lower-cased, as the browser's XHR does
 *
 * The simulator checks arguments at run time (recorded in `device.misuse`), so it is built
 * loosely typed and handed out as the host's declared type, the way the real global arrives.
 */
import type { BaiduHost } from '../../../platforms/baidu/baidu-host';
import type { ToutiaoHost } from '../../../platforms/toutiao/toutiao-host';
import type { UniappHost } from '../../../platforms/uniapp/uniapp-host';
import type { WechatHost } from '../../../platforms/wechat/wechat-host';
import { SimulatedDevice, type DeviceOptions } from './simulated-device';
import { createWxFamilyHost, type WxFamilyHost } from './wx-family-host';

export interface Simulated<Host> {
  readonly host: Host;
  readonly raw: WxFamilyHost;
  readonly device: SimulatedDevice;
}

function asHost<Host>(raw: WxFamilyHost): Host {
  return raw as unknown as Host;
}

export function createWxSimulator(options: DeviceOptions = {}, device = new SimulatedDevice(options)): Simulated<WechatHost> {
  const raw = createWxFamilyHost(device, {
    api: 'wx',
    maxSockets: 5,
    failExtra: (why) => ({ errno: /timeout/.test(why) ? 5 : 600001 }),
    promiseWithoutCallbacks: false,
    lowerCaseResponseHeaders: false,
  });
  return { host: asHost<WechatHost>(raw), raw, device };
}

export function createTtSimulator(options: DeviceOptions = {}, device = new SimulatedDevice(options)): Simulated<ToutiaoHost> {
  const raw = createWxFamilyHost(device, {
    api: 'tt',
    maxSockets: 5,
    failExtra: (why) => ({ errNo: /timeout/.test(why) ? 21101 : 21100 }),
    promiseWithoutCallbacks: false,
    lowerCaseResponseHeaders: false,
  });
  return { host: asHost<ToutiaoHost>(raw), raw, device };
}

export function createSwanSimulator(options: DeviceOptions = {}, device = new SimulatedDevice(options)): Simulated<BaiduHost> {
  const raw = createWxFamilyHost(device, {
    api: 'swan',
    maxSockets: 5,
    failExtra: () => ({ errCode: 1001 }),
    promiseWithoutCallbacks: false,
    lowerCaseResponseHeaders: false,
    stringBodiesOnly: true,
    userDataPath: 'bdfile://usr',
  });
  return { host: asHost<BaiduHost>(raw), raw, device };
}

export type UniPlatform = 'app' | 'h5';

export function createUniSimulator(platform: UniPlatform, options: DeviceOptions = {}, device = new SimulatedDevice(options)): Simulated<UniappHost> {
  const raw = createWxFamilyHost(device, {
    api: 'uni',
    maxSockets: 5,
    failExtra: () => ({}),
    promiseWithoutCallbacks: true,
    lowerCaseResponseHeaders: platform === 'h5',
  });
  return { host: asHost<UniappHost>(raw), raw, device };
}
