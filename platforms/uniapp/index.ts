/**
 * uni-app entry (`lianxin/uniapp`): the public RongIMLib v2 API with a pre-wired adapter over
 * the global `uni` (App, H5 and mini-program targets), resolved on first use. Apps that need
 * their own adapter call `createRongIMLib(createUniappAdapter(uni))`.
 */
import { createRongIMLib, createUploadClient } from '../../src/index';
import { consoleLog } from '../shared/host-globals';
import { lazyAdapter } from '../shared/lazy-adapter';
import { createUniappAdapter } from './uniapp-adapter';
import type { UniappHost } from './uniapp-host';

export * from '../../src/index';
export { createUniappAdapter } from './uniapp-adapter';
export type { UniappAdapterOptions } from './uniapp-adapter';
export type { UniappHost } from './uniapp-host';
export { DEFAULT_STORAGE_PREFIX } from '../shared/mini-program-adapter';
export type { MiniProgramAdapterOptions } from '../shared/mini-program-adapter';

declare const uni: UniappHost | undefined;

const adapter = lazyAdapter(() => {
  if (typeof uni === 'undefined') throw new Error('lianxin/uniapp: the global `uni` is missing (not a uni-app build?)');
  return createUniappAdapter(uni);
});
const lib = createRongIMLib(adapter, { logStdout: consoleLog });

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = lib.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = createUploadClient(adapter, { navi: () => lib.RongIMClient.getInstance()?.getNavi() });
