/**
 * Remote history (API_CHECKLIST §3.8, PROTOCOL.md §6.3): paging by time, deleting given messages,
 * clearing everything before a time. The server returns pages newest first; the app gets each page
 * oldest first, as the official client delivers it (test/interop checks the official behaviour).
 * order 0 = messages older than `timestamp`, 1 = newer; `timestamp` 0 = now.
 * A chatroom (type 4) is asked on `qryCHMsg` as engine 4.4.2 does for getHistoryMessages: frame target the
 * user's own id like every other history query, the room in the payload's `targetId` (the server reads the
 * payload); the server answers 23414 when the app keeps no chatroom history, 23406/23410 outside the room.
 * The user's own room messages come back as sent (direction 1), as 4.4.2 maps them on this path.
 */
import { decodeByName, encodeByName } from '../../protocol/messages';
import { ErrorCode, SdkError } from '../../errors';
import type { ServiceEngine } from './engine-port';
import type { ImMessage, WireContext } from './im-message';
import { fromDownStream } from './im-message';
import type { UserSession } from './user-session';

const HISTORY_TOPICS: Readonly<Record<number, string>> = { 1: 'qryPMsg', 2: 'qryDMsg', 3: 'qryGMsg', 4: 'qryCHMsg', 5: 'qryCMsg', 6: 'qrySMsg' };
const CLEAN_TOPICS: Readonly<Record<number, string>> = { 1: 'cleanPMsg', 2: 'cleanDMsg', 3: 'cleanGMsg', 5: 'cleanCMsg', 6: 'cleanSMsg' };
export const MAX_DELETE_MESSAGES = 100;

export interface HistoryPage {
  readonly messages: ImMessage[];
  readonly hasMore: boolean;
}

export interface DeleteItem {
  readonly messageUId: string;
  readonly sentTime: number;
  readonly messageDirection: number;
}

function topicFor(table: Readonly<Record<number, string>>, conversationType: number): string {
  const topic = table[conversationType];
  if (topic === undefined) throw new SdkError(ErrorCode.BIZ_ERROR_INVALID_PARAMETER, `no remote history for conversation type ${conversationType}`);
  return topic;
}

export class HistoryService {
  constructor(private readonly engine: ServiceEngine) {}

  async page(session: UserSession, context: WireContext, conversationType: number, targetId: string, timestamp: number, count: number, order: 0 | 1): Promise<HistoryPage> {
    const topic = topicFor(HISTORY_TOPICS, conversationType);
    // count 1 at "now" is asked as 2 and trimmed, as the official engine does (seed 2.7.5 edge case).
    const asked = count === 1 && timestamp === 0 ? 2 : count;
    const payload = encodeByName('HistoryMsgInput', { targetId, time: timestamp, count: asked, order });
    const ack = await this.engine.query(topic, session.userId, payload);
    if (ack.status !== 0) throw new SdkError(ack.status);
    const out = decodeByName('HistoryMsgOuput', ack.payload);
    // The conversation is the one asked for, whatever the entry's own fields say (E4 does the same).
    let list = out.list.map((d) => ({ ...fromDownStream(d, context), targetId }));
    list.sort((a, b) => a.sentTime - b.sentTime);
    let hasMore = Number(out.hasMsg) !== 0;
    if (asked > count) {
      hasMore = hasMore || list.length > count;
      list = order === 0 ? list.slice(-count) : list.slice(0, count);
    }
    return { messages: list, hasMore };
  }

  /** Deletes up to 100 of the caller's messages from the server (`delMsg`). */
  async deleteMessages(session: UserSession, conversationType: number, targetId: string, items: readonly DeleteItem[]): Promise<void> {
    const payload = encodeByName('DeleteMsgInput', {
      type: conversationType,
      conversationId: targetId,
      msgs: items.map((item) => ({ msgId: item.messageUId, msgDataTime: item.sentTime, direct: item.messageDirection })),
    });
    const ack = await this.engine.query('delMsg', session.userId, payload);
    if (ack.status !== 0) throw new SdkError(ack.status);
  }

  /**
   * Deletes everything sent before `timestamp` from the caller's history (`clean*Msg`); 0 = everything stored, sent
   * as 0 for the server to read as its newest message's time. A time estimated from the device clock (2.9.2 sends its
   * raw device time) cleared nothing when that clock had been set back since the connect, and would keep messages
   * stored in between.
   */
  async clearBefore(session: UserSession, conversationType: number, targetId: string, timestamp: number): Promise<void> {
    const topic = topicFor(CLEAN_TOPICS, conversationType);
    const payload = encodeByName('CleanHisMsgInput', { targetId, dataTime: timestamp > 0 ? timestamp : 0, conversationType });
    const ack = await this.engine.query(topic, session.userId, payload);
    if (ack.status !== 0) throw new SdkError(ack.status === 1 ? ErrorCode.CLEAR_HIS_TIME_ERROR : ack.status);
  }
}
