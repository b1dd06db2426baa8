/**
 * The one path every inbound message takes, whatever brought it (pullMsg page, s_msg push, echo):
 *  1. dedupe by messageUId — each message reaches the app EXACTLY once, across echo/push/pull and
 *     across reconnects (the uid set is persisted per user);
 *  2. bookkeeping — unread counts, @ state, recall decrements, read-status sync, latest message per
 *     conversation, typing state;
 *  3. routing — expansion updates (`RC:MsgExMsg`) and system log commands never reach the message
 *     listener; everything else is emitted as `message` (the facade decides about typing messages).
 */
import type { TypedEmitter } from '../../events';
import type { ImMessage } from './im-message';
import { conversationKey, Direction } from './im-message';
import type { ServiceEvents } from './service-events';
import type { TypingTracker } from './typing-tracker';
import type { UserSession } from './user-session';

const NO_CONTENT: Readonly<Record<string, unknown>> = Object.freeze({});

export class ReceivePipeline {
  constructor(
    private readonly events: TypedEmitter<ServiceEvents>,
    private readonly typing: TypingTracker,
  ) {}

  /** One pullMsg page, in server order. */
  receivePage(session: UserSession, messages: readonly ImMessage[], finished: boolean): void {
    const fresh = messages.filter((m) => session.markSeen(m.messageUId));
    for (let index = 0; index < fresh.length; index++) {
      const leftCount = fresh.length - 1 - index;
      this.process(session, fresh[index] as ImMessage, leftCount, !finished || leftCount > 0);
    }
  }

  /** A single pushed or echoed message. */
  receiveOne(session: UserSession, message: ImMessage): void {
    if (!session.markSeen(message.messageUId)) return;
    this.process(session, message, 0, false);
  }

  private process(session: UserSession, message: ImMessage, leftCount: number, hasMore: boolean): void {
    const me = session.userId;
    const content = message.content ?? NO_CONTENT;
    switch (message.objectName) {
      case 'RC:RcCmd': {
        const uid = content['messageUId'];
        if (typeof uid === 'string') session.unread.onRecalled(message.conversationType, message.targetId, uid);
        break;
      }
      case 'RC:SRSMsg': {
        // Only our own devices' read-status sync clears our counts; never a peer's. It clears what this device
        // counted up to the marked time, never beyond (unread-store.ts clearCounted).
        if (message.senderUserId === me) {
          const marked = Number(content['lastMessageSendTime']);
          session.unread.clearCounted(message.conversationType, message.targetId, Number.isFinite(marked) && marked > 0 ? marked : message.sentTime);
        }
        break;
      }
      case 'RC:TypSts':
        if (message.senderUserId !== me && message.direction === Direction.Receive) this.typing.onTyping(message);
        break;
      case 'RC:MsgExMsg':
        this.expansion(message);
        return;
      case 'RC:LogCmdMsg':
        if (message.senderUserId === 'rongcloudsystem') return;
        break;
      default:
        break;
    }
    // One key for both maps (a string built and hashed once per message, not twice).
    const key = conversationKey(message.conversationType, message.targetId);
    session.unread.onReceived(message, key);
    rememberLatest(session, message, key);
    this.events.emit('message', { message, leftCount, hasMore });
  }

  private expansion(message: ImMessage): void {
    const content = message.content ?? {};
    const messageUId = typeof content['mid'] === 'string' ? content['mid'] : '';
    const put = content['put'];
    if (typeof put === 'object' && put !== null && !Array.isArray(put)) {
      const expansion: Record<string, string> = {};
      for (const [key, value] of Object.entries(put)) expansion[key] = String(value);
      this.events.emit('expansionUpdated', { messageUId, expansion });
    }
    const del = content['del'];
    if (Array.isArray(del)) this.events.emit('expansionDeleted', { messageUId, deletedKeys: del.map(String) });
  }
}

/** Keeps the newest persisted message of each conversation for the conversation list (R292 `ne()`). */
export function rememberLatest(session: UserSession, message: ImMessage, key = conversationKey(message.conversationType, message.targetId)): void {
  if (!message.persisted || message.status) return;
  const previous = session.latest.get(key);
  if (!previous || previous.sentTime <= message.sentTime) session.latest.set(key, message);
}
