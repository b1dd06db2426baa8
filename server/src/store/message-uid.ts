/**
 * messageUId generation (PROTOCOL.md §5.2, §8.5). Shape `XXXX-XXXX-XXXX-XXXX`: 16 characters of base32hex
 * (`0-9A-V`, RFC 4648 §7), the alphabet the real service's uids fall into (`BKR5-28P4-JT85-SK8H` has 8s and 9s,
 * so it is not the `A-Z2-7` alphabet). Clients treat the value as opaque.
 *
 * Layout (80 bits): the first 9 characters are `sentTime mod 2^45` (45 bits, big-endian), the last 7 are
 * 35 random bits. Because `sentTime` is strictly increasing per app, two uids of one app never share the
 * time part, so uniqueness per app holds by construction; the random part separates apps that share a
 * millisecond and hides nothing (the time is public anyway). base32hex keeps ASCII order = numeric order,
 * so uids of one app sort by time until 2^45 ms (year 3084). Engines still keep a unique index on
 * (app, uid) and retry with fresh randomness if it ever fires.
 */

/** base32hex (RFC 4648 §7): ASCII order = numeric order. */
export const UID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
const TIME_CHARS = 9;
const RANDOM_CHARS = 7;
const TIME_MODULUS = 2 ** (5 * TIME_CHARS);

/** The exact shape every uid produced here has. */
export const MESSAGE_UID_PATTERN = /^[0-9A-V]{4}-[0-9A-V]{4}-[0-9A-V]{4}-[0-9A-V]{4}$/;

/**
 * `random` returns a number in [0, 1) like `Math.random` (injectable so tests are deterministic).
 * `sentTime` must be a non-negative safe integer.
 */
export function newMessageUid(sentTime: number, random: () => number): string {
  if (!Number.isSafeInteger(sentTime) || sentTime < 0) throw new RangeError(`sentTime must be a non-negative safe integer: ${sentTime}`);
  const chars: string[] = [];
  let time = sentTime % TIME_MODULUS;
  for (let i = 0; i < TIME_CHARS; i++) {
    chars.unshift(UID_ALPHABET.charAt(time % 32));
    time = Math.floor(time / 32);
  }
  for (let i = 0; i < RANDOM_CHARS; i++) {
    const digit = Math.min(31, Math.max(0, Math.floor(random() * 32)));
    chars.push(UID_ALPHABET.charAt(digit));
  }
  const text = chars.join('');
  return `${text.slice(0, 4)}-${text.slice(4, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}`;
}

export function isMessageUid(value: string): boolean {
  return MESSAGE_UID_PATTERN.test(value);
}
