/**
 * Engine 5.x server-side unread counts (navi `serverSaveUnread=1`, app option `serverSaveUnread`;
 * PROTOCOL-E5.md §1.3, §3.4). imlib-next 5.38 then zeroes its local counts on every (non-re)connect and
 * calibrates each conversation from `pullSe`; it keeps counting live messages locally on top (only those
 * newer than `cutOffTime`), and clears a conversation when a read-status sync (`RC:SRSMsg`, sent by
 * `markRemoteConversationAsRead` on any device) reaches it. The counts come from the read positions
 * (services/read-positions.ts moves them on every `RC:SRSMsg`/`RC:ReadNtf`, whichever client sent it) and the
 * owner's inbox (store/unread-count-repository.ts): the same numbers on every device and after a reinstall.
 *
 * - `pullSe` (SessionQryInput{version,count,pageToken} → SessionsOutput): every conversation in which the user
 *   received a message within the retention window — read ones too, with count 0: a client that pulls those
 *   messages again (a fresh install pulls them all) counts only what is newer than a conversation's
 *   calibration, and a conversation missing here would be counted from scratch. Paged by `pageToken` (the
 *   client asks again while one is returned). `cutOffTime` = the app's newest stored sentTime, read before the
 *   counts (which cover exactly the messages up to it), `version` = the server time, `clearTime` = the read time
 *   they start after, `firstUnreadMsg` = the oldest unread message.
 * - `qrySessionsUnread` (QuerySessionsInput{sessions[]} → QuerySessionsOutPut): the current count of each listed
 *   conversation. 5.38 asks it only in "realtime conversation" mode (navi `sessionMode` bit 0,
 *   `getRealtimeConUnreadCounts`), which this server does not announce; it is answered for clients that do.
 * The 5.x compression flags are ignored: replies are never compressed (5.38 accepts that).
 */
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { ConversationKey } from '../store/store';
import type { UnreadCount } from '../store/unread-count-repository';
import { ProtocolError, type QueryFrame } from './wire';
import { isValidId, WireStatus } from './wire-status';
import { decodeE5, encodeE5, field, QuerySessions, SessionQryInput, SessionsOutput } from './e5-wire';
import type { E5Object, Schema } from './e5-wire';

/** Conversations per `pullSe` page when the client names no count (5.38 names none). */
export const PULL_SE_PAGE = 100;
const MAX_PULL_SE_PAGE = 200;
/** Conversations per `qrySessionsUnread` (5.38 passes the app's list through; RongCloud caps it at 100). */
const MAX_QUERIED_SESSIONS = 100;
const DAY_MS = 86_400_000;
/** Conversation types with an inbox: private, discussion, group, customer service, system, public services. */
const INBOX_TYPES: ReadonlySet<number> = new Set([1, 2, 3, 5, 6, 7, 8]);

type QueryHandler = (port: SessionPort, frame: QueryFrame) => Promise<void> | void;

function read(port: SessionPort, frame: QueryFrame, schema: Schema): E5Object | undefined {
  try {
    return decodeE5(schema, frame.payload);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    return undefined;
  }
}

/** `type:targetId` of the last conversation of a page; ids hold no `:`-sensitive meaning, only the first one splits. */
function pageToken(next: ConversationKey): string {
  return `${next.type}:${next.targetId}`;
}

function parsePageToken(token: string): ConversationKey | undefined | 'invalid' {
  if (token === '') return undefined;
  const colon = token.indexOf(':');
  const type = Number(token.slice(0, colon));
  const targetId = token.slice(colon + 1);
  return colon > 0 && Number.isInteger(type) && isValidId(targetId) ? { type, targetId } : 'invalid';
}

function unreadInfo(unread: UnreadCount, cutOffTime: number): E5Object {
  const first = unread.firstUnread;
  return {
    cnt: unread.count,
    // The entry's mention bit is "this owner was mentioned" (@all included): both counters carry it.
    mentionCnt: unread.mentionCount,
    mentionMeCnt: unread.mentionCount,
    clearTime: unread.readTime,
    cutOffTime,
    ...(first !== undefined ? { firstUnreadMsg: { msgId: first.uid, msgTime: first.sentTime, className: first.objectName } } : {}),
  };
}

function retentionStart(ctx: ServerContext, appKey: string, now: number): number {
  return now - (ctx.apps.get(appKey)?.offlineRetentionDays ?? 7) * DAY_MS;
}

export function e5UnreadQueries(ctx: ServerContext): Array<[string, QueryHandler]> {
  const pullSe: QueryHandler = async (port, frame) => {
    const req = read(port, frame, SessionQryInput);
    if (req === undefined) return;
    const after = parsePageToken(field.str(req, 'pageToken'));
    if (after === 'invalid') return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    const asked = field.num(req, 'count');
    const limit = asked > 0 ? Math.min(asked, MAX_PULL_SE_PAGE) : PULL_SE_PAGE;
    const { appKey, userId } = port.info;
    const now = ctx.clock.now();
    // The counts cover the messages up to the app's clock read first (all committed, so the count sees them); the
    // client counts the later ones itself (cutOffTime). Cut at a clock reading instead, a message committed after
    // the count but timed at or before it — the same millisecond, a node whose clock is behind — counted nowhere.
    const cutOff = await ctx.store.messages.lastSentTime(appKey);
    const page = await ctx.store.unreadCounts.listInbox(appKey, userId, cutOff, retentionStart(ctx, appKey, now), limit, after);
    const payload = encodeE5(SessionsOutput, {
      session: page.items.map((unread) => ({
        targetId: unread.conversation.targetId,
        busChannel: '',
        type: unread.conversation.type,
        version: now,
        unread: unreadInfo(unread, cutOff),
      })),
      ...(page.next !== undefined ? { pageToken: pageToken(page.next) } : {}),
    });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };

  const qrySessionsUnread: QueryHandler = async (port, frame) => {
    const req = read(port, frame, QuerySessions);
    if (req === undefined) return;
    const sessions = field.objects(req, 'sessions');
    const conversations = sessions.map((s) => ({ type: field.num(s, 'type'), targetId: field.str(s, 'channelId') }));
    if (conversations.length > MAX_QUERIED_SESSIONS || conversations.some((c) => !INBOX_TYPES.has(c.type) || !isValidId(c.targetId))) {
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    const { appKey, userId } = port.info;
    const now = ctx.clock.now();
    const counts = await ctx.store.unreadCounts.unreadOf(appKey, userId, conversations, now, retentionStart(ctx, appKey, now));
    const payload = encodeE5(QuerySessions, {
      sessions: counts.map((c, i) => ({
        type: c.conversation.type,
        channelId: c.conversation.targetId,
        unreadCount: c.count,
        busChannel: field.str(sessions[i] ?? {}, 'busChannel'),
      })),
    });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };

  return [
    ['pullSe', pullSe],
    ['qrySessionsUnread', qrySessionsUnread],
  ];
}
