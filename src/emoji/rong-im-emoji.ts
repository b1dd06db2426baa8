/**
 * `RongIMLib.RongIMEmoji`: the emoji plugin of RongCloud's Web SDK (seed "Emoji 插件"), as a module of
 * the SDK instead of a CDN script, with no DOM dependency: HTML comes out as strings.
 *
 *   init({ size, url, lang, extension: { dataSource: { u1F914: { en, zh, tag, position } }, url } })
 *   list                                  [{ unicode, emoji, symbol, html }]  (official: `node`, a DOM span)
 *   emojiToSymbol('😀!')    → '[笑嘻嘻]!'     symbolToEmoji('[笑嘻嘻]!') → '😀!'
 *   emojiToHTML('😀')       → "<span class='rong-emoji-content' name='[笑嘻嘻]'>😀</span>"
 *   symbolToHTML('[笑嘻嘻]') → the same
 *
 * Differences from the CDN plugin, on purpose:
 *  - without `url` the HTML span holds the native glyph (the seed's symbolToHTML sample); with `url`
 *    it is the plugin's sprite span (background-image + scaled position);
 *  - text around emojis is HTML-escaped in the *ToHTML output (the plugin pasted it raw, an XSS trap
 *    for `innerHTML = emojiToHTML(message.content)`); `init({ escapeHtml: false })` restores raw text;
 *  - each `init` starts from the defaults (the plugin accumulated settings across calls).
 * The private-use forms old Web SDKs produced (`\uf600` for U+1F600) are decoded before converting,
 * as the plugin does, but only where they decode to an emoji of the table.
 */
import { DEFAULT_EMOJI_ROWS } from './emoji-data';

export type EmojiLang = 'zh' | 'en';

export interface EmojiDetail {
  readonly en: string;
  readonly zh: string;
  /** The native emoji character(s). */
  readonly tag: string;
  /** Sprite position `"Xpx Ypx"` at 25 px per cell (only used with a sprite url). */
  readonly position?: string;
  /** Sprite url of this emoji (extensions); the init `url` otherwise. */
  readonly background?: string;
}

export interface EmojiConfig {
  /** Span size in px (default 24; 18–58 advised). */
  readonly size?: number;
  /** Sprite image url; absent = spans hold the native glyph. */
  readonly url?: string;
  /** Names used for symbols (default 'zh'). */
  readonly lang?: EmojiLang;
  readonly extension?: { readonly dataSource?: Readonly<Record<string, EmojiDetail>>; readonly url?: string };
  /** Escape text around emojis in *ToHTML output (default true). */
  readonly escapeHtml?: boolean;
}

export interface EmojiListItem {
  /** The identifier (`u1F600`). */
  readonly unicode: string;
  readonly emoji: string;
  /** `[name]` in the configured language. */
  readonly symbol: string;
  /** The span emojiToHTML produces for it. */
  readonly html: string;
}

export interface RongIMEmoji {
  init(config?: EmojiConfig): void;
  readonly list: readonly EmojiListItem[];
  emojiToSymbol(text: string): string;
  symbolToEmoji(text: string): string;
  emojiToHTML(text: string, size?: number): string;
  symbolToHTML(text: string, size?: number): string;
}

interface Entry {
  readonly unicode: string;
  readonly detail: EmojiDetail;
}

interface State {
  readonly size: number;
  readonly url: string | undefined;
  readonly lang: EmojiLang;
  readonly escapeHtml: boolean;
  readonly entries: readonly Entry[];
  readonly byTag: ReadonlyMap<string, Entry>;
  readonly byName: ReadonlyMap<string, Entry>;
  readonly tagPattern: RegExp;
  readonly list: readonly EmojiListItem[];
}

const SYMBOL = /\[([^[\]]+?)\]/g;
// Old Web SDKs wrote U+1Fxxx as U+Fxxx; only U+F000–U+F8FF of that is private use (U+F900 on are CJK
// compatibility ideographs, e.g. U+F914 樂, ordinary text that must never turn into an emoji).
const PRIVATE_USE = /[\uF000-\uF8FF]/g;
const VS16 = '\uFE0F';
const BASE_CELL = 25;

