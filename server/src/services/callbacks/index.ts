/**
 * Server → App Server callbacks (SERVER_API.md §5), wired to their sources: message routing observes the
 * filter chain, moderation is one of its filters, user status listens to the hub's sessions and chatroom status
 * to the chatroom events. Everything asynchronous goes through one durable dispatcher.
 */
import type { ServerContext } from '../../context';
import type { Hub } from '../../gateway/hub';
import type { ChatroomEvent, ChatroomEventBus } from '../chatrooms/chatroom-events';
import type { MessageFilterChain } from '../message-filter-chain';
import type { CallbackPost } from './callback-http';
import { CallbackDispatcher } from './callback-dispatcher';
import { messageRouter } from './message-routing';
import { moderationFilter } from './moderation';
import { ChatroomEventCause, ChatroomEventType, StatusBatcher, userStatusEvent, type ChatroomStatusEvent, type UserStatusEvent } from './status-sync';

export { CallbackDispatcher } from './callback-dispatcher';
export { verifyCallbackQuery } from './callback-signature';

export interface AppServerCallbacks {
  readonly dispatcher: CallbackDispatcher;
  /** Flushes pending status batches into the queue and stops; call after the gateway closed its sessions. */
  close(): Promise<void>;
}

const EVENT_TYPES: Readonly<Record<ChatroomEvent['type'], number>> = {
  create: ChatroomEventType.Create,
  join: ChatroomEventType.Join,
  quit: ChatroomEventType.Quit,
  destroy: ChatroomEventType.Destroy,
};
const EVENT_CAUSES: Readonly<Record<ChatroomEvent['cause'], number>> = {
  explicit: ChatroomEventCause.Explicit,
  'auto-kick': ChatroomEventCause.AutoKick,
  blocked: ChatroomEventCause.Blocked,
  'auto-destroy': ChatroomEventCause.AutoDestroy,
};

export function createAppServerCallbacks(ctx: ServerContext, hub: Hub, chain: MessageFilterChain, chatroomEvents: ChatroomEventBus, post?: CallbackPost): AppServerCallbacks {
  const dispatcher = new CallbackDispatcher(ctx, post);
  const stops: (() => void)[] = [];
  stops.push(chain.addObserver(messageRouter(ctx, dispatcher)));
  stops.push(chain.addFilter(moderationFilter(ctx, post)));

  const users = new StatusBatcher<UserStatusEvent>(ctx, dispatcher, 'userStatus', (o) => o.userStatusUrl);
  stops.push(hub.onLocalSession((info, online) => users.add(info.appKey, userStatusEvent(info, online, ctx.clock.now()))));

  const rooms = new StatusBatcher<ChatroomStatusEvent>(ctx, dispatcher, 'chatroomStatus', (o) => o.chatroomStatusUrl);
  stops.push(
    chatroomEvents.on((event) =>
      rooms.add(event.appKey, { chatRoomId: event.roomId, userIds: event.userIds, type: EVENT_TYPES[event.type], status: EVENT_CAUSES[event.cause], time: event.time }),
    ),
  );

  dispatcher.start();
  let closing: Promise<void> | undefined;
  return {
    dispatcher,
    close: () => {
      closing ??= (async () => {
        for (const stop of stops) stop();
        users.flushAll();
        rooms.flushAll();
        await dispatcher.close();
      })();
      return closing;
    },
  };
}
