import { rc, decodeMessage, encodeMessage, ProtocolError, type QueryFrame } from './wire';
import type { ClientKind, SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { ConversationState } from '../store/store';
import type { ConversationTagLink } from '../store/tag-repository';
import { conversationTagKey } from '../store/tag-repository';
import type { MessagingService } from './messaging';
import { tagsStateItem } from './tags';
import { isValidId, WireStatus } from './wire-status';

/** SessionStateType (PROTOCOL.md §7.5). Tags (3) are written by `addTag`/`delTag` (tags.ts) and read here. */
const StateType = { IsSilent: 1, IsTop: 2 } as const;
/** States per pullSeAtts answer; the client asks again from the returned version. */
const STATES_PAGE = 500;
/** s_cmd NotifyMsg type meaning "conversation status changed, pullSeAtts" (§5.4). */
const CONVERSATION_STATUS_CHANGED = 3;

/**
 * Engine 5.x NotificationLevel values a conversation may have (index.d.ts): -1 ALL_MESSAGE (notify everything,
 * explicitly), 0 NOT_SET (the default: the type's / app's setting applies), 1 AT_MESSAGE_NOTIFICATION (@ messages only;
 * a private chat: everything), 2 AT_USER_NOTIFICATION (@ me), 4 AT_GROUP_ALL_USER_NOTIFICATION (@ all), 5
 * NOT_MESSAGE_NOTIFICATION (nothing). 3 (@ a user group) is not implemented by RongCloud.
 */
export const NOTIFICATION_LEVELS: ReadonlySet<number> = new Set([-1, 0, 1, 2, 4, 5]);

/**
 * Whether a level is "do not disturb" for the clients that only know on/off (2.x's notificationStatus, our SDK's
 * `isMuted`, `includeMuted` of the unread totals, the Server API's `isMuted`): every level above 0, as engine 5.x's own
 * `trans2NotificationStatus` (level <= NOT_SET → CLOSE, else OPEN) and `getBlockedConversationList` (level > NOT_SET).
 */
export function isMutedLevel(level: number): boolean {
  return level > 0;
}

/**
 * The IsSilent item's value for a client: engine 5.x reads the level (`parseInt(value)`; 5.7.3 `Number(value)`),
 * 2.x and our SDK read '1' as do-not-disturb and anything else as off.
 */
function silentValue(level: number, clientKind: ClientKind): string {
  if (clientKind === 'E5') return String(level);
  return isMutedLevel(level) ? '1' : '0';
}

/**
 * An IsSilent value as a level, or undefined when it is none: 2.x and our SDK send '1' / '0', which are levels 1
 * (RongCloud's level for "do not disturb": `trans2NotificationLevel(OPEN)`) and 0; engine 5.x sends the level.
 */
function levelOf(value: string): number | undefined {
  if (!/^-?\d+$/.test(value)) return undefined;
  const level = Number(value);
  return NOTIFICATION_LEVELS.has(level) ? level : undefined;
}

function read<T>(port: SessionPort, frame: QueryFrame, type: { decode(bytes: Uint8Array): T }, name: string): T | undefined {
  try {
    return decodeMessage(type, frame.payload, name);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    return undefined;
  }
}

/** Every item, the tags one included even when empty: E4 replaces a conversation's tags with what it pulls. */
function toWire(state: ConversationState, tags: readonly ConversationTagLink[], clientKind: ClientKind): rc.ISessionState {
  return {
    type: state.conversation.type,
    channelId: state.conversation.targetId,
    time: state.updatedTime,
    stateItem: [
      { sessionStateType: StateType.IsSilent, value: silentValue(state.notificationLevel, clientKind) },
      { sessionStateType: StateType.IsTop, value: state.isTop ? '1' : '0' },
      tagsStateItem(tags),
    ],
  };
}

/**
 * `pullSeAtts`: the owner's conversation top / notification-level states changed after `time`, oldest first. `version`
 * is the newest `updatedTime` returned (or the request's time when nothing changed), which E4 stores as
 * its next cursor. Always a complete SessionStates (both clients reject a missing required field).
 */
export function createPullSessionStatesHandler(ctx: ServerContext) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const req = read(port, frame, rc.SessionReq, 'SessionReq');
    if (!req) return;
    const since = Math.max(0, req.time);
    const { appKey, userId } = port.info;
    const states = await ctx.store.conversationStates.changedSince(appKey, userId, since, STATES_PAGE);
    const tags = await ctx.store.tags.tagsOf(appKey, userId, states.map((s) => s.conversation));
    const version = states.length > 0 ? (states[states.length - 1] as ConversationState).updatedTime : since;
    const state = states.map((s) => toWire(s, tags.get(conversationTagKey(s.conversation)) ?? [], port.info.clientKind));
    port.queryAck(frame.messageId, WireStatus.Ok, encodeMessage(rc.SessionStates, { version, state }), frame.topic);
  };
}

/**
 * `setSeAtt`: top / notification level for one or more conversations. Stored per owner, answered with the
 * new version, then the owner's other sessions are told (`s_cmd` type 3) to pull the change, each in its own terms
 * (`pullSeAtts`: the level for engine 5.x, on/off for the others). Items with a value that is not '0'/'1' (top) or
 * a level (IsSilent) are skipped, and a change with nothing left is 33003 (so is level 3, which RongCloud has not).
 */
export function createSetSessionStateHandler(ctx: ServerContext, messaging: MessagingService) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const req = read(port, frame, rc.SessionStateModifyReq, 'SessionStateModifyReq');
    if (!req) return;
    const { appKey, userId, sessionId } = port.info;
    const changes: { conversation: { type: number; targetId: string }; change: { isTop?: boolean; notificationLevel?: number } }[] = [];
    for (const state of req.state ?? []) {
      if (!state.type || !isValidId(state.channelId)) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
      const change: { isTop?: boolean; notificationLevel?: number } = {};
      for (const item of state.stateItem ?? []) {
        if (item.sessionStateType === StateType.IsTop && (item.value === '0' || item.value === '1')) change.isTop = item.value === '1';
        else if (item.sessionStateType === StateType.IsSilent) {
          const level = levelOf(item.value);
          if (level !== undefined) change.notificationLevel = level;
        }
      }
      if (change.isTop !== undefined || change.notificationLevel !== undefined) changes.push({ conversation: { type: state.type, targetId: state.channelId }, change });
    }
    if (changes.length === 0) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    let version = 0;
    for (const { conversation, change } of changes) {
      version = (await ctx.store.conversationStates.update(appKey, userId, conversation, change, ctx.clock.now())).updatedTime;
    }
    port.queryAck(frame.messageId, WireStatus.Ok, encodeMessage(rc.SessionStateModifyResp, { version }), frame.topic);
    messaging.pushToUser(appKey, userId, 's_cmd', encodeMessage(rc.NotifyMsg, { type: CONVERSATION_STATUS_CHANGED, time: version }), sessionId);
  };
}

/** `reportsdk`: the client's SDK versions, acknowledged with status 0 and no payload (§6.8). */
export function createReportSdkHandler() {
  return (port: SessionPort, frame: QueryFrame): void => {
    port.queryAck(frame.messageId, WireStatus.Ok, undefined, frame.topic);
  };
}
