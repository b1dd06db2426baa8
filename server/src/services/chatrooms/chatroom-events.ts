/**
 * Room lifecycle events of this node (create, join, quit, destroy), for observers outside the chatroom service
 * such as the App Server chatroom status sync. Emitted after the change is stored; listeners run synchronously
 * and must not throw (errors are logged and swallowed so a listener can never break a join or a destroy).
 */
export type ChatroomEventType = 'create' | 'join' | 'quit' | 'destroy';
/** Why: an explicit action (user or Server API), the auto-kick rule, a block, or the idle auto-destroy. */
export type ChatroomEventCause = 'explicit' | 'auto-kick' | 'blocked' | 'auto-destroy';

export interface ChatroomEvent {
  readonly appKey: string;
  readonly roomId: string;
  readonly type: ChatroomEventType;
  readonly cause: ChatroomEventCause;
  /** Members concerned (join/quit); empty for create and destroy. */
  readonly userIds: readonly string[];
  /** ms */
  readonly time: number;
}

export type ChatroomEventListener = (event: ChatroomEvent) => void;

export class ChatroomEventBus {
  private readonly listeners = new Set<ChatroomEventListener>();

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  on(listener: ChatroomEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ChatroomEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
