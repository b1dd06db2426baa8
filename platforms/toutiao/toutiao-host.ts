/**
 * The slice of `tt` (Douyin / Toutiao mini-programs) the adapter uses, typed structurally.
 * Follows the Douyin open-platform mini-app API reference (developer.open-douyin.com, "JS API 列表"):
 * tt.connectSocket → SocketTask (at most 5 WebSockets at once; a new one does not close the old),
 * tt.request → RequestTask (`statusCode`, `header`, `dataType` 'json' | 'string', `responseType`
 * 'text' | 'arraybuffer', `timeout` ≤ 60 000 ms), tt.getStorageSync ('' for a missing key) /
 * setStorageSync / removeStorageSync, tt.onNetworkStatusChange, tt.onAppShow / onAppHide and off*.
 *
 * The published typings are `@douyin-microapp/typings`; once they are a devDependency, a
 * toutiao-typings.check.ts like the WeChat one can prove they satisfy this interface.
 */
import type { HostSocketTask } from '../shared/task-socket';
import type { WxStyleConnectSocketOptions, WxStyleHost } from '../shared/wx-style';

export interface ToutiaoHost extends WxStyleHost {
  /** Call the task's methods only after `success` (the docs warn they may fail before). */
  connectSocket(options: WxStyleConnectSocketOptions): HostSocketTask;
}

export const TOUTIAO_MAX_SOCKETS = 5;
