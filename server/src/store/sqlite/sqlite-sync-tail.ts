import type { AppKey, StoredMessage, SyncEntry, SyncPage, UserId } from '../store';
import { Direction } from '../store';
import { syncPage } from '../sync-page';

/**
 * The newest sync entries of recently pulling owners, kept by the one process that writes the SQLite file, so
 * that a `pullMsg` which only asks for what arrived since the owner's last pull is answered without reading
 * the store (issue #12, P1 on the official clients' path: every stored message makes an E4/L2 receiver pull,
 * and the read — a range scan per direction over `entries` and `entries_pending` plus two high-water probes —
 * cost the event loop a fifth to a third of its time per message there; bench/analysis/p1-private.md round 16).
 *
 * The rule that makes an answer from here equal to the store's: for each direction a tail holds **every**
 * entry of its owner above that direction's floor, and `high` is the owner's greatest entry time (what a
 * finished page reports as its `syncTime`). A tail starts from a finished page read from the store: it holds
 * that page's entries, each direction's floor is where the page's read of it began (the cursor, or the
 * retention bound if higher; a direction not read starts at `high`, as nothing newer existed), and `high` is
 * the page's high-water mark. From then on every committed append adds its entries for the owner, in commit
 * order (appends resolve in call order, and `sentTime` is strictly increasing per app, so a tail is ascending
 * with distinct times; an append already in the starting snapshot has a time ≤ `high` and is skipped). A
 * pull is answered here only when each direction it reads begins at or above that direction's floor and the
 * page is not cut; anything else reads the store, whose finished page starts the tail again. So the answer
 * holds the same entries, in the same order, with the same cursors. (A batch the writer thread committed but
 * has not answered yet is in no tail: a pull answered meanwhile is the page of the snapshot before that
 * commit, its `syncTime` below the batch, and the batch's resolution notifies the owner as ever — an earlier
 * snapshot, never a gap.)
 *
 * What would break the rule drops every tail (the next pull of each owner reads the store): an append batch
 * whose outcome is unknown, a recall or an expansion change (the store's copy of a message changes), a prune
 * (entries disappear). Appends by another process would break it silently, so the store keeps tails only
 * when it is told it is the file's only writer (SqliteStoreOptions.syncTail; main.ts turns it off when a
 * broker makes this node one of several). Entries the owner deleted or cleared stay in its sync as they do
 * in the store's read (sqlite-sync.ts reads them regardless).
 *
 * Memory is bounded twice: a tail keeps at most TAIL_ENTRIES (dropping its oldest raises that direction's
 * floor — the rule still holds above it), and past TAIL_TOTAL entries in all tails every tail is dropped.
 */
const TAIL_ENTRIES = 32;
const TAIL_TOTAL = 65_536;

interface Tail {
  floorInbox: number;
  floorSendbox: number;
  high: number;
  readonly entries: SyncEntry[];
}

export class SyncTail {
  /** By app, then owner. */
  private readonly tails = new Map<AppKey, Map<UserId, Tail>>();
  private total = 0;
  /** Pages answered from a tail (diagnostics and tests). */
  hits = 0;

  /**
   * The page the store would give, or undefined when it must be read (no tail, a direction read from below
   * its floor, or more than `limit` entries).
   */
  page(appKey: AppKey, owner: UserId, inboxAfter: number, sendboxAfter: number | null, limit: number, notBefore: number): SyncPage | undefined {
    const tail = this.tails.get(appKey)?.get(owner);
    if (tail === undefined) return undefined;
    // The store reads each direction above max(cursor, notBefore - 1).
    const inboxFrom = Math.max(inboxAfter, notBefore - 1);
    const sendboxFrom = sendboxAfter === null ? null : Math.max(sendboxAfter, notBefore - 1);
    if (inboxFrom < tail.floorInbox || (sendboxFrom !== null && sendboxFrom < tail.floorSendbox)) return undefined;
    const entries: SyncEntry[] = [];
    for (const entry of tail.entries) {
      const from = entry.direction === Direction.Receive ? inboxFrom : sendboxFrom;
      if (from !== null && entry.message.sentTime > from) entries.push(entry);
    }
    if (entries.length > Math.max(1, Math.floor(limit))) return undefined;
    this.hits++;
    return syncPage(entries, false, inboxAfter, sendboxAfter, tail.high);
  }

  /**
   * The store's read of the owner gave `page`, finished (`hasMore` false), reading the inbox from
   * `inboxFrom` and the sendbox from `sendboxFrom` (null: not read).
   */
  started(appKey: AppKey, owner: UserId, page: SyncPage, inboxFrom: number, sendboxFrom: number | null): void {
    let owners = this.tails.get(appKey);
    if (owners === undefined) this.tails.set(appKey, (owners = new Map()));
    const old = owners.get(owner);
    if (old !== undefined) this.total -= old.entries.length;
    const tail: Tail = { floorInbox: inboxFrom, floorSendbox: sendboxFrom ?? page.syncTime, high: page.syncTime, entries: [...page.entries] };
    owners.set(owner, tail);
    this.total += tail.entries.length;
    this.trim(tail);
  }

  /** A committed message's entry for `owner` (called in commit order). */
  appended(appKey: AppKey, owner: UserId, message: StoredMessage, direction: Direction, mentioned: boolean): void {
    const tail = this.tails.get(appKey)?.get(owner);
    // An append already in the snapshot that started the tail has a time ≤ its high-water mark.
    if (tail === undefined || message.sentTime <= tail.high) return;
    tail.entries.push({ message, direction, mentioned });
    tail.high = message.sentTime;
    this.total++;
    this.trim(tail);
  }

  /** Every tail goes; each owner's next pull reads the store. */
  clear(): void {
    this.tails.clear();
    this.total = 0;
  }

  private trim(tail: Tail): void {
    while (tail.entries.length > TAIL_ENTRIES) {
      const oldest = tail.entries.shift() as SyncEntry;
      this.total--;
      if (oldest.direction === Direction.Receive) tail.floorInbox = oldest.message.sentTime;
      else tail.floorSendbox = oldest.message.sentTime;
    }
    if (this.total > TAIL_TOTAL) this.clear();
  }
}
