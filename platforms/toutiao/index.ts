/**
 * Douyin/Toutiao mini-program entry (`lianxin/toutiao`): the public RongIMLib v2 API with a pre-wired
 * adapter over the global `tt`, resolved on first use. Apps that need their own adapter call
 * `createRongIMLib(createToutiaoAdapter(tt))`.
 */
import { createRongIMLib, createUploadClient } from '../../src/index';
import { consoleLog } from '../shared/host-globals';
import { lazyAdapter } from '../shared/lazy-adapter';
import { createToutiaoAdapter } from './toutiao-adapter';
import type { ToutiaoHost } from './toutiao-host';

export * from '../../src/index';
export { createToutiaoAdapter } from './toutiao-adapter';
export type { ToutiaoHost } from './toutiao-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const tt: ToutiaoHost | undefined;

const adapter = lazyAdapter(() => {
  if (typeof tt === 'undefined') throw new Error('lianxin/toutiao: the global `tt` is missing (not a Douyin/Toutiao mini-program?)');
  return createToutiaoAdapter(tt);
});
const lib = createRongIMLib(adapter, { logStdout: consoleLog });

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = lib.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = createUploadClient(adapter, { navi: () => lib.RongIMClient.getInstance()?.getNavi() });
