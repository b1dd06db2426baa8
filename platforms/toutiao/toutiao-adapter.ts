/**
 * PlatformAdapter for Douyin/Toutiao mini-programs: `createToutiaoAdapter(tt)`. Same mapping as
 * WeChat (SocketTask with ArrayBuffer frames, `tt.request`, sync storage, app events); `tt.request`
 * documents `dataType: 'string'` for an unparsed body.
 */
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { createMiniProgramAdapter, type MiniProgramAdapterOptions } from '../shared/mini-program-adapter';
import { wxStyleRequest, wxStyleSocket, wxStyleStore, wxStyleUpload } from '../shared/wx-style';
import { TOUTIAO_MAX_SOCKETS, type ToutiaoHost } from './toutiao-host';

export function createToutiaoAdapter(tt: ToutiaoHost, options: MiniProgramAdapterOptions = {}): PlatformAdapter {
  return createMiniProgramAdapter(
    {
      name: 'toutiao',
      capabilities: { maxConcurrentSockets: TOUTIAO_MAX_SOCKETS, binaryFrames: true },
      socket: wxStyleSocket(tt),
      request: wxStyleRequest(tt, { rawDataType: 'string' }),
      uploadFile: wxStyleUpload(tt),
      storage: wxStyleStore(tt),
      lifecycle: tt,
    },
    options,
  );
}
