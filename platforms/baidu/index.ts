/**
 * Baidu mini-program entry (`lianxin/baidu`): the public RongIMLib v2 API with a pre-wired
 * adapter over the global `swan`, resolved on first use. Apps that need their own adapter call
 * `createRongIMLib(createBaiduAdapter(swan))`.
 */
import { createRongIMLib, createUploadClient } from '../../src/index';
import { consoleLog } from '../shared/host-globals';
import { lazyAdapter } from '../shared/lazy-adapter';
import { createBaiduAdapter } from './baidu-adapter';
import type { BaiduHost } from './baidu-host';

export * from '../../src/index';
export { createBaiduAdapter } from './baidu-adapter';
export type { BaiduHost } from './baidu-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const swan: BaiduHost | undefined;

const adapter = lazyAdapter(() => {
  if (typeof swan === 'undefined') throw new Error('lianxin/baidu: the global `swan` is missing (not a Baidu mini-program?)');
  return createBaiduAdapter(swan);
});
const lib = createRongIMLib(adapter, { logStdout: consoleLog });

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = lib.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = createUploadClient(adapter, { navi: () => lib.RongIMClient.getInstance()?.getNavi() });
