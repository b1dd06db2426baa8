/**
 * The slice of `wx` the WeChat adapter uses, typed structurally so the adapter (and the host
 * simulator in test/support/host-simulators/) compile without the WeChat globals. Follows the
 * WeChat mini-program API reference (developers.weixin.qq.com/miniprogram/dev/api/):
 * wx.connectSocket → SocketTask (base library ≥ 1.7.0, at most 5 open at once), wx.request →
 * RequestTask, wx.getStorageSync ('' for a missing key) / setStorageSync / removeStorageSync,
 * wx.onNetworkStatusChange / offNetworkStatusChange (≥ 2.9.3), wx.onAppShow / onAppHide and
 * their off* (≥ 2.1.2 / 2.9.3).
 *
 * wechat-typings.check.ts (tsconfig.wechat.json) proves `WechatMiniprogram.Wx` from
 * miniprogram-api-typings satisfies this interface, so the real `wx` is accepted as is.
 */
import type { HostSocketTask } from '../shared/task-socket';
import type { WxStyleConnectSocketOptions, WxStyleHost } from '../shared/wx-style';

export interface WechatHost extends WxStyleHost {
  /** Returns the SocketTask; failures (e.g. a sixth socket) arrive through `fail`. */
  connectSocket(options: WxStyleConnectSocketOptions): HostSocketTask;
}

/** At most 5 WebSockets may be open at once (base library ≥ 1.7.0). */
export const WECHAT_MAX_SOCKETS = 5;