function defaultEntries(): Entry[] {
  return DEFAULT_EMOJI_ROWS.map(([unicode, codePoints, zh, en, x]) => ({
    unicode,
    detail: { zh, en, tag: String.fromCodePoint(...codePoints.split('-').map((h) => parseInt(h, 16))), position: `${x}px 0px` },
  }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isDetail(value: unknown): value is EmojiDetail {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['tag'] === 'string' && v['tag'] !== '' && typeof v['zh'] === 'string' && typeof v['en'] === 'string';
}

function build(config: EmojiConfig): State {
  const size = typeof config.size === 'number' && config.size > 0 ? config.size : 24;
  const url = typeof config.url === 'string' && config.url !== '' ? config.url : undefined;
  const lang: EmojiLang = config.lang === 'en' ? 'en' : 'zh';
  const entries = defaultEntries();
  const source = config.extension?.dataSource ?? {};
  const extensionUrl = config.extension?.url;
  for (const [unicode, detail] of Object.entries(source)) {
    if (!isDetail(detail)) continue;
    const background = detail.background ?? extensionUrl;
    const entry: Entry = { unicode, detail: background === undefined ? detail : { ...detail, background } };
    const at = entries.findIndex((e) => e.unicode === unicode);
    if (at >= 0) entries[at] = entry;
    else entries.push(entry);
  }
  // Later entries win a clash (an extension may rename or re-draw a default).
  const byTag = new Map(entries.map((e) => [e.detail.tag, e] as const));
  const byName = new Map(entries.map((e) => [e.detail[lang], e] as const));
  const tags = [...byTag.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const tagPattern = new RegExp(`(?:${tags.join('|')})${VS16}?`, 'g');
  const partial = { size, url, lang, escapeHtml: config.escapeHtml !== false, entries, byTag, byName, tagPattern };
  const list = entries.map((e) => ({ unicode: e.unicode, emoji: e.detail.tag, symbol: `[${e.detail[lang]}]`, html: spanOf(partial, e, size) }));
  return { ...partial, list };
}

function spanOf(state: Pick<State, 'url' | 'lang'>, entry: Entry, size: number): string {
  const name = escapeHtml(`[${entry.detail[state.lang]}]`);
  const background = entry.detail.background ?? state.url;
  if (background === undefined) return `<span class='rong-emoji-content' name='${name}'>${entry.detail.tag}</span>`;
  const [x = '0', y = '0'] = (entry.detail.position ?? '0px 0px').split(' ');
  const scale = size / BASE_CELL;
  const position = `${parseFloat(x) * scale || 0}px ${parseFloat(y) * scale || 0}px`;
  const style =
    `width: ${size}px; height: ${size}px; line-height: ${size}px; background-image: url(${escapeHtml(background)}); ` +
    `background-position: ${position}; background-size: auto ${size}px; overflow: hidden; vertical-align: middle; font-size: 0 !important;`;
  return `<span class='rong-emoji-content' name='${name}' style='${style}'></span>`;
}

/** `\uf600` → 😀 where the decoded code point is an emoji of the table. */
function decodePrivateUse(state: State, text: string): string {
  return text.replace(PRIVATE_USE, (c) => {
    const emoji = String.fromCodePoint(0x10000 + (c.codePointAt(0) as number));
    return state.byTag.has(emoji) ? emoji : c;
  });
}

/** Applies `onEmoji` to each emoji and `onText` to the text between them. */
function mapEmojis(state: State, text: string, onEmoji: (entry: Entry) => string, onText: (text: string) => string): string {
  let out = '';
  let last = 0;
  state.tagPattern.lastIndex = 0;
  for (let match = state.tagPattern.exec(text); match !== null; match = state.tagPattern.exec(text)) {
    const tag = match[0].endsWith(VS16) && !state.byTag.has(match[0]) ? match[0].slice(0, -1) : match[0];
    const entry = state.byTag.get(tag);
    if (entry === undefined) continue;
    out += onText(text.slice(last, match.index)) + onEmoji(entry);
    last = match.index + match[0].length;
  }
  return out + onText(text.slice(last));
}

export function createRongIMEmoji(initial: EmojiConfig = {}): RongIMEmoji {
  let state = build(initial);
  const asText = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));
  const plain = (text: string): string => text;
  const html = (text: string): string => (state.escapeHtml ? escapeHtml(text) : text);
  const sizeOf = (size: unknown): number => (typeof size === 'number' && size > 0 ? size : state.size);
  const api: RongIMEmoji = {
    init(config = {}) {
      state = build(typeof config === 'object' && config !== null ? config : {});
    },
    get list() {
      return state.list;
    },
    emojiToSymbol(text) {
      return mapEmojis(state, decodePrivateUse(state, asText(text)), (e) => `[${e.detail[state.lang]}]`, plain);
    },
    symbolToEmoji(text) {
      return decodePrivateUse(state, asText(text)).replace(SYMBOL, (symbol: string, name: string) => state.byName.get(name)?.detail.tag ?? symbol);
    },
    emojiToHTML(text, size) {
      const px = sizeOf(size);
      return mapEmojis(state, decodePrivateUse(state, asText(text)), (e) => spanOf(state, e, px), html);
    },
    symbolToHTML(text, size) {
      const px = sizeOf(size);
      const source = asText(text);
      let out = '';
      let last = 0;
      SYMBOL.lastIndex = 0;
      for (let match = SYMBOL.exec(source); match !== null; match = SYMBOL.exec(source)) {
        const entry = state.byName.get(match[1] as string);
        if (entry === undefined) continue;
        out += html(source.slice(last, match.index)) + spanOf(state, entry, px);
        last = match.index + match[0].length;
      }
      return out + html(source.slice(last));
    },
  };
  return api;
}

/** The shared instance apps reach as `RongIMLib.RongIMEmoji`. */
export const RongIMEmoji: RongIMEmoji = /* @__PURE__ */ createRongIMEmoji();
