/**
 * PlatformAdapter for uni-app (App, H5 and mini-program targets): `createUniappAdapter(uni)`.
 * Same mapping as WeChat. `binaryFrames: false` is for App runtimes whose sockets cannot carry
 * ArrayBuffer frames (old HBuilderX builds): the SDK then connects over comet.
 */
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { createWxStyleAdapter, type MiniProgramAdapterOptions } from '../shared/mini-program-adapter';
import { UNIAPP_MAX_SOCKETS, type UniappHost } from './uniapp-host';

export interface UniappAdapterOptions extends MiniProgramAdapterOptions {
  /** Whether `uni.connectSocket` carries ArrayBuffer frames (default true). */
  readonly binaryFrames?: boolean;
}

export function createUniappAdapter(uni: UniappHost, options: UniappAdapterOptions = {}): PlatformAdapter {
  // Any `dataType` but 'json' leaves the body as the server sent it (uni documents 'json' only).
  return createWxStyleAdapter(uni, 'uniapp', UNIAPP_MAX_SOCKETS, 'text', options, options.binaryFrames ?? true);
}
