/**
 * WeChat mini-program entry (`lianxin/wechat`): the public RongIMLib v2 API with a pre-wired
 * adapter over the global `wx`, resolved on first use. Apps that need their own adapter (tests, a
 * wrapped `wx`) call `createRongIMLib(createWechatAdapter(wx))`.
 */
import { createRongIMLib, createUploadClient } from '../../src/index';
import { consoleLog } from '../shared/host-globals';
import { lazyAdapter } from '../shared/lazy-adapter';
import { createWechatAdapter } from './wechat-adapter';
import type { WechatHost } from './wechat-host';

export * from '../../src/index';
export { createWechatAdapter } from './wechat-adapter';
export type { WechatHost } from './wechat-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const wx: WechatHost | undefined;

const adapter = lazyAdapter(() => {
  if (typeof wx === 'undefined') throw new Error('lianxin/wechat: the global `wx` is missing (not a WeChat mini-program?)');
  return createWechatAdapter(wx);
});
const lib = createRongIMLib(adapter, { logStdout: consoleLog });

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = lib.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = createUploadClient(adapter, { navi: () => lib.RongIMClient.getInstance()?.getNavi() });
