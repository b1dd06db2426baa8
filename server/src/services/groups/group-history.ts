import type { ServerContext } from '../../context';
import type { HistoryPage, HistoryQuery, SyncEntry } from '../../store/store';
import type { HistoryReader } from '../history';

/**
 * `qryGMsg` pages. By default a member's group history is its own entries: messages appended while it was a
 * member (a directed message only for those it was directed to). With the app option `groupHistoryBeforeJoin`
 * a current member also reads the group's shared (undirected) messages sent before its join time — read
 * diffusion for that part only, merged with its own entries by time.
 */
export function groupHistoryReader(ctx: ServerContext): HistoryReader {
  return async (query) => {
    const own = await ctx.store.messages.history(query);
    if (ctx.apps.get(query.appKey)?.groupHistoryBeforeJoin !== true) return own;
    const groupId = query.conversation.targetId;
    const member = await ctx.store.groups.member(query.appKey, groupId, query.owner);
    if (member === undefined) return own;
    const earlier = await ctx.store.groups.historyBeforeJoin({
      appKey: query.appKey,
      owner: query.owner,
      groupId,
      before: member.joinedTime,
      time: query.time,
      count: query.count,
      order: query.order,
    });
    return mergeHistoryPages(own, earlier, query);
  };
}

/**
 * Two history pages of the same query merged into one: each holds (at most `count`) the messages nearest to
 * `time` in the paging direction, so the first `count` of their union by time are exactly the merged page.
 * A message in both (the owner was a member before, left and rejoined) keeps the owner's own entry.
 */
export function mergeHistoryPages(own: HistoryPage, shared: HistoryPage, query: Pick<HistoryQuery, 'count' | 'order'>): HistoryPage {
  const byUid = new Map<string, SyncEntry>();
  for (const entry of shared.messages) byUid.set(entry.message.uid, entry);
  for (const entry of own.messages) byUid.set(entry.message.uid, entry);
  const union = [...byUid.values()];
  // Nearest to the cursor first: newest for order 0 (older than time), oldest for order 1 (newer than time).
  union.sort((a, b) => (query.order === 0 ? b.message.sentTime - a.message.sentTime : a.message.sentTime - b.message.sentTime));
  const page = union.slice(0, Math.max(0, query.count));
  if (query.order === 1) page.reverse();
  return { messages: page, hasMore: union.length > page.length || own.hasMore || shared.hasMore };
}
