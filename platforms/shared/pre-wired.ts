/**
 * What every pre-wired entry (`lianxin`, `lianxin/wechat`, …) exports besides the API: the
 * singleton client over the entry's adapter and the upload plugin bound to that client's navi.
 */
import { createRongIMLib, type RongIMClientStatic } from '../../src/api/rong-im-client';
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { createUploadClient, type UploadClient } from '../../src/upload/upload-client';
import { consoleLog } from './host-globals';

export interface PreWired {
  readonly RongIMClient: RongIMClientStatic;
  readonly UploadClient: UploadClient;
}

export function preWire(adapter: PlatformAdapter): PreWired {
  const lib = createRongIMLib(adapter, { logStdout: consoleLog });
  return {
    RongIMClient: lib.RongIMClient,
    UploadClient: createUploadClient(adapter, { navi: () => lib.RongIMClient.getInstance()?.getNavi() }),
  };
}

/** The error of an entry loaded where its host global is absent (thrown on first use, not at load). */
export function missingHost(entry: string, global: string, host: string): never {
  throw new Error(`lianxin/${entry}: the global \`${global}\` is missing (not ${host}?)`);
}
