/**
 * PlatformAdapter for Baidu smart mini-programs: `createBaiduAdapter(swan)`. Same mapping as
 * WeChat (SocketTask with ArrayBuffer frames, `swan.request`, sync storage, app events).
 */
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { createWxStyleAdapter, type MiniProgramAdapterOptions } from '../shared/mini-program-adapter';
import { BAIDU_MAX_SOCKETS, type BaiduHost } from './baidu-host';

export function createBaiduAdapter(swan: BaiduHost, options: MiniProgramAdapterOptions = {}): PlatformAdapter {
  return createWxStyleAdapter(swan, 'baidu', BAIDU_MAX_SOCKETS, 'string', options);
}
