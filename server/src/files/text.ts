/**
 * Text helpers for file names, which reach us from clients in any shape: a cut must never split a
 * surrogate pair, and what goes into `encodeURIComponent` (download URLs, Content-Disposition) must be
 * well formed, or it throws `URIError` (names stored by older versions, names decoded from the wire
 * with lone surrogates kept: services/upstream-decode.ts).
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with every lone surrogate replaced by U+FFFD (String.prototype.toWellFormed, ES2024). */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * At most `maxUnits` UTF-16 units of `text`, cut at a code point boundary: a pair the limit would split
 * is dropped whole (so a cut never leaves a lone surrogate).
 */
export function cutText(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const last = text.charCodeAt(maxUnits - 1);
  const splitsPair = maxUnits > 0 && last >= 0xd800 && last <= 0xdbff && /[\uDC00-\uDFFF]/.test(text.charAt(maxUnits));
  return text.slice(0, splitsPair ? maxUnits - 1 : maxUnits);
}
