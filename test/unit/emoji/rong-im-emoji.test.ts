/**
 * RongIMEmoji: the 128 default emojis round-trip through every conversion in both languages, mixed
 * text survives emoji → symbol → emoji, custom extensions join (and override) the table, HTML comes
 * out as safe strings, and the private-use forms old Web SDKs produced are decoded.
 */
import fc from 'fast-check';
import { createRongIMEmoji, RongIMEmoji } from '../../../src/emoji/index';
import { DEFAULT_EMOJI_ROWS } from '../../../src/emoji/emoji-data';

const rows = DEFAULT_EMOJI_ROWS.map(([unicode, codePoints, zh, en, x]) => ({
  unicode,
  tag: String.fromCodePoint(...codePoints.split('-').map((h) => parseInt(h, 16))),
  zh,
  en,
  x,
}));

describe('default table', () => {
  it('has 128 emojis with unique identifiers, glyphs and names in both languages', () => {
    expect(rows).toHaveLength(128);
    for (const field of ['unicode', 'tag', 'zh', 'en'] as const) expect(new Set(rows.map((r) => r[field])).size).toBe(128);
    expect(rows[0]).toMatchObject({ unicode: 'u1F600', tag: '😀', zh: '笑嘻嘻', en: 'Grinning Face' });
    expect(rows.find((r) => r.unicode === 'u1F601')).toMatchObject({ tag: '😁', zh: '露齿而笑' });
  });

  it('lists every emoji with its symbol and HTML', () => {
    const emoji = createRongIMEmoji();
    expect(emoji.list).toHaveLength(128);
    expect(emoji.list[0]).toEqual({ unicode: 'u1F600', emoji: '😀', symbol: '[笑嘻嘻]', html: "<span class='rong-emoji-content' name='[笑嘻嘻]'>😀</span>" });
  });
});

