/**
 * Text the server stores must read back the same on every back end (SQLite and PostgreSQL):
 *
 * - A lone UTF-16 surrogate has no UTF-8 form. better-sqlite3 writes it as WTF-8 (read back as three U+FFFD),
 *   node-postgres as one U+FFFD. Input strings are made well-formed first (each lone surrogate → U+FFFD, what
 *   `String.prototype.toWellFormed` does), so both store the same text.
 * - U+0000: PostgreSQL TEXT refuses the 0x00 byte. A raw U+0000 in a string the client or caller sends is
 *   refused at the boundary with the documented parameter error (Server API 1002, wire 33003), on both back
 *   ends. Binary values (message content bytes) are not text and keep their bytes.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** `value.toWellFormed()`: every lone surrogate replaced by U+FFFD (the value itself when already well-formed). */
export function wellFormed(value: string): string {
  return LONE_SURROGATE.test(value) ? value.replace(LONE_SURROGATES, '\uFFFD') : value;
}

/** Arrays and objects nested deeper than this are refused (the walk recursed until the stack overflowed: a 500). */
export const MAX_TEXT_DEPTH = 100;

/** Thrown by normalizeText for a value nested deeper than MAX_TEXT_DEPTH. */
export class TextTooDeepError extends Error {
  constructor() {
    super(`nested deeper than ${MAX_TEXT_DEPTH} levels`);
  }
}

export function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

/**
 * Walks a decoded value (a JSON body, a decoded protobuf message): every string, object key included, is made
 * well-formed in place (arrays and plain objects are rewritten; byte arrays are left alone). Returns the path of
 * the first string holding a raw U+0000 (`name`, `name[2]`, `name.key`), or undefined when there is none. The
 * path is built only for that string (every client payload goes through here: nothing is allocated otherwise).
 */
export function normalizeText(value: unknown, path: string, set: (next: string) => void): string | undefined {
  if (typeof value === 'string') {
    if (hasNul(value)) return path;
    const next = wellFormed(value);
    if (next !== value) set(next);
    return undefined;
  }
  const found = normalizeInside(value, 0);
  if (found === undefined) return undefined;
  let out = path;
  for (let i = found.length - 1; i >= 0; i--) {
    const step = found[i] as string | number;
    out = typeof step === 'number' ? `${out}[${step}]` : out === '' ? step : `${out}.${step}`;
  }
  return out;
}

/** The steps (innermost first) to the first string with U+0000 inside an array or object, normalizing the rest. */
function normalizeInside(value: unknown, depth: number): (string | number)[] | undefined {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return undefined;
  if (depth >= MAX_TEXT_DEPTH) throw new TextTooDeepError();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') {
        if (hasNul(item)) return [i];
        const next = wellFormed(item);
        if (next !== item) value[i] = next;
        continue;
      }
      const found = normalizeInside(item, depth + 1);
      if (found !== undefined) return (found.push(i), found);
    }
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (hasNul(key)) return [key];
    let target = key;
    const fixed = wellFormed(key);
    if (fixed !== key) {
      // A renamed key keeps its value; an existing well-formed twin is overwritten, as a repeated key would be.
      record[fixed] = record[key];
      delete record[key];
      target = fixed;
    }
    const item = record[target];
    if (typeof item === 'string') {
      if (hasNul(item)) return [target];
      const next = wellFormed(item);
      if (next !== item) record[target] = next;
      continue;
    }
    const found = normalizeInside(item, depth + 1);
    if (found !== undefined) return (found.push(target), found);
  }
  return undefined;
}
