/**
 * Chatroom KV attributes (PROTOCOL.md §8.8, API_CHECKLIST §3.10): ≤ maxKeys live keys per room (23423), key
 * `[A-Za-z0-9+=_-]{1,128}`, value ≤ 4096 characters, only the owner's keys unless forced (23424), 23426 when
 * the app has KV off, 23427 for a missing key. Every change reaches the other members online as
 * `s_cmd{type:2, chrmId, time}` (they `pullKV` from their cursor; removals arrive with status bit 4, i.e.
 * DELETE); the changer is not told about its own change (its client applied it already). When asked, the
 * client's `RC:chrmKVNotiMsg` goes to the room as an ordinary room message from the changer.
 */
import type { ServerContext } from '../../context';
import type { ChatroomEntry, EntryChanges } from '../../store/chatroom-repository';
import type { ChatroomService } from './chatroom-service';
import { ChatroomStatus, isValidEntryKey, MAX_ENTRY_VALUE_CHARS } from './room-wire';

export interface EntryNotification {
  readonly objectName: string;
  readonly content: Uint8Array;
  readonly flags: number;
}

export interface EntryRequest {
  readonly appKey: string;
  readonly roomId: string;
  readonly userId: string;
  readonly key: string;
  /** Ignored by removals. */
  readonly value: string;
  readonly autoDelete: boolean;
  /** Force set/remove (status bit 2). */
  readonly force: boolean;
  readonly notification?: EntryNotification;
  /** Server API: no membership needed, always forced. */
  readonly admin?: boolean;
}

export class ChatroomEntries {
  constructor(
    private readonly ctx: ServerContext,
    private readonly rooms: ChatroomService,
  ) {}

  async set(request: EntryRequest): Promise<number> {
    const refused = await this.check(request, true);
    if (refused !== 0) return refused;
    const { appKey, roomId, userId } = request;
    const force = request.force || request.admin === true;
    const change = { key: request.key, value: request.value, userId, autoDelete: request.autoDelete, force };
    const result = await this.ctx.store.chatrooms.setEntry(appKey, roomId, change, this.rooms.options(appKey).maxKeys, this.ctx.clock.now());
    if (!result.ok) return result.reason === 'limit' ? ChatroomStatus.KvLimit : ChatroomStatus.KvNotOwner;
    await this.changed(request, result.entry);
    return 0;
  }

  async remove(request: EntryRequest): Promise<number> {
    const refused = await this.check(request, false);
    if (refused !== 0) return refused;
    const { appKey, roomId, userId, key } = request;
    const force = request.force || request.admin === true;
    const result = await this.ctx.store.chatrooms.removeEntry(appKey, roomId, key, userId, force, this.ctx.clock.now());
    if (!result.ok) return result.reason === 'not-found' ? ChatroomStatus.KvKeyMissing : ChatroomStatus.KvNotOwner;
    await this.changed(request, result.entry);
    return 0;
  }

  /** `pullKV`: everything (timestamp 0) or the changes after it. Readable without being a member. */
  async pull(appKey: string, roomId: string, timestamp: number): Promise<{ readonly status: number; readonly changes?: EntryChanges }> {
    if (!this.rooms.options(appKey).kvEnabled) return { status: ChatroomStatus.KvDisabled };
    if ((await this.ctx.store.chatrooms.get(appKey, roomId)) === undefined) return { status: ChatroomStatus.NotExist };
    return { status: 0, changes: await this.ctx.store.chatrooms.entriesSince(appKey, roomId, Math.max(0, timestamp)) };
  }

  private async check(request: EntryRequest, setting: boolean): Promise<number> {
    if (!this.rooms.options(request.appKey).kvEnabled) return ChatroomStatus.KvDisabled;
    if (!isValidEntryKey(request.key)) return ChatroomStatus.InvalidParameter;
    if (setting && (request.value.length === 0 || [...request.value].length > MAX_ENTRY_VALUE_CHARS)) return ChatroomStatus.InvalidParameter;
    const member = await this.rooms.isMember(request.appKey, request.roomId, request.userId);
    if (member === undefined) return ChatroomStatus.NotExist;
    if (!member && request.admin !== true) return ChatroomStatus.NotInRoom;
    return 0;
  }

  private async changed(request: EntryRequest, entry: ChatroomEntry): Promise<void> {
    this.rooms.announceEntries(request.appKey, request.roomId, entry.updatedTime, request.userId);
    const note = request.notification;
    if (note === undefined) return;
    await this.rooms.send(
      { appKey: request.appKey, roomId: request.roomId, fromUserId: request.userId, objectName: note.objectName, content: note.content, flags: note.flags },
      'server',
    );
  }
}
