/**
 * The chatroom slice of the services: one ChatroomService (per node), the KV rules on top of it, the
 * conversation kind for type 4 and the QUERY topic handlers, ready for services/index.ts to register.
 */
import type { ServerContext } from '../../context';
import type { Hub } from '../../gateway/hub';
import type { SessionPort } from '../../gateway/topic-router';
import type { ConversationKind } from '../conversation-kind';
import type { QueryFrame } from '../wire';
import { createChatroomHandlers } from './chatroom-handlers';
import { createBatchEntryHandlers } from './chatroom-batch-kv';
import { chatroomConversationKind } from './chatroom-kind';
import { ChatroomEntries } from './chatroom-kv';
import { ChatroomService, type ChatroomServiceOptions } from './chatroom-service';

export { ChatroomService, type ChatroomServiceOptions } from './chatroom-service';
export { ChatroomEntries } from './chatroom-kv';
export { ChatroomMetrics } from './chatroom-metrics';

export interface Chatrooms {
  readonly service: ChatroomService;
  readonly entries: ChatroomEntries;
  readonly kind: ConversationKind;
  readonly queries: ReadonlyArray<[string, (port: SessionPort, frame: QueryFrame) => Promise<void>]>;
}

export function createChatrooms(ctx: ServerContext, hub: Hub, options: ChatroomServiceOptions = {}): Chatrooms {
  const service = new ChatroomService(ctx, hub, options);
  const entries = new ChatroomEntries(ctx, service);
  return { service, entries, kind: chatroomConversationKind(service), queries: [...createChatroomHandlers(service, entries), ...createBatchEntryHandlers(entries)] };
}
