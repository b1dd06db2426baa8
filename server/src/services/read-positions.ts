/**
 * Server-kept read positions (issue #7, a Lianxin addition; docs/PROTOCOL-NOTES.md): the server remembers up
 * to when each user has read each conversation, so our SDK can make its local unread counts agree on every
 * device, after a cache clear and after a reinstall.
 *
 * Positions move forward when
 * - our SDK clears (`lxReadPos` QUERY: items = the conversations cleared, `clearAll` = everything up to now,
 *   `floor` = everything up to a given time: a clearAll made offline), and
 * - any client — the official ones included — sends a read-status sync (`RC:SRSMsg`) or a private read
 *   receipt (`RC:ReadNtf`): observed on the send path, `lastMessageSendTime` (else the message's time).
 * After a move the owner's other sessions get `s_cmd` type 100 (READ_POSITIONS_CHANGED), which the official
 * clients ignore (E4 acts on types 2 and 3 only; L2 cannot decode s_cmd over WebSocket), and our SDK answers
 * with an `lxReadPos` from its last version. In apps with server-side unread (`serverSaveUnread`) the official
 * clients are told too, with the read-status sync they understand (`syncOfficialClients`).
 * Read receipts V4/V5 of engine 5.x move positions through `markRead` (e5-read-receipts.ts).
 */
