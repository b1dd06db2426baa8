/**
 * The app's listeners, one slot per kind. Setting a listener REPLACES the previous one (2.9.2
 * semantics; API_CHECKLIST "Decisions": one event is never delivered twice). Each slot reads the
 * property spellings the docs use: `onChanged`/`onChange`, `onChanged`/`onChangeed`,
 * `onDeleted`/`onDelete`.
 */
import type { Logger } from '../client/logger';
import type { ChatroomStatusInfo } from '../client/services/chatroom/chatroom-service';
import type { ConversationStatus } from '../client/services/conversation-status-store';
import type { TypingConversation } from '../client/services/typing-tracker';
import type { BlockedMessageInfo } from './blocked-message';
import type { ConnectionStatus, RCConnectionStatus } from './enums';
import type { Message } from './message';

export type ListenerKind =
  | 'connectionStatus'
  | 'connectionStatusChange'
  | 'receiveMessage'
  | 'conversationStatus'
  | 'messageExpansion'
  | 'tag'
  | 'conversationTag'
  | 'typingStatus'
  | 'pullOfflineFinished'
  | 'messageBlocked'
  | 'chatRoomStatus';

/*
 * The listener objects apps pass to the RongIMClient setters, typed with what each callback receives.
 * Every spelling a slot reads (EVENT_NAMES below) is declared; method syntax keeps an app's own
 * annotations (`onChanged(status: number)`) acceptable.
 */

/** `setConnectionStatusListener`. */
export interface ConnectionStatusListener {
  onChanged?(status: ConnectionStatus): void;
  onChange?(status: ConnectionStatus): void;
}

/** `onConnectionStatusChange` (5.7): `code` (an ErrorCode) tells why, for SUSPENDED and DISCONNECTED. */
export interface ConnectionStatusChangeListener {
  onChange?(status: RCConnectionStatus, code?: number): void;
  onChanged?(status: RCConnectionStatus, code?: number): void;
}

/** `setOnReceiveMessageListener`: `leftCount` messages of the same sync page still to come, `hasMore` more follow. */
export interface ReceiveMessageListener {
  onReceived(message: Message, leftCount: number, hasMore: boolean): void;
}

/** A conversation whose top / DND status another device changed. */
export interface ReceivedConversationStatus extends ConversationStatus {
  /** Multi-organisation placeholder, always ''. */
  readonly channelId: string;
}

/** `setConversationStatusListener`. */
export interface ConversationStatusListener {
  onChanged?(list: ReceivedConversationStatus[]): void;
  onChangeed?(list: ReceivedConversationStatus[]): void;
  onChange?(list: ReceivedConversationStatus[]): void;
}

/** What `setMessageExpansionListener`'s `onUpdated` receives: the keys set (merged) on the message. */
export interface ExpansionUpdate {
  readonly messageUId: string;
  readonly expansion: Record<string, string>;
}

/** What `setMessageExpansionListener`'s `onDeleted` receives. */
export interface ExpansionDeletion {
  readonly messageUId: string;
  readonly deletedKeys: string[];
}

/** `setMessageExpansionListener`. */
export interface MessageExpansionListener {
  onUpdated?(data: ExpansionUpdate): void;
  onDeleted?(data: ExpansionDeletion): void;
  onDelete?(data: ExpansionDeletion): void;
}

/** `setTagListener` / `setConversationTagListener`: something changed; read it again. */
export interface TagListener {
  onChanged?(): void;
  onChange?(): void;
}

/** `setTypingStatusListener`: the conversations whose typing users changed. */
export interface TypingStatusListener {
  onChanged?(list: TypingConversation[]): void;
  onChange?(list: TypingConversation[]): void;
}

/** `setPullOfflineFinished`: the connection's offline-message sync is done. */
export interface PullOfflineFinishedListener {
  onFinish?(): void;
  onFinished?(): void;
}

/** `setMessageBlockedListener`. */
export interface MessageBlockedListener {
  onReceived?(info: BlockedMessageInfo): void;
}

/** `setChatRoomStatusListener`: one kind of change per call. */
export interface ChatRoomStatusListener {
  onChanged?(info: ChatroomStatusInfo): void;
  onChange?(info: ChatroomStatusInfo): void;
}

/** Callback property names read from each listener object, preferred first. */
const EVENT_NAMES = {
  connectionStatus: { changed: ['onChanged', 'onChange'] },
  connectionStatusChange: { changed: ['onChange', 'onChanged'] },
  receiveMessage: { received: ['onReceived'] },
  conversationStatus: { changed: ['onChanged', 'onChangeed', 'onChange'] },
  messageExpansion: { updated: ['onUpdated'], deleted: ['onDeleted', 'onDelete'] },
  tag: { changed: ['onChanged', 'onChange'] },
  conversationTag: { changed: ['onChanged', 'onChange'] },
  typingStatus: { changed: ['onChanged', 'onChange'] },
  pullOfflineFinished: { finished: ['onFinish', 'onFinished'] },
  messageBlocked: { received: ['onReceived'] },
  chatRoomStatus: { changed: ['onChanged', 'onChange'] },
} as const satisfies Record<ListenerKind, Record<string, readonly string[]>>;

type EventOf<K extends ListenerKind> = keyof (typeof EVENT_NAMES)[K];

export class ListenerSlots {
  private readonly slots = new Map<ListenerKind, unknown>();
  /** RTC/CallLib hooks (`messageWatch`, `statusWatch`): additive, internal plumbing. */
  readonly messageWatchers = new Set<(message: Message) => void>();
  readonly statusWatchers = new Set<(status: ConnectionStatus) => void>();
  /** `RongIMClient._voipProvider`: CallLib's receiver of VoIP signalling messages. */
  readonly voipProvider: { onReceived?: (message: Message) => void } = {};

  constructor(private readonly logger: Logger) {}

  set(kind: ListenerKind, listener: unknown): void {
    if (typeof listener !== 'object' || listener === null) {
      this.logger.warn(`listener for '${kind}' must be an object with callback properties; ignored`);
      return;
    }
    this.slots.set(kind, listener);
  }

  has(kind: ListenerKind): boolean {
    return this.slots.has(kind);
  }

  /** Whether the listener defines one of the callbacks for `event`. */
  handles<K extends ListenerKind>(kind: K, event: EventOf<K>): boolean {
    const listener = this.slots.get(kind) as Record<string, unknown> | undefined;
    const names = (EVENT_NAMES[kind] as Record<EventOf<K>, readonly string[]>)[event];
    return listener !== undefined && names.some((n) => typeof listener[n] === 'function');
  }

  /**
   * Calls the first callback of `event` the listener defines (`callFirst`, inlined: this runs once per
   * received message, so no closure or argument copies); an exception is logged, never thrown.
   */
  emit<K extends ListenerKind>(kind: K, event: EventOf<K>, ...args: unknown[]): void {
    const listener = this.slots.get(kind) as Record<string, unknown> | undefined;
    if (listener === undefined) return;
    const names = (EVENT_NAMES[kind] as Record<EventOf<K>, readonly string[]>)[event];
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const fn = listener[name];
      if (typeof fn !== 'function') continue;
      try {
        (fn as (...a: unknown[]) => unknown).apply(listener, args);
      } catch (error) {
        this.logger.error(`app callback '${name}' threw`, error);
      }
      return;
    }
  }

  clear(): void {
    this.slots.clear();
  }
}