describe.each(['zh', 'en'] as const)('conversions in %s', (lang) => {
  const emoji = createRongIMEmoji({ lang });

  it('round-trips all 128 emojis between glyph and symbol', () => {
    for (const row of rows) {
      const symbol = `[${row[lang]}]`;
      expect(emoji.emojiToSymbol(row.tag)).toBe(symbol);
      expect(emoji.symbolToEmoji(symbol)).toBe(row.tag);
      expect(emoji.symbolToEmoji(emoji.emojiToSymbol(`a${row.tag}b`))).toBe(`a${row.tag}b`);
      const html = emoji.emojiToHTML(row.tag);
      expect(html).toBe(`<span class='rong-emoji-content' name='${symbol.replace(/'/g, '&#39;')}'>${row.tag}</span>`);
      expect(emoji.symbolToHTML(symbol)).toBe(html);
    }
  });

  it('keeps any text made of emojis and plain characters through emoji → symbol → emoji', () => {
    const piece = fc.oneof(fc.constantFrom(...rows.map((r) => r.tag)), fc.string({ unit: fc.constantFrom('a', '中', ' ', '1', '!', '\n', '😎') }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        const text = pieces.join('');
        expect(emoji.symbolToEmoji(emoji.emojiToSymbol(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('behaviour details', () => {
  it('matches the seed samples', () => {
    const emoji = createRongIMEmoji();
    expect(emoji.symbolToHTML('[露齿而笑]测试 Emoji')).toBe("<span class='rong-emoji-content' name='[露齿而笑]'>😁</span>测试 Emoji");
    expect(emoji.emojiToHTML('\uf600测试 Emoji')).toBe("<span class='rong-emoji-content' name='[笑嘻嘻]'>😀</span>测试 Emoji");
    expect(emoji.symbolToEmoji('[笑嘻嘻][露齿而笑]测试 Emoji')).toBe('😀😁测试 Emoji');
    expect(emoji.emojiToSymbol('😀😁测试 Emoji')).toBe('[笑嘻嘻][露齿而笑]测试 Emoji');
  });

  it('decodes private-use forms only into emojis of the table, and swallows a trailing VS16', () => {
    const emoji = createRongIMEmoji();
    expect(emoji.emojiToSymbol('\uf004\uf44d')).toBe('[麻将][赞]');
    expect(emoji.emojiToSymbol('\uf8ff\uf000')).toBe('\uf8ff\uf000');
    expect(emoji.symbolToEmoji('\uf600')).toBe('😀');
    expect(emoji.emojiToSymbol('☺️ ☺')).toBe('[萌萌哒] [萌萌哒]');
  });

  it('leaves the CJK compatibility ideographs (U+F900–U+FAFF) alone even when U+1F9xx emojis are in the table', () => {
    // Only U+E000–U+F8FF is private use; U+F914 is 樂, and 🤔 (U+1F914) is the seed's sample extension.
    const emoji = createRongIMEmoji();
    emoji.init({ lang: 'en', extension: { dataSource: { u1F914: { en: 'thinking face', zh: '思考', tag: '🤔', position: '0 0' }, u1F9FF: { en: 'nazar', zh: '辟邪眼', tag: '🧿' } } } });
    const text = '\uF914 Korean Hanja \uF9FF \uF900';
    expect(emoji.emojiToSymbol(text)).toBe(text);
    expect(emoji.symbolToEmoji(text)).toBe(text);
    expect(emoji.emojiToHTML(text)).toBe(text);
    expect(emoji.emojiToSymbol('🤔\uF914')).toBe('[thinking face]\uF914');
    expect(emoji.symbolToEmoji('[thinking face]\uF914')).toBe('🤔\uF914');
    // The private-use area up to U+F8FF is still decoded, both ways.
    expect(emoji.emojiToSymbol('\uF600!')).toBe('[Grinning Face]!');
    expect(emoji.symbolToEmoji('\uF600[Grinning Face]')).toBe('😀😀');
  });

  it('leaves unknown symbols and emojis alone', () => {
    const emoji = createRongIMEmoji();
    expect(emoji.symbolToEmoji('[不存在][笑嘻嘻x] [ ] []')).toBe('[不存在][笑嘻嘻x] [ ] []');
    expect(emoji.emojiToSymbol('🤔🦄')).toBe('🤔🦄');
    expect(emoji.symbolToHTML('[不存在]')).toBe('[不存在]');
  });

  it('escapes text around emojis in HTML output unless told not to', () => {
    const emoji = createRongIMEmoji();
    expect(emoji.emojiToHTML('<img src=x onerror=alert(1)>😀&')).toBe("&#60;img src=x onerror=alert(1)&#62;<span class='rong-emoji-content' name='[笑嘻嘻]'>😀</span>&#38;");
    expect(emoji.symbolToHTML('"[笑嘻嘻]\'')).toBe("&#34;<span class='rong-emoji-content' name='[笑嘻嘻]'>😀</span>&#39;");
    emoji.init({ escapeHtml: false });
    expect(emoji.emojiToHTML('<b>😀')).toBe("<b><span class='rong-emoji-content' name='[笑嘻嘻]'>😀</span>");
  });

  it('renders sprite spans with the configured url and size, positions scaled from the 25 px grid', () => {
    const emoji = createRongIMEmoji({ url: '//f2e.cn.ronghub.com/sdk/emoji-48.png', size: 50 });
    const html = emoji.emojiToHTML('😁');
    expect(html).toContain("name='[露齿而笑]'");
    expect(html).toContain('background-image: url(//f2e.cn.ronghub.com/sdk/emoji-48.png)');
    expect(html).toContain('background-position: -50px 0px');
    expect(html).toContain('width: 50px; height: 50px;');
    expect(emoji.emojiToHTML('😁', 25)).toContain('background-position: -25px 0px');
    expect(emoji.symbolToHTML('[露齿而笑]', 25)).toBe(emoji.emojiToHTML('😁', 25));
  });

  it('adds custom emojis (seed sample) with their own sprite, and lets them override defaults', () => {
    const emoji = createRongIMEmoji();
    emoji.init({
      size: 25,
      lang: 'en',
      extension: {
        dataSource: {
          u1F914: { en: 'thinking face', zh: '思考', tag: '🤔', position: '0 0' },
          u1F600: { en: 'big smile', zh: '大笑脸', tag: '😀', position: '-25px 0px' },
        },
        url: '//cdn.ronghub.com/thinking-face.png',
      },
    });
    expect(emoji.list).toHaveLength(129);
    expect(emoji.list[emoji.list.length - 1]).toMatchObject({ unicode: 'u1F914', emoji: '🤔', symbol: '[thinking face]' });
    expect(emoji.emojiToSymbol('🤔 😀 😁')).toBe('[thinking face] [big smile] [Grinning With Smiling]');
    expect(emoji.symbolToEmoji('[thinking face][big smile]')).toBe('🤔😀');
    expect(emoji.emojiToHTML('🤔')).toContain('url(//cdn.ronghub.com/thinking-face.png)');
    // Defaults have no sprite without `url`: native glyph spans.
    expect(emoji.emojiToHTML('😁')).toBe("<span class='rong-emoji-content' name='[Grinning With Smiling]'>😁</span>");
    // A later init starts from the defaults again.
    emoji.init();
    expect(emoji.list).toHaveLength(128);
    expect(emoji.emojiToSymbol('🤔')).toBe('🤔');
  });

  it('is usable as RongIMLib.RongIMEmoji without init and tolerates non-string input', () => {
    expect(RongIMEmoji.emojiToSymbol('👍')).toBe('[赞]');
    expect(RongIMEmoji.emojiToSymbol(undefined as unknown as string)).toBe('');
    expect(RongIMEmoji.symbolToEmoji(12 as unknown as string)).toBe('12');
  });
});
