/**
 * Baidu mini-program entry (`lianxin/baidu`): the public RongIMLib v2 API with a pre-wired
 * adapter over the global `swan`, resolved on first use. Apps that need their own adapter call
 * `createRongIMLib(createBaiduAdapter(swan))`.
 */
import { lazyAdapter } from '../shared/lazy-adapter';
import { missingHost, preWire } from '../shared/pre-wired';
import { createBaiduAdapter } from './baidu-adapter';
import type { BaiduHost } from './baidu-host';

export * from '../../src/index';
export { createBaiduAdapter } from './baidu-adapter';
export type { BaiduHost } from './baidu-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const swan: BaiduHost | undefined;

const wired = preWire(lazyAdapter(() => createBaiduAdapter(typeof swan === 'undefined' ? missingHost('baidu', 'swan', 'a Baidu mini-program') : swan)));

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = wired.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = wired.UploadClient;
