/**
 * Node entry (`lianxin/node`): the public RongIMLib v2 API with a pre-wired Node adapter, so
 * `import { RongIMClient } from 'lianxin/node'` works like the browser global. Apps that need
 * several independent clients (tests, bots) call `createRongIMLib(createNodeAdapter(...))`.
 */
import { createRongIMLib, createUploadClient, LogLevel } from '../../src/index';
import { createNodeAdapter } from './node-adapter';

export * from '../../src/index';
export { createNodeAdapter, noLifecycle, realClock } from './node-adapter';
export type { NodeAdapterOptions } from './node-adapter';

const adapter = createNodeAdapter();
const lib = createRongIMLib(adapter, {
  logStdout: (level, content) => {
    if (level >= LogLevel.ERROR) console.error(content);
    else if (level >= LogLevel.WARN) console.warn(content);
    else console.log(content);
  },
});

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = lib.RongIMClient;

/** RongCloud's upload plugin API over this host, uploading to the connected client's navi `uploadServer`. */
export const UploadClient = createUploadClient(adapter, { navi: () => lib.RongIMClient.getInstance()?.getNavi() });
