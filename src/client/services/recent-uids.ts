/**
 * Bounded set of recently seen messageUIds: the receive pipeline's dedupe memory. A message can reach
 * a client up to three ways (echo, s_msg push, pullMsg) and again after a reconnect with a stale
 * cursor; it is delivered only the first time its uid is added. Oldest uids are evicted first once
 * `capacity` is reached, so memory and the persisted copy stay bounded. Pure: persistence is the
 * caller's (it stores `toArray()` and restores with `load`).
 */
export const DEFAULT_RECENT_UID_CAPACITY = 2000;

export class RecentUids {
  private readonly uids = new Set<string>();
  /**
   * `JSON.stringify(toArray())` without the brackets, or undefined once stale: an add appends to it
   * (a string append, not a serialisation of every uid); an eviction or delete makes it stale, and
   * `toJson` rebuilds it then, once per storage write rather than once per received message.
   */
  private json: string | undefined = '';

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
    if (this.uids.has(uid)) return false;
    this.uids.add(uid);
    if (this.json !== undefined) {
      const quoted = JSON.stringify(uid);
      this.json = this.json === '' ? quoted : `${this.json},${quoted}`;
    }
    while (this.uids.size > this.capacity) {
      const oldest = this.uids.values().next();
      if (oldest.done === true) break;
      this.uids.delete(oldest.value);
      this.json = undefined;
    }
    return true;
  }

  delete(uid: string): void {
    if (this.uids.delete(uid)) this.json = undefined;
  }

  clear(): void {
    this.uids.clear();
    this.json = '';
  }

  /** `JSON.stringify(toArray())`, maintained incrementally between evictions. */
  toJson(): string {
    this.json ??= JSON.stringify([...this.uids]).slice(1, -1);
    return `[${this.json}]`;
  }

  /** Oldest first, so `load(toArray())` restores the same eviction order. */
  toArray(): string[] {
    return [...this.uids];
  }

  /** Replaces the content; when `list` is longer than the capacity only its newest entries are kept. */
  load(list: readonly unknown[]): void {
    this.clear();
    for (const uid of list) if (typeof uid === 'string') this.add(uid);
  }
}
