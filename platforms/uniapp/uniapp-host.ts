/**
 * The slice of `uni` the uni-app adapter uses, typed structurally. Follows the uni-app API
 * reference (uniapp.dcloud.net.cn/api/): uni.connectSocket returns a SocketTask only when a
 * success/fail/complete callback is passed (a Promise otherwise; the adapter always passes
 * them), uni.request → RequestTask (same rule), uni.getStorageSync ('' for a missing key) /
 * setStorageSync / removeStorageSync, uni.onNetworkStatusChange / offNetworkStatusChange, and
 * uni.onAppShow / onAppHide / off* where the platform has them. One adapter covers App
 * (Android/iOS), H5 and the mini-program targets whose `uni` layer returns a SocketTask (mp-weixin;
 * not mp-alipay, whose layer opens Alipay's single global socket: use the Alipay entry there).
 *
 * uniapp-typings.check.ts (tsconfig.uniapp.json) proves `UniNamespace.Uni` from @dcloudio/types
 * satisfies this interface.
 */
import type { HostSocketTask } from '../shared/task-socket';
import type { WxStyleConnectSocketOptions, WxStyleHost } from '../shared/wx-style';

export interface UniappHost extends WxStyleHost {
  /** A SocketTask only because the options carry callbacks. */
  connectSocket(options: WxStyleConnectSocketOptions): HostSocketTask;
}

/** mp-weixin's limit (the strictest target a uni-app build may run on). */
export const UNIAPP_MAX_SOCKETS = 5;
