/**
 * Node entry (`lianxin/node`): the public RongIMLib v2 API with a pre-wired Node adapter, so
 * `import { RongIMClient } from 'lianxin/node'` works like the browser global. Apps that need
 * several independent clients (tests, bots) call `createRongIMLib(createNodeAdapter(...))`.
 */
import { preWire } from '../shared/pre-wired';
import { createNodeAdapter } from './node-adapter';

export * from '../../src/index';
export { createNodeAdapter, noLifecycle, realClock } from './node-adapter';
export type { NodeAdapterOptions } from './node-adapter';

const wired = preWire(createNodeAdapter());

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = wired.RongIMClient;

/** RongCloud's upload plugin API over this host, uploading to the connected client's navi `uploadServer`. */
export const UploadClient = wired.UploadClient;
