/**
 * Bounded set of recently seen messageUIds: the receive pipeline's dedupe memory. A message can reach
 * a client up to three ways (echo, s_msg push, pullMsg) and again after a reconnect with a stale
 * cursor; it is delivered only the first time its uid is added. Oldest uids are evicted first once
 * `capacity` is reached, so memory and the persisted copy stay bounded. Pure: persistence is the
 * caller's (it stores `toJson()` and restores with `load`).
 */
export const DEFAULT_RECENT_UID_CAPACITY = 2000;

/** Uids per block of the insertion-order queue (see `RecentUids.blocks`). */
const BLOCK = 64;

/** A run of uids in insertion order; `text` is the JSON of a full block (no brackets), made once. */
interface Block {
  readonly uids: string[];
  text: string | undefined;
}

export class RecentUids {
  private readonly uids = new Set<string>();
  /**
   * The uids in insertion order, oldest first: blocks of up to BLOCK uids, of which the first
   * `offset` of the first block are already evicted. Eviction is then O(1) (a Set's own oldest entry
   * is found by iterating over the holes its deletions leave), and `toJson` — run once per storage
   * write, not per message — joins the cached text of every full block and serialises only the
   * partial first and last ones, whether or not the set has reached its capacity.
   */
  private blocks: Block[] = [];
  private offset = 0;

  constructor(private readonly capacity: number = DEFAULT_RECENT_UID_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.uids.size;
  }

  has(uid: string): boolean {
    return this.uids.has(uid);
  }

  /** Records `uid`; true when it was not already present (i.e. the message is new). Empty uids are never recorded. */
  add(uid: string): boolean {
    if (uid === '') return true;
    const uids = this.uids;
    if (uids.has(uid)) return false;
    uids.add(uid);
    this.append(uid);
    if (uids.size > this.capacity) this.evictOldest();
    return true;
  }

  private evictOldest(): void {
    const first = this.blocks[0];
    if (first === undefined) return;
    this.uids.delete(first.uids[this.offset] as string);
    this.offset += 1;
    if (this.offset === first.uids.length) {
      this.blocks.shift();
      this.offset = 0;
    }
  }

  delete(uid: string): void {
    if (!this.uids.delete(uid)) return;
    // Rare (no receive path deletes): rebuild the order without it.
    const rest = this.toArray().filter((u) => u !== uid);
    this.blocks = [];
    this.offset = 0;
    for (const u of rest) this.append(u);
  }

  private append(uid: string): void {
    const last = this.blocks[this.blocks.length - 1];
    if (last !== undefined && last.uids.length < BLOCK) last.uids.push(uid);
    else this.blocks.push({ uids: [uid], text: undefined });
  }

  clear(): void {
    this.uids.clear();
    this.blocks = [];
    this.offset = 0;
  }

  /** Exactly `JSON.stringify(toArray())`. */
  toJson(): string {
    const parts: string[] = [];
    const blocks = this.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i] as Block;
      const from = i === 0 ? this.offset : 0;
      if (from >= block.uids.length) continue;
      if (from > 0) parts.push(JSON.stringify(block.uids.slice(from)).slice(1, -1));
      else if (block.uids.length < BLOCK) parts.push(JSON.stringify(block.uids).slice(1, -1));
      else parts.push((block.text ??= JSON.stringify(block.uids).slice(1, -1)));
    }
    return `[${parts.join(',')}]`;
  }

  /** Oldest first, so `load(toArray())` restores the same eviction order. */
  toArray(): string[] {
    const out: string[] = [];
    const blocks = this.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const list = (blocks[i] as Block).uids;
      for (let j = i === 0 ? this.offset : 0; j < list.length; j++) out.push(list[j] as string);
    }
    return out;
  }

  /** Replaces the content; when `list` is longer than the capacity only its newest entries are kept. */
  load(list: readonly unknown[]): void {
    this.clear();
    for (const uid of list) if (typeof uid === 'string') this.add(uid);
  }
}
