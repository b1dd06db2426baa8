/**
 * PlatformAdapter for Douyin/Toutiao mini-programs: `createToutiaoAdapter(tt)`. Same mapping as
 * WeChat (SocketTask with ArrayBuffer frames, `tt.request`, sync storage, app events); `tt.request`
 * documents `dataType: 'string'` for an unparsed body.
 */
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { createWxStyleAdapter, type MiniProgramAdapterOptions } from '../shared/mini-program-adapter';
import { TOUTIAO_MAX_SOCKETS, type ToutiaoHost } from './toutiao-host';

export function createToutiaoAdapter(tt: ToutiaoHost, options: MiniProgramAdapterOptions = {}): PlatformAdapter {
  return createWxStyleAdapter(tt, 'toutiao', TOUTIAO_MAX_SOCKETS, 'string', options);
}
