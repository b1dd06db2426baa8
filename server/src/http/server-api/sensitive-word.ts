/**
 * `sensitiveword/*` (SERVER_API.md §2.5): the app's sensitive words, at most 50 (1019 beyond). A word without
 * a replacement blocks the text messages containing it; with one, it is replaced (services/sensitive-words.ts).
 * Words are ≤ 32 characters; changes apply at once (RongCloud documents up to 2 h).
 *
 * - `add`: `word`, `replaceWord?` (the Node SDK also sends `type` 0 replace / 1 block; an empty replacement
 *   blocks whatever the type says);
 * - `batch/add` (JSON): `{"words":[{"word":…, "replaceWord"?:…}]}`;
 * - `delete`: `word`; `batch/delete`: `words` ×N (≤ 50);
 * - `list`: `type` 0 replace, 1 block, 2 or absent all → `{words:[{type:"0"|"1", word, replaceWord}]}` (`type` as
 *   text: the Go SDK decodes it into a string).
 */
import { apiError, ServerApiErrors, type ErrorDef } from '../../errors';
import type { SensitiveWord } from '../../store/sensitive-word-repository';
import { SensitiveWordType } from '../../store/sensitive-word-repository';
import { MAX_SENSITIVE_WORDS, type SensitiveWords } from '../../services/sensitive-words';
import type { ServerApiModule } from './index';

const WORD_RULE = { maxLength: 32 } as const;
export const TOO_MANY_WORDS: ErrorDef = { code: 1019, httpStatus: 400, message: 'too many sensitive words' };

function wordOf(word: string, replaceWord: string | undefined): SensitiveWord {
  const replacement = replaceWord ?? '';
  return replacement === ''
    ? { word, type: SensitiveWordType.Block, replaceWord: '' }
    : { word, type: SensitiveWordType.Replace, replaceWord: replacement };
}

function checkWord(name: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === null || (value === '' && !required)) {
    if (required) throw apiError(ServerApiErrors.badParameter, `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') throw apiError(ServerApiErrors.badParameter, `${name} is invalid`);
  if ([...value].length > WORD_RULE.maxLength) throw apiError(ServerApiErrors.badParameter, `${name} is too long (max ${WORD_RULE.maxLength} characters)`);
  return value;
}

export function sensitiveWordRoutes(words: SensitiveWords): ServerApiModule {
  return (ctx) => {
    const add = async (appKey: string, list: readonly SensitiveWord[]): Promise<void> => {
      if (!(await ctx.store.sensitiveWords.add(appKey, list, MAX_SENSITIVE_WORDS, ctx.clock.now()))) throw apiError(TOO_MANY_WORDS);
      await words.invalidate(appKey);
    };
    return {
      'sensitiveword/add': ({ app, params }) => {
        const word = checkWord('word', params.optionalString('word'), true) as string;
        params.integer('type', { min: 0, max: 1, fallback: 0 });
        const replaceWord = checkWord('replaceWord', params.optionalString('replaceWord'), false);
        return async () => {
          await add(app.appKey, [wordOf(word, replaceWord)]);
        };
      },

      'sensitiveword/batch/add': ({ app, params }) => {
        const raw = params.raw['words'];
        if (!Array.isArray(raw) || raw.length === 0) throw apiError(ServerApiErrors.badParameter, 'words is required');
        if (raw.length > MAX_SENSITIVE_WORDS) throw apiError(TOO_MANY_WORDS);
        const list = raw.map((item: unknown, i) => {
          if (typeof item !== 'object' || item === null) throw apiError(ServerApiErrors.badParameter, `words[${i}] is invalid`);
          const entry = item as Record<string, unknown>;
          return wordOf(checkWord(`words[${i}].word`, entry['word'], true) as string, checkWord(`words[${i}].replaceWord`, entry['replaceWord'], false));
        });
        return async () => {
          await add(app.appKey, list);
        };
      },

      'sensitiveword/delete': ({ app, params }) => {
        const word = checkWord('word', params.optionalString('word'), true) as string;
        return async () => {
          await ctx.store.sensitiveWords.remove(app.appKey, [word]);
          await words.invalidate(app.appKey);
        };
      },

      'sensitiveword/batch/delete': ({ app, params }) => {
        const list = params.strings('words', { ...WORD_RULE, required: true, maxItems: MAX_SENSITIVE_WORDS });
        return async () => {
          await ctx.store.sensitiveWords.remove(app.appKey, list);
          await words.invalidate(app.appKey);
        };
      },

      'sensitiveword/list': ({ app, params }) => {
        // The Node SDK sends `type=undefined` when its caller gives none: that means all, like an absent type.
        const text = (params.optionalString('type') ?? '').trim();
        if (!['', '0', '1', '2', 'undefined', 'null'].includes(text)) throw apiError(ServerApiErrors.badParameter, 'type is invalid');
        const type = text === '0' || text === '1' ? Number(text) : 2;
        return async () => {
          const list = await ctx.store.sensitiveWords.list(app.appKey);
          return {
            words: list.filter((w) => type === 2 || w.type === type).map((w) => ({ type: String(w.type), word: w.word, replaceWord: w.replaceWord })),
          };
        };
      },
    };
  };
}
