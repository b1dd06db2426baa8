/**
 * WeChat mini-program entry (`lianxin/wechat`): the public RongIMLib v2 API with a pre-wired
 * adapter over the global `wx`, resolved on first use. Apps that need their own adapter (tests, a
 * wrapped `wx`) call `createRongIMLib(createWechatAdapter(wx))`.
 */
import { lazyAdapter } from '../shared/lazy-adapter';
import { missingHost, preWire } from '../shared/pre-wired';
import { createWechatAdapter } from './wechat-adapter';
import type { WechatHost } from './wechat-host';

export * from '../../src/index';
export { createWechatAdapter } from './wechat-adapter';
export type { WechatHost } from './wechat-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const wx: WechatHost | undefined;

const wired = preWire(lazyAdapter(() => createWechatAdapter(typeof wx === 'undefined' ? missingHost('wechat', 'wx', 'a WeChat mini-program') : wx)));

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = wired.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = wired.UploadClient;
