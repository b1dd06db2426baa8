/**
 * Douyin/Toutiao mini-program entry (`lianxin/toutiao`): the public RongIMLib v2 API with a pre-wired
 * adapter over the global `tt`, resolved on first use. Apps that need their own adapter call
 * `createRongIMLib(createToutiaoAdapter(tt))`.
 */
import { lazyAdapter } from '../shared/lazy-adapter';
import { missingHost, preWire } from '../shared/pre-wired';
import { createToutiaoAdapter } from './toutiao-adapter';
import type { ToutiaoHost } from './toutiao-host';

export * from '../../src/index';
export { createToutiaoAdapter } from './toutiao-adapter';
export type { ToutiaoHost } from './toutiao-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const tt: ToutiaoHost | undefined;

const wired = preWire(lazyAdapter(() => createToutiaoAdapter(typeof tt === 'undefined' ? missingHost('toutiao', 'tt', 'a Douyin/Toutiao mini-program') : tt)));

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = wired.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = wired.UploadClient;
