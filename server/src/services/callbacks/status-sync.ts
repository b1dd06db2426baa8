/**
 * The two status syncs of SERVER_API.md §5, both JSON arrays of events collected for `statusBatchMs` (or until
 * MAX_EVENTS_PER_POST) and then queued as one callback:
 * - user online status (`userStatusUrl`): one event per connection that opens or closes on this node,
 *   `{userid, status: "0" online | "1" offline, os, time, clientIp, sessionId}`;
 * - chatroom status (`chatroomStatusUrl`): `{chatRoomId, userIds, type: 0 create | 1 join | 2 quit | 3 destroy,
 *   status: 0 API or user action | 1 auto-kick | 2 user blocked | 3 auto-destroy, time}`.
 */
import { appServerOptionsOf, type AppServerOptions } from '../../app-server-options';
import type { ServerContext } from '../../context';
import type { SessionInfo } from '../../gateway/topic-router';
import type { CallbackKind } from '../../store/callback-queue-repository';
import type { CallbackDispatcher } from './callback-dispatcher';
import { clientSourceOf } from './message-routing';

export const MAX_EVENTS_PER_POST = 100;

export interface UserStatusEvent {
  readonly userid: string;
  readonly status: '0' | '1' | '2';
  readonly os: string;
  readonly time: number;
  readonly clientIp: string;
  readonly sessionId: string;
}

export const ChatroomEventType = { Create: 0, Join: 1, Quit: 2, Destroy: 3 } as const;
export const ChatroomEventCause = { Explicit: 0, AutoKick: 1, Blocked: 2, AutoDestroy: 3 } as const;

export interface ChatroomStatusEvent {
  readonly chatRoomId: string;
  readonly userIds: readonly string[];
  readonly type: number;
  readonly status: number;
  readonly time: number;
}

/** Per-app batches of one kind of event, flushed into the dispatcher as JSON arrays. */
export class StatusBatcher<E> {
  private readonly batches = new Map<string, { events: E[]; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly dispatcher: CallbackDispatcher,
    private readonly kind: CallbackKind,
    private readonly urlOf: (options: AppServerOptions) => string | undefined,
  ) {}

  add(appKey: string, event: E): void {
    const options = appServerOptionsOf(this.ctx.apps.get(appKey));
    if (this.urlOf(options) === undefined) return;
    let batch = this.batches.get(appKey);
    if (batch === undefined) {
      const timer = setTimeout(() => this.flush(appKey), options.statusBatchMs);
      timer.unref();
      batch = { events: [], timer };
      this.batches.set(appKey, batch);
    }
    batch.events.push(event);
    if (batch.events.length >= MAX_EVENTS_PER_POST) this.flush(appKey);
  }

  flush(appKey: string): void {
    const batch = this.batches.get(appKey);
    if (batch === undefined) return;
    this.batches.delete(appKey);
    clearTimeout(batch.timer);
    if (batch.events.length > 0) this.dispatcher.enqueue({ appKey, kind: this.kind, contentType: 'application/json', body: JSON.stringify(batch.events) });
  }

  flushAll(): void {
    for (const appKey of [...this.batches.keys()]) this.flush(appKey);
  }
}

export function userStatusEvent(info: SessionInfo, online: boolean, time: number): UserStatusEvent {
  return { userid: info.userId, status: online ? '0' : '1', os: clientSourceOf(info.platform), time, clientIp: info.clientIp ?? '', sessionId: info.sessionId };
}
