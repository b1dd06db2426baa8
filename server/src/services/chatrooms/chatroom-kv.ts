/**
 * Chatroom KV attributes (PROTOCOL.md §8.8, API_CHECKLIST §3.10): ≤ maxKeys live keys per room (23423), key
 * `[A-Za-z0-9+=_-]{1,128}`, value ≤ 4096 characters, only the owner's keys unless forced (23424), 23426 when
 * the app has KV off, 23427 for a missing key. Every change reaches the other members online as
 * `s_cmd{type:2, chrmId, time}` (they `pullKV` from their cursor; removals arrive with status bit 4, i.e.
 * DELETE); the changer is not told about its own change (its client applied it already). When asked, the
 * notification (`RC:chrmKVNotiMsg`) goes to the room as a room message from the changer: a client's through the
 * client send path with every check of `chatMsg`, checked before the change is applied (kv-notification.ts,
 * which calls `set`/`remove`/`batch` here without the notification); the Server API's (admin) through the
 * server path, here. Clients change a room's entries at most `kvChangesPerSecond` times a second (each key of a
 * batch counts; API_CHECKLIST §3.10: "≤ 100 ops/s per room → 23425"), counted per node: in a cluster a room's
 * writers on several nodes each get the allowance. The Server API is not limited here (it has its own limits).
 */
import type { ServerContext } from '../../context';
import type { ChatroomEntry, EntryChanges } from '../../store/chatroom-repository';
import type { ChatroomService } from './chatroom-service';
import { ChatroomStatus, isValidEntryKey, MAX_ENTRY_VALUE_CHARS } from './room-wire';

/** Entries per `setKVS`/`delKVS` (imlib-next refuses more locally with the same code). */
export const MAX_BATCH_ENTRIES = 10;
/** CHATROOM_KV_STORE_NOT_ALL_SUCCESS: some keys of a batch failed (`errorKeys` says which and why). */
export const KV_NOT_ALL_SUCCESS = 23428;
/** CHATROOM_KV_STORE_OUT_LIMIT: more than MAX_BATCH_ENTRIES entries in one batch. */
export const KV_BATCH_OUT_LIMIT = 23429;

export interface BatchItem {
  readonly key: string;
  /** Ignored by removals. */
  readonly value: string;
  readonly autoDelete: boolean;
  readonly force: boolean;
}

export interface BatchResult {
  /** 0, KV_NOT_ALL_SUCCESS, or the code that refused the whole batch (then `failed`/`versions` are empty). */
  readonly status: number;
  readonly failed: ReadonlyArray<{ readonly key: string; readonly errorCode: number }>;
  /** The changed keys with their new updatedTime. */
  readonly versions: ReadonlyArray<{ readonly key: string; readonly version: number }>;
}

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
  /**
   * Server API only (with `admin`): posted through the server send path. A client's notification is a client
   * room message: kv-notification.ts checks and posts it around the change.
   */
  readonly notification?: EntryNotification;
  /** Server API: no membership needed, always forced. */
  readonly admin?: boolean;
  /** The client session making the change (it applies the change itself, so it is not told); absent: Server API. */
  readonly sessionId?: string;
}

/** Who changes a room's entries: the user, and the client session unless it is the Server API. */
export interface EntryWriter {
  readonly appKey: string;
  readonly roomId: string;
  readonly userId: string;
  readonly sessionId?: string;
}

/** Whether a key/value pair breaks the single-key rules (key pattern, value 1..MAX_ENTRY_VALUE_CHARS characters). */
export function invalidEntry(item: { readonly key: string; readonly value: string }): boolean {
  return !isValidEntryKey(item.key) || item.value.length === 0 || [...item.value].length > MAX_ENTRY_VALUE_CHARS;
}

/** Rooms whose one-second KV window is kept before the expired ones are swept. */
const MAX_RATE_WINDOWS = 10_000;

