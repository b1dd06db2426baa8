/**
 * The client send path's filter chain answers synchronously (a verdict, not a promise) when the sensitive-word
 * and App Server moderation filters have nothing to do — no words configured, not a text message, no moderation
 * URL, a type the app does not review — so a typical private send stays promise-free up to the store append.
 * Real filters on a real SQLite store; the moderation transport is a fake at the HTTP boundary.
 */
import { MemoryBroker } from '../../../src/broker/memory-broker';
import { createAppConfig, createAppRegistry, type AppConfig, type ServerConfig } from '../../../src/config';
import type { ServerContext } from '../../../src/context';
import { createLogger } from '../../../src/log';
import { createTokenService } from '../../../src/services/auth-tokens';
import type { CallbackPost } from '../../../src/services/callbacks/callback-http';
import { moderationFilter } from '../../../src/services/callbacks/moderation';
import { expansionFilter } from '../../../src/services/expansion-filter';
import { MessageFilterChain, type CandidateMessage, type ScreenResult } from '../../../src/services/message-filter-chain';
import { SensitiveWords } from '../../../src/services/sensitive-words';
import { SensitiveWordType } from '../../../src/store/sensitive-word-repository';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function candidate(appKey: string, objectName = 'RC:TxtMsg', text = 'hello there'): CandidateMessage {
  return { appKey, fromUserId: 'a', conversationType: 1, targetId: 'b', objectName, content: utf8(JSON.stringify({ content: text })), directedTo: [], status: false, platform: 'web', sessionId: 's1' };
}

interface Setup {
  readonly chain: MessageFilterChain;
  readonly store: Store;
  readonly posts: string[];
}

async function setup(apps: AppConfig[]): Promise<Setup> {
  const store = await createSqliteStore({ file: ':memory:' });
  await store.migrate();
  const registry = createAppRegistry(apps);
  const config: ServerConfig = { host: '127.0.0.1', port: 0, publicHosts: [], dataDir: '/none', dbFile: ':memory:', apps, devApp: false, logLevel: 'silent', apiClockSkewSeconds: 0 };
  const ctx: ServerContext = { config, store, apps: registry, tokens: createTokenService({ apps: registry, users: store.users }), clock: { now: () => 1_000_000 }, log: createLogger('silent') };
  const posts: string[] = [];
  const post: CallbackPost = async (_app, request) => {
    posts.push(request.url);
    return { ok: true, status: 200, text: '{"pass":0}' };
  };
  const chain = new MessageFilterChain();
  chain.addFilter(new SensitiveWords(ctx, new MemoryBroker()).filter);
  chain.addFilter(moderationFilter(ctx, post));
  chain.addFilter(expansionFilter(ctx));
  return { chain, store, posts };
}

function isPromise(result: ScreenResult | Promise<ScreenResult>): result is Promise<ScreenResult> {
  return result instanceof Promise;
}

describe('filter chain: synchronous verdicts when the filters have nothing to do', () => {
  it('passes a text message synchronously once the app is known to have no words, and without a moderation URL', async () => {
    const { chain, store, posts } = await setup([createAppConfig('k', 's')]);
    // The first text message loads the (empty) word list: the only async step.
    const first = chain.screen(candidate('k'));
    expect(isPromise(first)).toBe(true);
    expect((await first).ok).toBe(true);
    const again = chain.screen(candidate('k'));
    expect(isPromise(again)).toBe(false);
    expect(again).toMatchObject({ ok: true, replacedBy: [] });
    // Not a text message: no word list needed at all.
    expect(isPromise(chain.screen(candidate('k', 'RC:ImgMsg')))).toBe(false);
    expect(posts).toEqual([]);
    // An expansion command is the one message the expansion filter looks up (the original in the store).
    const expansion = chain.screen({ ...candidate('k', 'RC:MsgExMsg'), content: utf8(JSON.stringify({ mid: 'AAAA-AAAA-AAAA-AAAA', put: { k: 'v' } })) });
    expect(isPromise(expansion)).toBe(true);
    expect(await expansion).toMatchObject({ ok: false, status: 34008, by: 'message-expansion' });
    await store.close();
  });

  it('screens cached words synchronously (block and replace) and still goes async for a real moderation review', async () => {
    const apps = [createAppConfig('k', 's'), createAppConfig('m', 's', { moderationUrl: 'http://127.0.0.1:9/review', moderationTypes: 'RC:TxtMsg' })];
    const { chain, store, posts } = await setup(apps);
    await store.sensitiveWords.add('k', [{ word: 'bad', type: SensitiveWordType.Block, replaceWord: '' }, { word: 'meh', type: SensitiveWordType.Replace, replaceWord: '***' }], 50, 1);
    expect((await chain.screen(candidate('k'))).ok).toBe(true);

    const blocked = chain.screen(candidate('k', 'RC:TxtMsg', 'so BAD'));
    expect(isPromise(blocked)).toBe(false);
    expect(blocked).toMatchObject({ ok: false, status: 21501, by: 'sensitive-words' });
    const replaced = chain.screen(candidate('k', 'RC:TxtMsg', 'meh'));
    expect(isPromise(replaced)).toBe(false);
    expect(!isPromise(replaced) && replaced.ok && new TextDecoder().decode(replaced.message.content)).toBe('{"content":"***"}');

    // App "m" reviews text messages only: another type passes both filters synchronously, with no callback.
    expect(isPromise(chain.screen(candidate('m', 'RC:ImgMsg')))).toBe(false);
    expect(posts).toEqual([]);
    // A text message is reviewed (a callback, so a promise) and the answer (pass 0) refuses it — also once
    // m's (empty) word list is cached.
    for (let i = 0; i < 2; i++) {
      const reviewed = chain.screen(candidate('m'));
      expect(isPromise(reviewed)).toBe(true);
      expect(await reviewed).toMatchObject({ ok: false, status: 21501, by: 'app-server-moderation' });
    }
    expect(posts).toEqual(['http://127.0.0.1:9/review', 'http://127.0.0.1:9/review']);
    await store.close();
  });
});
