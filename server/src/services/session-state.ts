import { rc, decodeMessage, encodeMessage, ProtocolError, type QueryFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
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
function toWire(state: ConversationState, tags: readonly ConversationTagLink[]): rc.ISessionState {
  return {
    type: state.conversation.type,
    channelId: state.conversation.targetId,
    time: state.updatedTime,
    stateItem: [
      { sessionStateType: StateType.IsSilent, value: state.isSilent ? '1' : '0' },
      { sessionStateType: StateType.IsTop, value: state.isTop ? '1' : '0' },
      tagsStateItem(tags),
    ],
  };
}

/**
 * `pullSeAtts`: the owner's conversation top/DND states changed after `time`, oldest first. `version`
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
    const state = states.map((s) => toWire(s, tags.get(conversationTagKey(s.conversation)) ?? []));
    port.queryAck(frame.messageId, WireStatus.Ok, encodeMessage(rc.SessionStates, { version, state }), frame.topic);
  };
}

/**
 * `setSeAtt`: top / do-not-disturb for one or more conversations. Stored per owner, answered with the
 * new version, then the owner's other sessions are told (`s_cmd` type 3) to pull the change.
 */
export function createSetSessionStateHandler(ctx: ServerContext, messaging: MessagingService) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const req = read(port, frame, rc.SessionStateModifyReq, 'SessionStateModifyReq');
    if (!req) return;
    const { appKey, userId, sessionId } = port.info;
    const changes: { conversation: { type: number; targetId: string }; change: { isTop?: boolean; isSilent?: boolean } }[] = [];
    for (const state of req.state ?? []) {
      if (!state.type || !isValidId(state.channelId)) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
      const change: { isTop?: boolean; isSilent?: boolean } = {};
      for (const item of state.stateItem ?? []) {
        if (item.value !== '0' && item.value !== '1') continue;
        if (item.sessionStateType === StateType.IsTop) change.isTop = item.value === '1';
        else if (item.sessionStateType === StateType.IsSilent) change.isSilent = item.value === '1';
      }
      if (change.isTop !== undefined || change.isSilent !== undefined) changes.push({ conversation: { type: state.type, targetId: state.channelId }, change });
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
