/**
 * Browser entry (`lianxin/browser`): the public RongIMLib v2 API with a pre-wired browser adapter
 * (the page's WebSocket, fetch/XHR, localStorage, online/visibility events). Drop-in for
 * `import * as RongIMLib from '@rongcloud/imlib-v2'`.
 */
import { createRongIMLib, createUploadClient, LogLevel } from '../../src/index';
import { createBrowserAdapter } from './browser-adapter';

export * from '../../src/index';
export { createBrowserAdapter, DEFAULT_STORAGE_PREFIX } from './browser-adapter';
export type { BrowserAdapterOptions } from './browser-adapter';
export type { BrowserHost } from './browser-host';

const adapter = createBrowserAdapter();
const lib = createRongIMLib(adapter, {
  logStdout: (level, content) => {
    if (level >= LogLevel.ERROR) console.error(content);
    else if (level >= LogLevel.WARN) console.warn(content);
    else console.log(content);
  },
});

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = lib.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = createUploadClient(adapter, { navi: () => lib.RongIMClient.getInstance()?.getNavi() });
