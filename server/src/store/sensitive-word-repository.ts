/**
 * An app's sensitive words (issue #7, SERVER_API.md §2.5 `sensitiveword/*`): a word either blocks the message
 * that contains it or is replaced by `replaceWord`. Words are unique per app (adding one again changes its
 * kind/replacement); the count limit is checked atomically with the write.
 */
import type { AppKey } from './store';

export const SensitiveWordType = { Replace: 0, Block: 1 } as const;
export type SensitiveWordType = (typeof SensitiveWordType)[keyof typeof SensitiveWordType];

export interface SensitiveWord {
  readonly word: string;
  readonly type: SensitiveWordType;
  /** '' for block words. */
  readonly replaceWord: string;
}

export interface SensitiveWordRepository {
  /** Adds or updates words; more than `maxWords` words in the app afterwards → false and nothing is written. */
  add(appKey: AppKey, words: readonly SensitiveWord[], maxWords: number, now: number): Promise<boolean>;
  /** Removes words; unknown ones are ignored. Returns how many went. */
  remove(appKey: AppKey, words: readonly string[]): Promise<number>;
  /** The app's words, oldest first. */
  list(appKey: AppKey): Promise<readonly SensitiveWord[]>;
}
