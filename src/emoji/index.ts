/**
 * The emoji plugin entry, kept out of the IMLib bundles as RongIMLib 2.x kept its CDN script
 * (RongEmoji-2.x.js) out of the IMLib package. Published three ways:
 *   `import { RongIMEmoji } from 'lianxin/emoji'`          ESM/CJS + .d.ts (dist/emoji.*)
 *   `<script src="lianxin-emoji.umd.js">`                    adds `RongIMEmoji` to the global `RongIMLib`
 *                                                           (created when the IMLib script is not loaded yet)
 *   `require('lianxin/emoji')` in a mini-program          dist/miniprogram/emoji.js
 * Pure data and string functions: no host, no adapter, nothing shared with the IMLib bundles.
 */
export { createRongIMEmoji, RongIMEmoji } from './rong-im-emoji';
export type { EmojiConfig, EmojiDetail, EmojiLang, EmojiListItem } from './rong-im-emoji';
