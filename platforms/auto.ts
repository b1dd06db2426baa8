/**
 * The default entry (`lianxin`, the UMD global `RongIMLib`, the mini-program bundle): the ONE place
 * that sniffs the host. Detection is deferred to the first use of the adapter, so loading the bundle
 * touches no host global (a mini-program or a worker may load it before any API exists), and every
 * probe is a `typeof` check.
 *
 * Order: uni-app first (its `uni` also exists on its mini-program targets, next to `wx`/`my`, and
 * covers App and H5), then the mini-program hosts, then browsers (any host with a standard
 * WebSocket + fetch/XHR, or a page with fetch/XHR and no WebSocket, which connects over comet). Each host has its own entry too (`lianxin/wechat`, …); Node.js apps import
 * `lianxin/node`.
 */
import type { PlatformAdapter } from '../src/platform/platform-adapter';
import { createAlipayAdapter } from './alipay/alipay-adapter';
import type { AlipayHost } from './alipay/alipay-host';
import { createBaiduAdapter } from './baidu/baidu-adapter';
import type { BaiduHost } from './baidu/baidu-host';
import { createBrowserAdapter } from './browser/browser-adapter';
import { lazyAdapter } from './shared/lazy-adapter';
import { preWire } from './shared/pre-wired';
import { createToutiaoAdapter } from './toutiao/toutiao-adapter';
import type { ToutiaoHost } from './toutiao/toutiao-host';
import { createUniappAdapter } from './uniapp/uniapp-adapter';
import type { UniappHost } from './uniapp/uniapp-host';
import { createWechatAdapter } from './wechat/wechat-adapter';
import type { WechatHost } from './wechat/wechat-host';

export * from '../src/index';

declare const uni: UniappHost | undefined;
declare const wx: WechatHost | undefined;
declare const tt: ToutiaoHost | undefined;
declare const swan: BaiduHost | undefined;
declare const my: AlipayHost | undefined;

/** A host API object, not just any global that happens to share the name. */
function isHostApi(api: unknown): boolean {
  const candidate = api as { connectSocket?: unknown; request?: unknown } | null | undefined;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.connectSocket === 'function' && typeof candidate.request === 'function';
}

function detectHost(): PlatformAdapter {
  if (typeof uni !== 'undefined' && isHostApi(uni)) return createUniappAdapter(uni);
  if (typeof wx !== 'undefined' && isHostApi(wx)) return createWechatAdapter(wx);
  if (typeof tt !== 'undefined' && isHostApi(tt)) return createToutiaoAdapter(tt);
  if (typeof swan !== 'undefined' && isHostApi(swan)) return createBaiduAdapter(swan);
  if (typeof my !== 'undefined' && isHostApi(my)) return createAlipayAdapter(my);
  const http = typeof fetch !== 'undefined' || typeof XMLHttpRequest !== 'undefined';
  // A page without WebSocket (an old or locked-down browser) still has HTTP: the browser adapter, over comet
  // (PROTOCOL §10), as 2.9.2 does. Outside a page (Node.js has fetch) that is no browser.
  if (http && (typeof WebSocket !== 'undefined' || typeof document !== 'undefined')) return createBrowserAdapter();
  throw new Error('lianxin: no supported host found (no uni/wx/tt/swan/my, no WebSocket or page). In Node.js import "lianxin/node".');
}

const wired = preWire(lazyAdapter(detectHost));

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = wired.RongIMClient;

/** RongCloud's upload plugin API (`UploadClient.initImage/initFile`), uploading to the connected client's navi `uploadServer`. */
export const UploadClient = wired.UploadClient;
