/**
 * Constant-time string comparison for secrets (tokens, signatures): both sides are hashed to a fixed
 * length first, so neither the content nor the length of the expected value leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function safeEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}
