/**
 * `wx` (WeChat), `tt` (Douyin/Toutiao), `swan` (Baidu) and `uni` (uni-app App and H5) simulators:
 * the wx API family over a SimulatedDevice, each with its host's documented differences.
 *   wx   at most 5 sockets; failures `{ errMsg, errno }`; storage 1 MB per key, 10 MB in total
 *        (miniprogram-api-typings lib.wx.api.d.ts setStorageSync)
 *   tt   at most 5 sockets; failures `{ errMsg, errNo }`; storage 1 MB per key, 10 MB in total
 *        (@douyin-microapp/typings api/storage.d.ts setStorage: "单个 key 数据最大 1M，总体容量最大 10M")
 *   swan several sockets (5 kept); failures `{ errMsg, errCode }`; request `data` other than
 *        Object/String is sent as String(data); local user files under `bdfile://usr`; storage
 *        10 MB in total, no per-key limit stated (smartprogram.baidu.com storage guide, 数据缓存流程:
 *        "同一个用户，同一个小程序 storage 上限为 10MB"; no typings package here)
 *   uni  a SocketTask/RequestTask only when a callback is passed (a Promise otherwise);
 *        'h5' hands response headers over lower-cased, as the browser's XHR does; storage: uni's
 *        uni.setStorage docs give App no limit (plus.storage) and H5 the browser's localStorage,
 *        5 MB in total (kept as 5 MB of keys and JSON values); no per-key limit on either
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

const MB = 1024 * 1024;

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
    storage: { maxItemBytes: MB, maxTotalBytes: 10 * MB },
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
    storage: { maxItemBytes: MB, maxTotalBytes: 10 * MB },
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
    storage: { maxTotalBytes: 10 * MB },
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
    storage: platform === 'h5' ? { maxTotalBytes: 5 * MB } : {},
  });
  return { host: asHost<UniappHost>(raw), raw, device };
}