import { rc, decodeMessage, decodeUtf8, encodeMessage, encodeUtf8, newMessageUidFor, ProtocolError, type QueryFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { ConversationKey } from '../store/store';
import { Direction } from '../store/store';
import type { ReadPosition } from '../store/read-position-repository';
import { toDownStream } from './message-view';
import { encodeDownStream } from './downstream-encode';
import type { MessagingService } from './messaging';
import type { SentMessage } from './message-filter-chain';
import { isValidId, WireStatus } from './wire-status';

/** s_cmd NotifyMsg type: "read positions changed, lxReadPos". */
export const READ_POSITIONS_CHANGED = 100;
/** Positions per answer; the client asks again from `version` while `hasMore`. */
export const READ_POSITIONS_PAGE = 500;
/** Conversations per request. */
const MAX_ITEMS = 1000;
/** Messages that say "I have read up to here" (their sender's position moves). */
const READ_MARKERS: ReadonlySet<string> = new Set(['RC:SRSMsg', 'RC:ReadNtf']);

function validType(type: number): boolean {
  return Number.isInteger(type) && type >= 1 && type <= 12 && type !== 4;
}

export class ReadPositionService {
  constructor(
    private readonly ctx: ServerContext,
    private readonly messaging: MessagingService,
  ) {}

  /** The `lxReadPos` QUERY handler. */
  readonly handle = async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    let req: rc.ReadPositionReq;
    try {
      req = decodeMessage(rc.ReadPositionReq, frame.payload, 'ReadPositionReq');
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    const items = req.items ?? [];
    if (items.length > MAX_ITEMS || items.some((i) => !validType(i.type) || !isValidId(i.targetId) || !(Number(i.readTime) >= 0))) {
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    const { appKey, userId } = port.info;
    const now = this.ctx.clock.now();
    // Nothing is ever read past what is stored: 0 = everything the server already had, and every time is capped
    // at the app's clock (its newest committed sentTime). A wall-clock bound counted as read a message stored
    // after the clear — in the same millisecond, by a node whose clock is behind, or before a time a device's
    // skewed clock put in the future — and lost its count and its @.
    const floorAsked = Math.max(0, Number(req.floor ?? 0));
    const horizon = items.length > 0 || req.clearAll === true || floorAsked > 0 ? await this.ctx.store.messages.lastSentTime(appKey) : 0;
    const wanted = items.map((i) => ({ conversation: { type: i.type, targetId: i.targetId }, readTime: Math.min(Number(i.readTime) || horizon, horizon) }));
    const moved = wanted.length > 0 ? await this.ctx.store.readPositions.advance(appKey, userId, wanted, now) : [];
    let changed = moved.length > 0;
    const floorTime = req.clearAll === true ? horizon : Math.min(floorAsked, horizon);
    if (floorTime > 0) {
      // Conversation type 0 never exists: its read time is the floor alone.
      const before = await this.ctx.store.readPositions.readTime(appKey, userId, { type: 0, targetId: '' });
      const floor = await this.ctx.store.readPositions.advanceFloor(appKey, userId, floorTime, now);
      changed = changed || floor.readTime > before;
    }
    const since = Math.max(0, Number(req.since));
    const page = await this.ctx.store.readPositions.changedSince(appKey, userId, since, READ_POSITIONS_PAGE);
    const last = page.positions[page.positions.length - 1];
    const version = page.hasMore && last ? last.version : Math.max(since, last?.version ?? 0, page.floor.version);
    const payload = encodeMessage(rc.ReadPositionOutput, {
      items: page.positions.map((p) => ({ type: p.conversation.type, targetId: p.conversation.targetId, readTime: p.readTime })),
      version,
      floor: page.floor.readTime,
      hasMore: page.hasMore,
    });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
    if (changed) this.notify(appKey, userId, version, port.info.sessionId);
    this.syncOfficialClients(appKey, userId, moved, port.info.sessionId);
  };

  /** Observer of accepted client sends: read-status syncs and read receipts move the sender's position. */
  readonly observe = (message: SentMessage): void => {
    if (!READ_MARKERS.has(message.objectName) || message.status) return;
    const conversation: ConversationKey = { type: message.conversationType, targetId: message.targetId };
    if (!validType(conversation.type)) return;
    const marked = markedTime(message.content) ?? (message.sentTime || this.ctx.clock.now());
    if (!(marked > 0)) return;
    const { appKey, fromUserId } = message;
    // Capped at what is stored, as lxReadPos is (not at the marker's own time, a clock reading that a burst's
    // messages can be timed ahead of): engine 5.x marks "read up to now" with its estimate of the server time.
    this.ctx.store.messages.lastSentTime(appKey).then((horizon) => {
      const readTime = Math.min(marked, horizon);
      return readTime > 0 ? this.ctx.store.readPositions.advance(appKey, fromUserId, [{ conversation, readTime }], this.ctx.clock.now()) : [];
    }).then(
      (moved) => {
        const version = moved[moved.length - 1]?.version;
        if (version !== undefined) this.notify(appKey, fromUserId, version, message.sessionId);
        // An RC:SRSMsg already reaches the sender's other devices (echo); a read receipt does not.
        if (message.objectName !== 'RC:SRSMsg') this.syncOfficialClients(appKey, fromUserId, moved, message.sessionId);
      },
      (error: unknown) => this.ctx.log.warn('read position update failed', { appKey, userId: fromUserId, error: String(error) }),
    );
  };

  /**
   * Moves `userId`'s read position of `conversation` up to `readTime` (never back; a read receipt V4/V5 means
   * "read up to here") and tells the user's other sessions, as a read-status sync does. Capped at what is stored
   * (the app's clock), not at this node's clock: a stored message may be timed ahead of it (a burst, a node ahead).
   */
  async markRead(appKey: string, userId: string, conversation: ConversationKey, readTime: number, exceptSessionId: string): Promise<void> {
    if (!validType(conversation.type) || !(readTime > 0)) return;
    const horizon = await this.ctx.store.messages.lastSentTime(appKey);
    const moved = await this.ctx.store.readPositions.advance(appKey, userId, [{ conversation, readTime: Math.min(readTime, horizon) }], this.ctx.clock.now());
    const version = moved[moved.length - 1]?.version;
    if (version !== undefined) this.notify(appKey, userId, version, exceptSessionId);
    this.syncOfficialClients(appKey, userId, moved, exceptSessionId);
  }

  /**
   * Apps with server-side unread (`serverSaveUnread`, e5-unread.ts): positions moved by our SDK or by a read
   * receipt also reach the user's other online official clients, as the read-status sync they understand —
   * an `RC:SRSMsg` from the user itself (`s_msg`, SEND direction) timed 1 ms after the read time, so a client
   * clears the conversation only if it has counted nothing newer. Without it, 5.x would catch up on its next
   * connect. (A message stored in that very millisecond would be cleared on those clients: the price of the
   * 5.x rule, which reads the sync's own time, not its `lastMessageSendTime`.)
   */
  private syncOfficialClients(appKey: string, userId: string, moved: readonly ReadPosition[], exceptSessionId: string): void {
    if (moved.length === 0 || this.ctx.apps.get(appKey)?.serverSaveUnread !== true) return;
    for (const position of moved) {
      const { type, targetId } = position.conversation;
      // Timed just after the read message: engine 5.x ignores a read-status sync not newer than what it holds
      // (a position is now often exactly the newest message's time), and clears up to the sync's own time.
      const sentTime = position.readTime + 1;
      const downStream = toDownStream({
        message: {
          appKey,
          uid: newMessageUidFor(sentTime),
          sentTime,
          fromUserId: userId,
          conversationType: type,
          targetId,
          objectName: 'RC:SRSMsg',
          content: encodeUtf8(JSON.stringify({ lastMessageSendTime: position.readTime })),
          flags: 0,
          recalled: false,
        },
        direction: Direction.Send,
        mentioned: false,
      });
      this.messaging.pushToUser(appKey, userId, 's_msg', encodeDownStream(downStream), exceptSessionId);
    }
  }

  private notify(appKey: string, userId: string, version: number, exceptSessionId: string): void {
    this.messaging.pushToUser(appKey, userId, 's_cmd', encodeMessage(rc.NotifyMsg, { type: READ_POSITIONS_CHANGED, time: version }), exceptSessionId);
  }
}

/** `lastMessageSendTime` of a read marker's JSON content, if it is a positive number. */
function markedTime(content: Uint8Array): number | undefined {
  try {
    const value: unknown = JSON.parse(decodeUtf8(content));
    if (typeof value !== 'object' || value === null) return undefined;
    const time = Number((value as Record<string, unknown>)['lastMessageSendTime']);
    return Number.isFinite(time) && time > 0 ? time : undefined;
  } catch {
    return undefined;
  }
}
