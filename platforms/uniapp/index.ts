/**
 * uni-app entry (`lianxin/uniapp`): the public RongIMLib v2 API with a pre-wired adapter over
 * the global `uni` (App, H5 and mini-program targets), resolved on first use. Apps that need
 * their own adapter call `createRongIMLib(createUniappAdapter(uni))`.
 */
import { lazyAdapter } from '../shared/lazy-adapter';
import { missingHost, preWire } from '../shared/pre-wired';
import { createUniappAdapter } from './uniapp-adapter';
import type { UniappHost } from './uniapp-host';

export * from '../../src/index';
export { createUniappAdapter } from './uniapp-adapter';
export type { UniappAdapterOptions } from './uniapp-adapter';
export type { UniappHost } from './uniapp-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const uni: UniappHost | undefined;

/**
 * The host as literal `uni.<name>` member calls, not the bare `uni` object: uni-app's H5 build keeps
 * only the APIs that app code names literally (tree shaking), so passing `uni` whole would hand the
 * adapter an object without them. Optional hooks stay absent when the target lacks them.
 */
function uniHost(): UniappHost {
  // `uni` is the host global (checked by the caller); never a parameter, so no bundler can rename it.
  const host = uni as UniappHost;
  const optional = <K extends keyof UniappHost>(present: boolean, name: K, member: NonNullable<UniappHost[K]>): Partial<UniappHost> =>
    (present ? { [name]: member } : {});
  return {
    connectSocket: (options) => uni!.connectSocket(options),
    request: (options) => uni!.request(options),
    getStorageSync: (key) => uni!.getStorageSync(key),
    setStorageSync: (key, data) => uni!.setStorageSync(key, data),
    removeStorageSync: (key) => uni!.removeStorageSync(key),
    ...optional(typeof host.uploadFile === 'function', 'uploadFile', (options) => uni!.uploadFile!(options)),
    ...optional(typeof host.onNetworkStatusChange === 'function', 'onNetworkStatusChange', (listener) => uni!.onNetworkStatusChange!(listener)),
    ...optional(typeof host.offNetworkStatusChange === 'function', 'offNetworkStatusChange', (listener) => uni!.offNetworkStatusChange!(listener)),
    ...optional(typeof host.onAppShow === 'function', 'onAppShow', (listener) => uni!.onAppShow!(listener)),
    ...optional(typeof host.offAppShow === 'function', 'offAppShow', (listener) => uni!.offAppShow!(listener)),
    ...optional(typeof host.onAppHide === 'function', 'onAppHide', (listener) => uni!.onAppHide!(listener)),
    ...optional(typeof host.offAppHide === 'function', 'offAppHide', (listener) => uni!.offAppHide!(listener)),
  };
}

const wired = preWire(lazyAdapter(() => createUniappAdapter(typeof uni === 'undefined' ? missingHost('uniapp', 'uni', 'a uni-app build') : uniHost())));

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = wired.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = wired.UploadClient;
