/**
 * The slice of `swan` (Baidu smart mini-programs) the adapter uses, typed structurally; Baidu
 * publishes no TypeScript typings on npm. Follows the Baidu smart-program API reference
 * (smartprogram.baidu.com/docs/develop/api/): swan.connectSocket → SocketTask (several sockets
 * since base library 1.9.4; failures carry `errCode`/`errMsg`), swan.request → RequestTask
 * (`statusCode`, `header`, `dataType` 'json' | 'string', `responseType` 'text' | 'arraybuffer'),
 * swan.getStorageSync ('' for a missing key) / setStorageSync / removeStorageSync,
 * swan.onNetworkStatusChange, swan.onAppShow / onAppHide (and off* where the base library has them).
 *
 * swan.request documents `data` as Object/String only and sends anything else converted to String,
 * so bytes are never POSTed through it: byte uploads are written to a "local user file"
 * (swan.env.USER_DATA_PATH, swan.getFileSystemManager(); base library ≥ 3.130.1) and sent with
 * swan.uploadFile.
 */
import type { HostSocketTask } from '../shared/task-socket';
import type { WxStyleUserFiles } from '../shared/temp-file-upload';
import type { WxStyleConnectSocketOptions, WxStyleHost } from '../shared/wx-style';

export interface BaiduHost extends WxStyleHost, WxStyleUserFiles {
  /** Returns a new SocketTask per call (base library ≥ 1.9.4). */
  connectSocket(options: WxStyleConnectSocketOptions): HostSocketTask;
}

/** Baidu documents no number; the WeChat/Douyin limit is kept so a reconnect never piles up sockets. */
export const BAIDU_MAX_SOCKETS = 5;
