/**
 * PlatformAdapter for WeChat mini-programs: `createWechatAdapter(wx)`. Sockets are SocketTasks with
 * ArrayBuffer frames (at most 5 at once), HTTP is `wx.request` (`dataType: '其他'` keeps bodies
 * unparsed), storage is the sync key/value store, lifecycle is network-status and app show/hide.
 */
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { createWxStyleAdapter, type MiniProgramAdapterOptions } from '../shared/mini-program-adapter';
import { WECHAT_MAX_SOCKETS, type WechatHost } from './wechat-host';

/** wx documents `'json'` and "other" (`其他`): any value but `'json'` disables JSON parsing. */
const RAW_DATA_TYPE = '其他';

export function createWechatAdapter(wx: WechatHost, options: MiniProgramAdapterOptions = {}): PlatformAdapter {
  return createWxStyleAdapter(wx, 'wechat', WECHAT_MAX_SOCKETS, RAW_DATA_TYPE, options);
}
