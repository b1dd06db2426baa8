/**
 * The local copy of one chatroom's KV attributes (PROTOCOL.md §8.8). `getChatroomEntry` /
 * `getAllChatroomEntries` read it; it is fed by `pullKV` pages and by the user's own successful
 * `setKV`/`delKV` (the server never notifies the changer of its own change).
 *
 * Apply rule for a received entry (the official engine's): apply when the page is a full update, the
 * entry carries the overwrite bit, it was set by the same user as the cached one, or the key is not
 * cached (a removed key counts as not cached: anyone may set it again). Removed keys are kept as
 * tombstones only so a repeated removal is not reported twice; reads treat them as absent.
 */

/** ChrmKVEntity.status bits. */
export const KvStatus = { AutoDelete: 1, Overwrite: 2, Deleted: 4 } as const;

/** Listener `updatedEntries[].type` (ChatroomEntryType). */
export const KvChangeType = { Update: 1, Delete: 2 } as const;

export interface KvEntry {
  readonly key: string;
  readonly value: string;
  /** The user who set (or removed) it. */
  readonly userId: string;
  readonly status: number;
  readonly timestamp: number;
}

export interface KvChange {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
  readonly chatroomId: string;
  readonly type: number;
}

const isDeleted = (entry: KvEntry): boolean => (entry.status & KvStatus.Deleted) !== 0;

export class ChatroomKvCache {
  private readonly entries = new Map<string, KvEntry>();
  /** `QueryChrmKV.timestamp` for the next incremental pull (0 = everything). */
  syncTime = 0;

  constructor(readonly roomId: string) {}

  /**
   * Applies a pulled page; returns the entries that changed what reads see (new value, or removal of a
   * visible key), in page order — what the status listener reports as `updatedEntries`.
   */
  applyPage(page: readonly KvEntry[], fullUpdate: boolean): KvChange[] {
    const before = fullUpdate ? new Map(this.entries) : undefined;
    if (fullUpdate) this.entries.clear();
    const changes: KvChange[] = [];
    for (const entry of page) {
      const previous = before ? before.get(entry.key) : this.entries.get(entry.key);
      if (!fullUpdate && !this.accepts(entry)) continue;
      this.entries.set(entry.key, entry);
      if (this.visibleChange(previous, entry)) changes.push(this.changeOf(entry));
    }
    if (before) {
      // A full update that no longer lists a visible key removed it.
      for (const [key, old] of before) {
        if (!this.entries.has(key) && !isDeleted(old)) changes.push({ key, value: old.value, timestamp: old.timestamp, chatroomId: this.roomId, type: KvChangeType.Delete });
      }
    }
    return changes;
  }

  /** The user's own change, accepted by the server: applied without a listener event. */
  applyOwn(entry: KvEntry): void {
    this.entries.set(entry.key, entry);
  }

  /** The visible value, or undefined for a missing or removed key. */
  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    return entry && !isDeleted(entry) ? entry.value : undefined;
  }

  /** Who set the visible value of `key`, if any. */
  ownerOf(key: string): string | undefined {
    const entry = this.entries.get(key);
    return entry && !isDeleted(entry) ? entry.userId : undefined;
  }

  all(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, entry] of this.entries) if (!isDeleted(entry)) out[key] = entry.value;
    return out;
  }

  private accepts(entry: KvEntry): boolean {
    const cached = this.entries.get(entry.key);
    return cached === undefined || isDeleted(cached) || (entry.status & KvStatus.Overwrite) !== 0 || cached.userId === entry.userId;
  }

  private visibleChange(previous: KvEntry | undefined, next: KvEntry): boolean {
    const wasVisible = previous !== undefined && !isDeleted(previous);
    if (isDeleted(next)) return wasVisible;
    return !wasVisible || previous.value !== next.value;
  }

  private changeOf(entry: KvEntry): KvChange {
    const type = isDeleted(entry) ? KvChangeType.Delete : KvChangeType.Update;
    return { key: entry.key, value: entry.value, timestamp: entry.timestamp, chatroomId: this.roomId, type };
  }
}
