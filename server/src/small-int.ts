/**
 * `value` as a small integer when it is one. Arithmetic on epoch-ms doubles yields a heap number even when
 * the result is integral, and one such store makes an object field a boxed double (16 bytes) for every
 * instance; per-connection objects keep times as small offsets through this (P2 memory).
 */
export function unboxed(value: number): number {
  return value === (value | 0) ? value | 0 : value;
}
