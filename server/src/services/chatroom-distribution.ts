/**
 * Chatroom message distribution switch (`chatroom/message/stopDistribution` / `resumeDistribution`, SERVER_API.md
 * §2.4). While a room is stopped, what its members send is accepted (the sender gets a normal PUBACK with a uid,
 * and message routing still reports it to the App Server) but is neither put on the room timeline nor announced,
 * so no other member receives it, now or by a later pull. The usual App Server flow is to review routed
 * messages and re-publish the approved ones with `message/chatroom/publish`, which is therefore never held
 * back; nor are the server's own room notices (member changes, KV notices).
 *
 * The state is stored (it survives restarts and is shared by every node). Each node caches it per room for
 * `cacheMs`: a change made through this node applies to the next message at once, one made through another node
 * within `cacheMs`. Destroying a room clears its state, as it clears everything else of the room.
 */
import type { ServerContext } from '../context';
import type { ConversationKind } from './conversation-kind';
import type { ChatroomService } from './chatrooms/chatroom-service';
import { ChatroomStatus } from './chatrooms/room-wire';
import { newMessageUidFor } from './wire';

const DEFAULT_CACHE_MS = 1000;
/** Bound on cached rooms; the cache is only an optimisation, so dropping it wholesale is fine. */
const MAX_CACHED_ROOMS = 10_000;

function key(appKey: string, roomId: string): string {
  return `${appKey}\u0000${roomId}`;
}

export class ChatroomDistribution {
  private readonly cache = new Map<string, { readonly stopped: boolean; readonly until: number }>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly cacheMs = DEFAULT_CACHE_MS,
  ) {}

  async isStopped(appKey: string, roomId: string): Promise<boolean> {
    const now = this.ctx.clock.now();
    const cached = this.cache.get(key(appKey, roomId));
    if (cached !== undefined && cached.until > now) return cached.stopped;
    const stopped = await this.ctx.store.chatroomDistribution.isStopped(appKey, roomId);
    this.remember(appKey, roomId, stopped, now);
    return stopped;
  }

  /** Stops (true) or resumes (false) distribution; resolves whether the state changed. */
  async set(appKey: string, roomId: string, stopped: boolean): Promise<boolean> {
    const now = this.ctx.clock.now();
    const changed = await this.ctx.store.chatroomDistribution.setStopped(appKey, roomId, stopped, now);
    this.remember(appKey, roomId, stopped, now);
    return changed;
  }

  private remember(appKey: string, roomId: string, stopped: boolean, now: number): void {
    if (this.cache.size >= MAX_CACHED_ROOMS) this.cache.clear();
    this.cache.set(key(appKey, roomId), { stopped, until: now + this.cacheMs });
  }
}

/**
 * The CHATROOM (4) kind with the distribution switch in front: a stopped room's member messages get the same
 * refusals as usual (unknown room, not a member, muted) and otherwise a success that delivers nothing.
 */
export function distributionGatedKind(inner: ConversationKind, rooms: ChatroomService, distribution: ChatroomDistribution, ctx: ServerContext): ConversationKind {
  rooms.events.on((event) => {
    if (event.type !== 'destroy') return;
    distribution.set(event.appKey, event.roomId, false).catch((error: unknown) => {
      ctx.log.warn('clearing chatroom distribution state failed', { appKey: event.appKey, roomId: event.roomId, error: String(error) });
    });
  });
  return {
    async send(request) {
      const appKey = request.port.info.appKey;
      const roomId = request.frame.targetId;
      if (!(await distribution.isStopped(appKey, roomId))) return inner.send(request);
      const userId = request.port.info.userId;
      const member = await rooms.isMember(appKey, roomId, userId);
      if (member === undefined) return { status: ChatroomStatus.NotExist };
      if (!member) return { status: ChatroomStatus.NotInRoom };
      const now = ctx.clock.now();
      const standing = await ctx.store.chatrooms.standing(appKey, roomId, userId, request.up.classname, now);
      if (standing.silenced || standing.roomMuted) return { status: ChatroomStatus.Muted };
      return { status: 0, sentTime: now, messageUId: newMessageUidFor(now) };
    },
    recallRecipients: (message) => inner.recallRecipients(message),
    // A recall is not a send: the room's distribution state does not gate it.
    ...(inner.recall !== undefined ? { recall: inner.recall.bind(inner) } : {}),
  };
}