export class ChatroomEntries {
  /**
   * Per room (app + room id): the client changes admitted in the last second, as [time, changes] oldest first — a
   * rolling second, so at most `kvChangesPerSecond` in ANY second (a window reset each second admitted twice that
   * within a few ms across its boundary).
   */
  private readonly rateWindows = new Map<string, Array<[number, number]>>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly rooms: ChatroomService,
  ) {}

  /** Admits `changes` client KV changes in the room now, or refuses them all (23425); admin changes always pass. */
  private admit(request: EntryWriter & { readonly admin?: boolean }, changes: number): boolean {
    const limit = this.rooms.options(request.appKey).kvChangesPerSecond;
    if (request.admin === true || limit === 0) return true;
    const now = this.ctx.clock.now();
    const key = `${request.appKey}\u0000${request.roomId}`;
    let admitted = this.rateWindows.get(key);
    if (admitted === undefined) {
      if (this.rateWindows.size >= MAX_RATE_WINDOWS) {
        for (const [room, list] of this.rateWindows) if (now - (list[list.length - 1]?.[0] ?? 0) >= 1000) this.rateWindows.delete(room);
      }
      admitted = [];
      this.rateWindows.set(key, admitted);
    }
    let expired = 0;
    while (expired < admitted.length && now - (admitted[expired] as [number, number])[0] >= 1000) expired++;
    if (expired > 0) admitted.splice(0, expired);
    let inLastSecond = 0;
    for (const [, count] of admitted) inLastSecond += count;
    if (inLastSecond + changes > limit) return false;
    admitted.push([now, changes]);
    return true;
  }

  async set(request: EntryRequest): Promise<number> {
    const refused = await this.check(request, true);
    if (refused !== 0) return refused;
    if (!this.admit(request, 1)) return ChatroomStatus.KvRate;
    const { appKey, roomId, userId } = request;
    const force = request.force || request.admin === true;
    const change = { key: request.key, value: request.value, userId, autoDelete: request.autoDelete, force };
    const result = await this.ctx.store.chatrooms.setEntry(appKey, roomId, change, this.rooms.options(appKey).maxKeys, this.ctx.clock.now());
    if (!result.ok) return result.reason === 'limit' ? ChatroomStatus.KvLimit : ChatroomStatus.KvNotOwner;
    if (change.autoDelete && request.admin !== true && (await this.leftMeanwhile(request))) return ChatroomStatus.NotInRoom;
    await this.changed(request, result.entry);
    return 0;
  }

  /**
   * Whether the writer of an auto-delete key is no longer a member by the store (a kick or quit on another node
   * between this node's membership check and the write: its removal of the user's auto-delete keys came first). Then
   * the user's auto-delete keys go now, as the kick would have removed them, and the room is told.
   */
  private async leftMeanwhile(writer: EntryWriter): Promise<boolean> {
    const { appKey, roomId, userId } = writer;
    if ((await this.ctx.store.chatrooms.memberJoinTime(appKey, roomId, userId)) !== undefined) return false;
    const removed = await this.ctx.store.chatrooms.removeAutoDeleteEntries(appKey, roomId, userId, this.ctx.clock.now());
    const newest = removed[removed.length - 1];
    if (newest !== undefined) this.rooms.announceEntries(appKey, roomId, newest.updatedTime);
    return true;
  }

  async remove(request: EntryRequest): Promise<number> {
    const refused = await this.check(request, false);
    if (refused !== 0) return refused;
    if (!this.admit(request, 1)) return ChatroomStatus.KvRate;
    const { appKey, roomId, userId, key } = request;
    const force = request.force || request.admin === true;
    const result = await this.ctx.store.chatrooms.removeEntry(appKey, roomId, key, userId, force, this.ctx.clock.now());
    if (!result.ok) return result.reason === 'not-found' ? ChatroomStatus.KvKeyMissing : ChatroomStatus.KvNotOwner;
    await this.changed(request, result.entry);
    return 0;
  }

  /**
   * `setKVS` / `delKVS` (engine 5.x `setChatRoomEntries` / `removeChatRoomEntries`): each key under the
   * single-key rules above (the seed: a batch may only touch keys that are new or the caller's own, unless
   * forced), key by key, so a refused key does not undo the others; the room is told once (the caller posts the
   * optional notification once for the whole batch when a key changed: kv-notification.ts).
   */
  async batch(base: EntryWriter, items: readonly BatchItem[], removal: boolean): Promise<BatchResult> {
    const status = await this.batchRefusal(base, items);
    if (status !== 0) return { status, failed: [], versions: [] };
    if (!this.admit(base, items.length)) return { status: ChatroomStatus.KvRate, failed: [], versions: [] };
    const failed: Array<{ key: string; errorCode: number }> = [];
    const versions: Array<{ key: string; version: number }> = [];
    let last: ChatroomEntry | undefined;
    const { maxKeys } = this.rooms.options(base.appKey);
    for (const item of items) {
      const invalid = !isValidEntryKey(item.key) || (!removal && (item.value.length === 0 || [...item.value].length > MAX_ENTRY_VALUE_CHARS));
      if (invalid) {
        failed.push({ key: item.key, errorCode: ChatroomStatus.InvalidParameter });
        continue;
      }
      const now = this.ctx.clock.now();
      if (removal) {
        const result = await this.ctx.store.chatrooms.removeEntry(base.appKey, base.roomId, item.key, base.userId, item.force, now);
        if (!result.ok) failed.push({ key: item.key, errorCode: result.reason === 'not-found' ? ChatroomStatus.KvKeyMissing : ChatroomStatus.KvNotOwner });
        else last = result.entry;
        if (result.ok) versions.push({ key: item.key, version: result.entry.updatedTime });
      } else {
        const change = { key: item.key, value: item.value, userId: base.userId, autoDelete: item.autoDelete, force: item.force };
        const result = await this.ctx.store.chatrooms.setEntry(base.appKey, base.roomId, change, maxKeys, now);
        if (!result.ok) failed.push({ key: item.key, errorCode: result.reason === 'limit' ? ChatroomStatus.KvLimit : ChatroomStatus.KvNotOwner });
        else last = result.entry;
        if (result.ok) versions.push({ key: item.key, version: result.entry.updatedTime });
      }
    }
    if (!removal && versions.length > 0 && items.some((i) => i.autoDelete) && (await this.leftMeanwhile(base))) {
      return { status: ChatroomStatus.NotInRoom, failed: [], versions: [] };
    }
    if (last !== undefined) await this.changed({ ...base, key: last.key, value: last.value, autoDelete: false, force: false }, last);
    return { status: failed.length > 0 ? KV_NOT_ALL_SUCCESS : 0, failed, versions };
  }

  /**
   * The Server API's multi-key set (`chatroom/entry/batch/set`, `chatroom/create_new`'s `entryInfo`): every key
   * forced, no membership needed, and all or none: each key and value is checked first (`invalidEntry`), then
   * the store writes them in one transaction that also checks the room's key cap for all of them. The room is
   * told once. Returns 0, or the refusal status and the key it concerns (nothing written).
   */
  async setAll(base: EntryWriter, items: ReadonlyArray<{ readonly key: string; readonly value: string }>, autoDelete: boolean): Promise<{ readonly status: number; readonly key?: string }> {
    if (!this.rooms.options(base.appKey).kvEnabled) return { status: ChatroomStatus.KvDisabled };
    const invalid = items.find(invalidEntry);
    if (invalid !== undefined) return { status: ChatroomStatus.InvalidParameter, key: invalid.key };
    if ((await this.rooms.isMember(base.appKey, base.roomId, base.userId)) === undefined) return { status: ChatroomStatus.NotExist };
    if (items.length === 0) return { status: 0 };
    const changes = items.map((item) => ({ key: item.key, value: item.value, userId: base.userId, autoDelete, force: true }));
    const result = await this.ctx.store.chatrooms.setEntries(base.appKey, base.roomId, changes, this.rooms.options(base.appKey).maxKeys, this.ctx.clock.now());
    if (!result.ok) return { status: result.reason === 'limit' ? ChatroomStatus.KvLimit : ChatroomStatus.KvNotOwner, key: result.key };
    const last = result.entries[result.entries.length - 1];
    if (last !== undefined) await this.changed({ ...base, key: last.key, value: last.value, autoDelete, force: true, admin: true }, last);
    return { status: 0 };
  }

  /** `pullKV`: everything (timestamp 0) or the changes after it. Readable without being a member. */
  async pull(appKey: string, roomId: string, timestamp: number): Promise<{ readonly status: number; readonly changes?: EntryChanges }> {
    if (!this.rooms.options(appKey).kvEnabled) return { status: ChatroomStatus.KvDisabled };
    if ((await this.ctx.store.chatrooms.get(appKey, roomId)) === undefined) return { status: ChatroomStatus.NotExist };
    return { status: 0, changes: await this.ctx.store.chatrooms.entriesSince(appKey, roomId, Math.max(0, timestamp)) };
  }

  /** The status refusing a whole `batch` before any key is looked at (KV off, 0 or too many entries, not a member), or 0. */
  async batchRefusal(base: EntryWriter, items: readonly BatchItem[]): Promise<number> {
    if (!this.rooms.options(base.appKey).kvEnabled) return ChatroomStatus.KvDisabled;
    if (items.length === 0) return ChatroomStatus.InvalidParameter;
    if (items.length > MAX_BATCH_ENTRIES) return KV_BATCH_OUT_LIMIT;
    const member = await this.rooms.isMember(base.appKey, base.roomId, base.userId);
    if (member === undefined) return ChatroomStatus.NotExist;
    return member ? 0 : ChatroomStatus.NotInRoom;
  }

  /**
   * The status `set` (setting) or `remove` would refuse `request` with before touching the store (KV off, bad
   * key or value, no room, not a member), or 0; the store's own refusals (key cap, owner, missing key) come later.
   */
  async check(request: EntryRequest, setting: boolean): Promise<number> {
    if (!this.rooms.options(request.appKey).kvEnabled) return ChatroomStatus.KvDisabled;
    if (!isValidEntryKey(request.key)) return ChatroomStatus.InvalidParameter;
    if (setting && (request.value.length === 0 || [...request.value].length > MAX_ENTRY_VALUE_CHARS)) return ChatroomStatus.InvalidParameter;
    const member = await this.rooms.isMember(request.appKey, request.roomId, request.userId);
    if (member === undefined) return ChatroomStatus.NotExist;
    if (!member && request.admin !== true) return ChatroomStatus.NotInRoom;
    return 0;
  }

  private async changed(request: EntryRequest, entry: ChatroomEntry): Promise<void> {
    this.rooms.announceEntries(request.appKey, request.roomId, entry.updatedTime, request.admin === true ? '' : request.sessionId);
    const note = request.notification;
    if (note === undefined) return;
    // Never a client's: posting it here would skip every check of a client room send (kv-notification.ts).
    if (request.admin !== true) throw new Error('a client KV notification goes through the client send path');
    await this.rooms.send(
      { appKey: request.appKey, roomId: request.roomId, fromUserId: request.userId, objectName: note.objectName, content: note.content, flags: note.flags },
      'server',
    );
  }
}
