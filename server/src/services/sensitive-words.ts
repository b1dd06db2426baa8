/**
 * Sensitive words (issue #7; SERVER_API.md §2.5; seed status codes 21501/21502): a filter on the client send
 * path (message-filter-chain.ts, order 200, after the cheap user-relation checks and before App Server
 * moderation). As RongCloud documents it, only text messages (`RC:TxtMsg`) are screened, in their `content`
 * and push text, matching case-insensitively:
 * - a block word refuses the message: the sender's PUBACK carries 21501 (SENSITIVE_SHIELD) and nobody gets it;
 * - otherwise replace words are substituted and the message goes on (receivers, the sender's other devices and
 *   history get the replaced text: 21502 SENSITIVE_REPLACE semantics; the sending device keeps what it sent).
 * A message holding both kinds is blocked. Words come from the store, cached per app until the Server API
 * changes them: the changing node drops its copy and publishes on `app:<appKey>`, where every node that cached
 * the app's words listens (subscribed before it first reads them); CACHE_MS bounds staleness when that
 * at-most-once wake-up is lost. A word list that cannot be read
 * lets the message through unscreened (logged): moderation must not take the whole app's messaging down.
 */
import { decodeUtf8, encodeUtf8 } from './wire';
import type { ServerContext } from '../context';
import { appTopic, type Broker } from '../broker/broker';
import { AppInvalidation } from './app-invalidation';
import type { SensitiveWord } from '../store/sensitive-word-repository';
import { SensitiveWordType } from '../store/sensitive-word-repository';
import type { CandidateMessage, FilterVerdict, MessageFilter } from './message-filter-chain';
import { PASS } from './message-filter-chain';

export const SENSITIVE_WORDS_ORDER = 200;
/** RongCloud's default limit per app. */
export const MAX_SENSITIVE_WORDS = 50;
export const SensitiveStatus = { Blocked: 21501, Replaced: 21502 } as const;
const CACHE_MS = 5000;

/** Every occurrence of `word` in `text`, case-insensitively, replaced by `by`. */
export function replaceAll(text: string, word: string, by: string): string {
  if (word === '') return text;
  const lower = text.toLowerCase();
  const needle = word.toLowerCase();
  // Lower-casing may change lengths for a few scripts; then fall back to an exact match.
  if (lower.length !== text.length) return text.split(word).join(by);
  let out = '';
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    out += text.slice(from, at) + by;
    from = at + needle.length;
  }
  return out + text.slice(from);
}

export function containsWord(text: string, word: string): boolean {
  return word !== '' && text.toLowerCase().includes(word.toLowerCase());
}

/** What the words do to one text: blocked, or the text after replacements. */
export function screenText(text: string, words: readonly SensitiveWord[]): { blocked: true } | { blocked: false; text: string } {
  if (words.some((w) => w.type === SensitiveWordType.Block && containsWord(text, w.word))) return { blocked: true };
  let out = text;
  // Longer words first, so "abc" wins over its part "ab".
  for (const w of [...words].filter((x) => x.type === SensitiveWordType.Replace).sort((a, b) => b.word.length - a.word.length)) {
    out = replaceAll(out, w.word, w.replaceWord);
  }
  return { blocked: false, text: out };
}

export class SensitiveWords {
  private readonly cache = new Map<string, { readonly words: readonly SensitiveWord[]; readonly loadedAt: number }>();

  private readonly invalidation: AppInvalidation;

  constructor(
    private readonly ctx: ServerContext,
    broker?: Broker,
  ) {
    this.invalidation = new AppInvalidation(ctx, broker, appTopic, 'sensitive words', (appKey) => this.cache.delete(appKey));
  }

  /**
   * Forget the cached words of an app on every node (after a Server API change). Settles once the broker has
   * taken the wake-up (never rejects: a lost one is bounded by CACHE_MS), so the API answers after the other
   * nodes were told, not before.
   */
  invalidate(appKey: string): Promise<void> {
    return this.invalidation.changed(appKey);
  }

  async wordsOf(appKey: string): Promise<readonly SensitiveWord[]> {
    return this.cachedWords(appKey) ?? this.load(appKey);
  }

  /** The app's words when a fresh copy is cached (no store read, no promise), else undefined. */
  private cachedWords(appKey: string): readonly SensitiveWord[] | undefined {
    const cached = this.cache.get(appKey);
    return cached !== undefined && this.ctx.clock.now() - cached.loadedAt < CACHE_MS ? cached.words : undefined;
  }

  private async load(appKey: string): Promise<readonly SensitiveWord[]> {
    const now = this.ctx.clock.now();
    const generation = this.invalidation.generation;
    await this.invalidation.watch(appKey);
    const words = await this.ctx.store.sensitiveWords.list(appKey);
    if (this.invalidation.generation === generation) this.cache.set(appKey, { words, loadedAt: now });
    return words;
  }

  readonly filter: MessageFilter = {
    name: 'sensitive-words',
    order: SENSITIVE_WORDS_ORDER,
    check: (message) => this.check(message),
  };

  /**
   * Synchronous when the app's words are cached (the usual case, and always PASS when it has none) or the
   * message is not a stored text message; a promise only while the words are (re)loaded.
   */
  private check(message: CandidateMessage): FilterVerdict | Promise<FilterVerdict> {
    if (message.objectName !== 'RC:TxtMsg' || message.status) return PASS;
    const words = this.cachedWords(message.appKey);
    return words !== undefined ? this.screenWith(message, words) : this.loadAndScreen(message);
  }

  private async loadAndScreen(message: CandidateMessage): Promise<FilterVerdict> {
    let words: readonly SensitiveWord[];
    try {
      words = await this.load(message.appKey);
    } catch (error) {
      // Fail open: a word list that cannot be read must not stop every text message of the app (the
      // message's own store write reports a real store outage); it is logged for the operator.
      this.ctx.log.warn('sensitive words unavailable; message not screened', { appKey: message.appKey, error: String(error) });
      return PASS;
    }
    return this.screenWith(message, words);
  }

  private screenWith(message: CandidateMessage, words: readonly SensitiveWord[]): FilterVerdict {
    if (words.length === 0) return PASS;
    let content: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(decodeUtf8(message.content));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return PASS;
      content = parsed as Record<string, unknown>;
    } catch {
      return PASS;
    }
    const text = typeof content['content'] === 'string' ? content['content'] : '';
    const body = screenText(text, words);
    const push = message.pushContent !== undefined ? screenText(message.pushContent, words) : undefined;
    if (body.blocked || push?.blocked === true) return { action: 'reject', status: SensitiveStatus.Blocked, reason: 'sensitive word' };
    const pushChanged = push !== undefined && !push.blocked && push.text !== message.pushContent;
    if (body.text === text && !pushChanged) return PASS;
    return {
      action: 'replace',
      reason: 'sensitive word replaced',
      ...(body.text !== text ? { content: encodeUtf8(JSON.stringify({ ...content, content: body.text })) } : {}),
      ...(pushChanged && push !== undefined && !push.blocked ? { pushContent: push.text } : {}),
    };
  }
}
