/**
 * Issue #7 wired in one place: conversation tags and user settings (tags.ts), server-kept read positions
 * (read-positions.ts), sensitive words (sensitive-words.ts) and message expansion (expansion-filter.ts). Returns
 * the query topics to route and registers its filters and observers on the send-path chain.
 */
import type { SessionPort } from '../gateway/topic-router';
import type { QueryFrame } from './wire';
import type { ServerContext } from '../context';
import type { Broker } from '../broker/broker';
import type { MessagingService } from './messaging';
import type { MessageFilterChain } from './message-filter-chain';
import { createTagHandlers } from './tags';
import { ReadPositionService } from './read-positions';
import { SensitiveWords } from './sensitive-words';
import { expansionFilter } from './expansion-filter';

export interface ConversationFeatures {
  readonly queries: Array<[string, (port: SessionPort, frame: QueryFrame) => Promise<void>]>;
  /** The Server API invalidates its cache after changes (http/server-api/sensitive-word.ts). */
  readonly sensitiveWords: SensitiveWords;
}

export function createConversationFeatures(ctx: ServerContext, messaging: MessagingService, filters: MessageFilterChain, broker?: Broker): ConversationFeatures {
  const tags = createTagHandlers(ctx, messaging);
  const reads = new ReadPositionService(ctx, messaging);
  const sensitiveWords = new SensitiveWords(ctx, broker);
  filters.addFilter(sensitiveWords.filter);
  filters.addFilter(expansionFilter(ctx));
  filters.addObserver(reads.observe);
  return {
    queries: [
      ['addSeTag', tags.addSeTag],
      ['delSeTag', tags.delSeTag],
      ['addTag', tags.addTag],
      ['delTag', tags.delTag],
      ['pullUS', tags.pullUS],
      ['lxReadPos', reads.handle],
    ],
    sensitiveWords,
  };
}
