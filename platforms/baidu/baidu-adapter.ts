/**
 * PlatformAdapter for Baidu smart mini-programs: `createBaiduAdapter(swan)`. Same mapping as
 * WeChat (SocketTask with ArrayBuffer frames, `swan.request`, sync storage, app events), except
 * that `swan.request` sends strings only: byte request bodies are refused, and byte uploads go
 * through a temp file in the user file directory and `swan.uploadFile` (./baidu-host.ts).
 */
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { createMiniProgramAdapter, type MiniProgramAdapterOptions } from '../shared/mini-program-adapter';
import { tempFileUpload, wxStyleTempFiles } from '../shared/temp-file-upload';
import { wxStyleRequest, wxStyleSocket, wxStyleStore, wxStyleUpload } from '../shared/wx-style';
import { BAIDU_MAX_SOCKETS, type BaiduHost } from './baidu-host';

export function createBaiduAdapter(swan: BaiduHost, options: MiniProgramAdapterOptions = {}): PlatformAdapter {
  return createMiniProgramAdapter(
    {
      name: 'baidu',
      capabilities: { maxConcurrentSockets: BAIDU_MAX_SOCKETS, binaryFrames: true, binaryRequestBodies: false },
      socket: wxStyleSocket(swan),
      request: wxStyleRequest(swan, { rawDataType: 'string' }),
      uploadFile: wxStyleUpload(swan),
      viaBytes: tempFileUpload(wxStyleTempFiles(swan, 'baidu')),
      storage: wxStyleStore(swan),
      lifecycle: swan,
    },
    options,
  );
}
