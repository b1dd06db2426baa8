import type { rc } from '../../../src/internal';
import type { StoredMessage, SyncEntry } from '../store/store';
import { Direction } from '../store/store';

/** Conversation types whose conversation id travels in `DownStreamMessage.groupId` (PROTOCOL.md §7.2). */
const GROUP_ID_TYPES: ReadonlySet<number> = new Set([2, 3, 4, 12]);

/** DownStreamMessage.status bits (PROTOCOL.md §9.3): the upstream sessionId bits shifted left by 4. */
export const StatusBit = { Retrieved: 2, Persisted: 16, Counted: 32, Mentioned: 64 } as const;

/**
 * The send topic of a conversation type whose multi-device echo both client generations file under that type
 * (PROTOCOL.md §5.5: E4 maps `ppMsgP`→1, `pgMsgP`→3, `pcMsgP`→5 and anything else to PRIVATE, so a type not
 * listed gets no echo). Used for sends that had no client PUBLISH to echo (the Server API's).
 */
export function echoTopicFor(conversationType: number): string | undefined {
  return conversationType === 1 ? 'ppMsgP' : conversationType === 3 ? 'pgMsgP' : conversationType === 5 ? 'pcMsgP' : undefined;
}

/** UpStreamMessage.sessionId bits (PROTOCOL.md §9.2). */
export const FlagBit = { Persisted: 1, Counted: 2, Mentioned: 4, NoPush: 32, Expansion: 64 } as const;

/**
 * `status` for one owner: every upstream bit shifted by 4, except "mentioned", which is set only for
 * owners actually mentioned (a group @ to u2 must not flag u3's copy).
 */
export function statusFor(flags: number, mentioned: boolean): number {
  const shifted = (flags & ~FlagBit.Mentioned) << 4;
  return mentioned ? shifted | StatusBit.Mentioned : shifted;
}

/**
 * A stored message as its owner receives it in pullMsg, history and the conversation list. For SEND
 * entries of one-to-one conversations `fromUserId` is the peer (E4 reads the target from it whatever the
 * direction, PROTOCOL.md §8.3 rule 6); group-like conversations carry their id in `groupId`.
 */
export function toDownStream(entry: SyncEntry): rc.IDownStreamMessage {
  const m = entry.message;
  const groupLike = GROUP_ID_TYPES.has(m.conversationType);
  const fromUserId = entry.direction === Direction.Send && !groupLike ? m.targetId : m.fromUserId;
  const out: rc.IDownStreamMessage = {
    fromUserId,
    type: m.conversationType,
    classname: m.objectName,
    content: m.content,
    dataTime: m.sentTime,
    status: statusFor(m.flags, entry.mentioned),
    msgId: m.uid,
    direction: entry.direction,
  };
  if (groupLike) out.groupId = m.targetId;
  if (m.extraContent !== undefined) out.extraContent = m.extraContent;
  if (m.pushContent !== undefined) out.pushContent = m.pushContent;
  if (m.configFlag !== undefined) out.configFlag = m.configFlag;
  return out;
}

/** A message that is delivered but never stored (status / non-persisted), as its recipient sees it. */
export function transientDownStream(m: Omit<StoredMessage, 'appKey' | 'recalled'>, mentioned: boolean): rc.IDownStreamMessage {
  return toDownStream({ message: { ...m, appKey: '', recalled: false }, direction: Direction.Receive, mentioned });
}
