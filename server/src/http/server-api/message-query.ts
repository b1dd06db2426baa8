/**
 * `v3/message/{private,group,chatroom}/query` (SERVER_API.md §2.2, JSON bodies): one page of a conversation's
 * stored history, read where clients read remote history, so the answer is what the user's clients would get:
 *
 * - private (`qryPMsg`): `userId`'s conversation with `targetId` as that user sees it — cleared, deleted and
 *   recalled messages left out;
 * - group (`qryGMsg`): `userId`'s view of group `targetId`, with the messages from before its join when the app
 *   shares them (`groupHistoryBeforeJoin`);
 * - chatroom (`qryCHMsg`): room `targetId`'s persisted messages (the same for every user; recalled ones left out);
 *   1009 when the app keeps no room history (a client gets 23414).
 *
 * Body `{userId, targetId, startTime, endTime, pageSize?, includeStart?, busChannel?}`; numbers and booleans
 * are accepted as JSON values or as strings (server-sdk-go sends every field as a string). The page holds the
 * OLDEST messages with `startTime < msgTime ≤ endTime` (`startTime ≤ msgTime` when `includeStart`, the default),
 * ascending by `msgTime`, at most `pageSize` (1–100, default 50): call again with `startTime` = the last
 * `msgTime` and `includeStart: false` for the next page. `endTime` must not be before `startTime`. This server
 * keeps no business channels: every message is in the default channel, so a non-empty `busChannel` matches
 * nothing. Bad input is 1002 naming the field. Ultragroups are not supported (`ultragroup/query` stays 1009).
 *
 * Answer `{code, data:[{targetId, fromUserId, messageUID, msgTime, objectName, content, expansion,
 * extraContent, busChannel}]}` (server-sdk-go `HistoryMessage`): `targetId` as the sender addressed it (the
 * recipient, the group, the room), `content` and `extraContent` (the message's expansion, `{"key":{"v":…}}`)
 * as JSON text, `expansion` whether the message was sent expandable.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ServerContext } from '../../context';
import type { Chatrooms } from '../../services/chatrooms/index';
import { groupHistoryReader } from '../../services/groups/group-history';
import type { HistoryReader } from '../../services/history';
import { decodeUtf8 } from '../../services/wire';
import type { ServerApiHandler, ServerApiModule } from './index';
import type { Params } from './params';
import { USER_ID_RULE } from './user';

export const QUERY_DEFAULT_PAGE_SIZE = 50;
export const QUERY_MAX_PAGE_SIZE = 100;
const TARGET_RULE = { maxBytes: 64, pattern: /^[^\s]+$/ } as const;
/** Message bit "sent expandable" (UpStreamMessage.sessionId 64). */
const EXPANSION_FLAG = 64;
const PRIVATE = 1;
const GROUP = 3;

interface QueryInput {
  readonly userId: string;
  readonly targetId: string;
  /** Exclusive lower bound (includeStart already applied). */
  readonly after: number;
  readonly endTime: number;
  readonly pageSize: number;
  /** A non-empty busChannel: nothing matches. */
  readonly otherChannel: boolean;
}

/** One message of the answer. */
interface QueriedMessage {
  readonly targetId: string;
  readonly fromUserId: string;
  readonly messageUID: string;
  readonly msgTime: number;
  readonly objectName: string;
  readonly content: string;
  readonly expansion: boolean;
  readonly extraContent: string;
  readonly busChannel: string;
}

function requiredTime(params: Params, name: string): number {
  if ((params.optionalString(name) ?? '').trim() === '') throw apiError(ServerApiErrors.badParameter, `${name} is required`);
  return params.integer(name, { min: 0, max: Number.MAX_SAFE_INTEGER });
}

function readQuery(params: Params): QueryInput {
  const userId = params.requiredString('userId', USER_ID_RULE);
  const targetId = params.requiredString('targetId', TARGET_RULE);
  const startTime = requiredTime(params, 'startTime');
  const endTime = requiredTime(params, 'endTime');
  if (endTime < startTime) throw apiError(ServerApiErrors.badParameter, 'endTime must not be before startTime');
  // 0 stays out of range (unlike user/remarks/get's `size`): the official SDKs leave pageSize out when unset
  // (server-sdk-go drops a 0, the Java SDK a null), so a 0 here was asked for.
  const pageSize = params.integer('pageSize', { min: 1, max: QUERY_MAX_PAGE_SIZE, fallback: QUERY_DEFAULT_PAGE_SIZE });
  const includeStart = params.boolean('includeStart', true);
  const busChannel = params.optionalString('busChannel', { maxLength: 20 }) ?? '';
  return { userId, targetId, after: includeStart ? startTime - 1 : startTime, endTime, pageSize, otherChannel: busChannel !== '' };
}

function entryOf(message: { readonly targetId: string; readonly fromUserId: string; readonly uid: string; readonly sentTime: number; readonly objectName: string; readonly content: Uint8Array; readonly flags: number; readonly extraContent?: string }): QueriedMessage {
  return {
    targetId: message.targetId,
    fromUserId: message.fromUserId,
    messageUID: message.uid,
    msgTime: message.sentTime,
    objectName: message.objectName,
    content: decodeUtf8(message.content),
    expansion: (message.flags & EXPANSION_FLAG) !== 0,
    extraContent: message.extraContent ?? '',
    busChannel: '',
  };
}

/** Newest-first pages (as every history reader returns them) → the page's messages up to endTime, oldest first. */
function ascendingUpTo<T extends { readonly sentTime: number }>(newestFirst: readonly T[], endTime: number): T[] {
  const out: T[] = [];
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const message = newestFirst[i] as T;
    if (message.sentTime > endTime) break;
    out.push(message);
  }
  return out;
}

function ownerQuery(ctx: ServerContext, conversationType: number, read: HistoryReader): ServerApiHandler {
  return ({ app, params }) => {
    const query = readQuery(params);
    return async () => {
      if (query.otherChannel) return { data: [] };
      const page = await read({
        appKey: app.appKey,
        owner: query.userId,
        conversation: { type: conversationType, targetId: query.targetId },
        time: Math.max(0, query.after),
        count: query.pageSize,
        order: 1,
      });
      return { data: ascendingUpTo(page.messages.map((entry) => entry.message), query.endTime).map(entryOf) };
    };
  };
}

export function messageQueryRoutes(chatrooms: Chatrooms): ServerApiModule {
  return (ctx) => ({
    'v3/message/private/query': ownerQuery(ctx, PRIVATE, (query) => ctx.store.messages.history(query)),
    'v3/message/group/query': ownerQuery(ctx, GROUP, groupHistoryReader(ctx)),
    'v3/message/chatroom/query': ({ app, params }) => {
      const query = readQuery(params);
      if (!chatrooms.service.options(app.appKey).historyEnabled) throw apiError(ServerApiErrors.notEnabled, 'chatroom history is not kept for this app');
      return async () => {
        if (query.otherChannel) return { data: [] };
        const page = await chatrooms.service.history(app.appKey, query.targetId, Math.max(0, query.after), query.pageSize, 1);
        return { data: ascendingUpTo(page.messages, query.endTime).map((message) => entryOf({ ...message, targetId: message.roomId })) };
      };
    },
  });
}
