/**
 * Compile-time only (tsconfig.wechat.json, never imported): the official WeChat typings
 * (miniprogram-api-typings) satisfy WechatHost, so `createWechatAdapter(wx)` accepts the real `wx`
 * and moving WechatHost onto `Pick<WechatMiniprogram.Wx, …>` later is a type-only change.
 */
import type { WechatHost } from './wechat-host';

type Satisfies<T extends U, U> = T;

export type OfficialWxIsAWechatHost = Satisfies<WechatMiniprogram.Wx, WechatHost>;
