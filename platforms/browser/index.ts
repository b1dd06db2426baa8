/**
 * Browser entry (`lianxin/browser`): the public RongIMLib v2 API with a pre-wired browser adapter
 * (the page's WebSocket, fetch/XHR, localStorage, online/visibility events). Drop-in for
 * `import * as RongIMLib from '@rongcloud/imlib-v2'`.
 */
import { preWire } from '../shared/pre-wired';
import { createBrowserAdapter } from './browser-adapter';

export * from '../../src/index';
export { createBrowserAdapter, DEFAULT_STORAGE_PREFIX } from './browser-adapter';
export type { BrowserAdapterOptions } from './browser-adapter';
export type { BrowserHost } from './browser-host';

const wired = preWire(createBrowserAdapter());

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = wired.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = wired.UploadClient;
