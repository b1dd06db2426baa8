/**
 * The app's listeners, one slot per kind. Setting a listener REPLACES the previous one (2.9.2
 * semantics; API_CHECKLIST "Decisions": one event is never delivered twice). Each slot reads the
 * property spellings the docs use: `onChanged`/`onChange`, `onChanged`/`onChangeed`,
 * `onDeleted`/`onDelete`.
 */
import type { Logger } from '../client/logger';
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
  readonly statusWatchers = new Set<(status: number) => void>();
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
