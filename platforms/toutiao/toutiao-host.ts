/**
 * The slice of `tt` (Douyin / Toutiao mini-programs) the adapter uses, typed structurally.
 * Follows the Douyin open-platform mini-app API reference (developer.open-douyin.com, "JS API 列表"):
 * tt.connectSocket → SocketTask (at most 5 WebSockets at once; a new one does not close the old),
 * tt.request → RequestTask (`statusCode`, `header`, `dataType` 'json' | 'string', `responseType`
 * 'text' | 'arraybuffer', `timeout` ≤ 60 000 ms), tt.getStorageSync ('' for a missing key) /
 * setStorageSync / removeStorageSync, tt.onNetworkStatusChange, tt.onAppShow / onAppHide and off*.
 *
 * Kept structural (not `Pick<typeof tt, …>`) so dist/toutiao.d.ts needs no typings package.
 * toutiao-typings.check.ts (tsconfig.toutiao.json) proves the published typings,
 * `@douyin-microapp/typings`, satisfy it apart from the members it narrows — each with its reason.
 */
import type { HostSocketTask } from '../shared/task-socket';
import type { WxStyleConnectSocketOptions, WxStyleHost } from '../shared/wx-style';

export interface ToutiaoHost extends WxStyleHost {
  /** Call the task's methods only after `success` (the docs warn they may fail before). */
  connectSocket(options: WxStyleConnectSocketOptions): HostSocketTask;
}

export const TOUTIAO_MAX_SOCKETS = 5;
