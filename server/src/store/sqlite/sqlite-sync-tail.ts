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
 * Memory is bounded twice: a tail keeps at most `perOwner` entries (dropping its oldest raises that direction's
 * floor — the rule still holds above it), and past `total` entries in all tails the tails started longest
 * ago go first, down to three quarters of it (an owner still pulling gets a new one from its next read of
 * the store).
 */
export interface SyncTailLimits {
  /** Entries one tail keeps. */
  readonly perOwner: number;
  /** Entries all tails keep together. */
  readonly total: number;
}

const DEFAULT_LIMITS: SyncTailLimits = { perOwner: 32, total: 65_536 };

/** One direction of a tail: every entry above `floor`, ascending. */
interface Lane {
  floor: number;
  readonly entries: SyncEntry[];
}

interface Tail {
  readonly inbox: Lane;
  readonly sendbox: Lane;
  high: number;
}

/** The entries of an ascending `list` with a time above `after`: found from the end, where a pull's cursor usually is. */
function above(list: readonly SyncEntry[], after: number): SyncEntry[] {
  let start = list.length;
  while (start > 0 && (list[start - 1] as SyncEntry).message.sentTime > after) start--;
  return list.slice(start);
}

/** Two ascending lists with distinct times, as one. */
function merged(a: readonly SyncEntry[], b: readonly SyncEntry[]): SyncEntry[] {
  if (b.length === 0) return a as SyncEntry[];
  if (a.length === 0) return b as SyncEntry[];
  const out: SyncEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as SyncEntry;
    const y = b[j] as SyncEntry;
    if (x.message.sentTime < y.message.sentTime) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  for (; i < a.length; i++) out.push(a[i] as SyncEntry);
  for (; j < b.length; j++) out.push(b[j] as SyncEntry);
  return out;
}

export class SyncTail {
  /** By app, then owner. */
  private readonly tails = new Map<AppKey, Map<UserId, Tail>>();
  private total = 0;
  /** Pages answered from a tail (diagnostics and tests). */
  hits = 0;

  constructor(private readonly limits: SyncTailLimits = DEFAULT_LIMITS) {}

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
    if (inboxFrom < tail.inbox.floor || (sendboxFrom !== null && sendboxFrom < tail.sendbox.floor)) return undefined;
    const inbox = above(tail.inbox.entries, inboxFrom);
    const sendbox = sendboxFrom === null ? [] : above(tail.sendbox.entries, sendboxFrom);
    if (inbox.length + sendbox.length > Math.max(1, Math.floor(limit))) return undefined;
    this.hits++;
    return syncPage(merged(inbox, sendbox), false, inboxAfter, sendboxAfter, tail.high);
  }

  /**
   * The store's read of the owner gave `page`, finished (`hasMore` false), reading the inbox from
   * `inboxFrom` and the sendbox from `sendboxFrom` (null: not read).
   */
  started(appKey: AppKey, owner: UserId, page: SyncPage, inboxFrom: number, sendboxFrom: number | null): void {
    let owners = this.tails.get(appKey);
    if (owners === undefined) this.tails.set(appKey, (owners = new Map()));
    const old = owners.get(owner);
    if (old !== undefined) {
      this.total -= old.inbox.entries.length + old.sendbox.entries.length;
      // Re-inserted, so that eviction (oldest start first) finds it last.
      owners.delete(owner);
    }
    const tail: Tail = {
      inbox: { floor: inboxFrom, entries: page.entries.filter((entry) => entry.direction === Direction.Receive) },
      sendbox: { floor: sendboxFrom ?? page.syncTime, entries: page.entries.filter((entry) => entry.direction !== Direction.Receive) },
      high: page.syncTime,
    };
    owners.set(owner, tail);
    this.total += page.entries.length;
    this.trim(tail);
  }

  /** A committed message's entry for `owner` (called in commit order). */
  appended(appKey: AppKey, owner: UserId, message: StoredMessage, direction: Direction, mentioned: boolean): void {
    const tail = this.tails.get(appKey)?.get(owner);
    // An append already in the snapshot that started the tail has a time ≤ its high-water mark.
    if (tail === undefined || message.sentTime <= tail.high) return;
    (direction === Direction.Receive ? tail.inbox : tail.sendbox).entries.push({ message, direction, mentioned });
    tail.high = message.sentTime;
    this.total++;
    this.trim(tail);
  }

  /** Every tail goes; each owner's next pull reads the store. */
  clear(): void {
    this.tails.clear();
    this.total = 0;
  }

  /** Drops the oldest entries beyond the per-owner limit, raising their direction's floor; then evicts if over the total. */
  private trim(tail: Tail): void {
    const { inbox, sendbox } = tail;
    while (inbox.entries.length + sendbox.entries.length > this.limits.perOwner) {
      const a = inbox.entries[0];
      const b = sendbox.entries[0];
      const lane = b === undefined || (a !== undefined && a.message.sentTime < b.message.sentTime) ? inbox : sendbox;
      lane.floor = (lane.entries.shift() as SyncEntry).message.sentTime;
      this.total--;
    }
    if (this.total > this.limits.total) this.evict();
  }

  /** Whole tails, started longest ago first, until three quarters of the total limit is left. */
  private evict(): void {
    const target = Math.floor((this.limits.total * 3) / 4);
    for (const [appKey, owners] of this.tails) {
      for (const [owner, tail] of owners) {
        if (this.total <= target) return;
        this.total -= tail.inbox.entries.length + tail.sendbox.entries.length;
        owners.delete(owner);
      }
      if (owners.size === 0) this.tails.delete(appKey);
    }
  }
}
