/**
 * Alipay mini-program entry (`lianxin/alipay`): the public RongIMLib v2 API with a pre-wired
 * adapter over the global `my` (SocketTask mode), resolved on first use. Apps on clients without
 * SocketTask, or without binary frames, call
 * `createRongIMLib(createAlipayAdapter(my, { socketMode: 'single' }))` / `{ binaryFrames: false }`.
 */
import { lazyAdapter } from '../shared/lazy-adapter';
import { missingHost, preWire } from '../shared/pre-wired';
import { createAlipayAdapter } from './alipay-adapter';
import type { AlipayHost } from './alipay-host';

export * from '../../src/index';
export { createAlipayAdapter } from './alipay-adapter';
export type { AlipayAdapterOptions } from './alipay-adapter';
export type { AlipayHost } from './alipay-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const my: AlipayHost | undefined;

const wired = preWire(lazyAdapter(() => createAlipayAdapter(typeof my === 'undefined' ? missingHost('alipay', 'my', 'an Alipay mini-program') : my)));

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = wired.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = wired.UploadClient;
