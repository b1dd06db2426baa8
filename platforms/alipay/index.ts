/**
 * Alipay mini-program entry (`lianxin/alipay`): the public RongIMLib v2 API with a pre-wired
 * adapter over the global `my` (SocketTask mode), resolved on first use. Apps on clients without
 * SocketTask, or without binary frames, call
 * `createRongIMLib(createAlipayAdapter(my, { socketMode: 'single' }))` / `{ binaryFrames: false }`.
 */
import { createRongIMLib, createUploadClient } from '../../src/index';
import { consoleLog } from '../shared/host-globals';
import { lazyAdapter } from '../shared/lazy-adapter';
import { createAlipayAdapter } from './alipay-adapter';
import type { AlipayHost } from './alipay-host';

export * from '../../src/index';
export { createAlipayAdapter } from './alipay-adapter';
export type { AlipayAdapterOptions } from './alipay-adapter';
export type { AlipayHost } from './alipay-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const my: AlipayHost | undefined;

const adapter = lazyAdapter(() => {
  if (typeof my === 'undefined') throw new Error('lianxin/alipay: the global `my` is missing (not an Alipay mini-program?)');
  return createAlipayAdapter(my);
});
const lib = createRongIMLib(adapter, { logStdout: consoleLog });

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = lib.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = createUploadClient(adapter, { navi: () => lib.RongIMClient.getInstance()?.getNavi() });
