/**
 * The chatroom slice of the services: one ChatroomService (per node), the KV rules on top of it, the
 * conversation kind for type 4 and the QUERY topic handlers, ready for services/index.ts to register.
 */
import type { ServerContext } from '../../context';
import type { Hub } from '../../gateway/hub';
import type { SessionPort } from '../../gateway/topic-router';
import type { ConversationKind } from '../conversation-kind';
import type { MessageFilterChain } from '../message-filter-chain';
import type { QueryFrame } from '../wire';
import { createChatroomHandlers } from './chatroom-handlers';
import { createBatchEntryHandlers } from './chatroom-batch-kv';
import { chatroomConversationKind } from './chatroom-kind';
import { ChatroomEntries } from './chatroom-kv';
import { ChatroomService, type ChatroomServiceOptions } from './chatroom-service';
import { kvNotifier } from './kv-notification';

export { ChatroomService, type ChatroomServiceOptions } from './chatroom-service';
export { ChatroomEntries } from './chatroom-kv';
export { ChatroomMetrics } from './chatroom-metrics';

export interface Chatrooms {
  readonly service: ChatroomService;
  readonly entries: ChatroomEntries;
  readonly kind: ConversationKind;
  /**
   * The QUERY topic handlers. A client's KV notification is a client room message: it goes through `roomKind`
   * (the CHATROOM kind client sends use, `kind` or a wrapper of it) after `filters` (kv-notification.ts).
   */
  queries(roomKind: ConversationKind, filters: MessageFilterChain): ReadonlyArray<[string, (port: SessionPort, frame: QueryFrame) => Promise<void>]>;
}

export function createChatrooms(ctx: ServerContext, hub: Hub, options: ChatroomServiceOptions = {}): Chatrooms {
  const service = new ChatroomService(ctx, hub, options);
  const entries = new ChatroomEntries(ctx, service);
  const queries = (roomKind: ConversationKind, filters: MessageFilterChain): Array<[string, (port: SessionPort, frame: QueryFrame) => Promise<void>]> => {
    const notifier = kvNotifier(ctx, service, roomKind, filters);
    return [...createChatroomHandlers(service, entries, notifier), ...createBatchEntryHandlers(entries, notifier)];
  };
  return { service, entries, kind: chatroomConversationKind(service), queries };
}
