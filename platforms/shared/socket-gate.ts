/**
 * Keeps a host's socket limit (`capabilities.maxConcurrentSockets`). A host counts a socket from
 * `connectSocket` until it reports the close, so a socket being closed still holds its slot: a
 * new socket waits for that close instead of failing at the host. When every slot holds a live
 * socket the newcomer fails, except on single-socket hosts (limit 1), where the newest socket
 * wins: the old one is closed first, then the new one starts (a reconnect never needs two).
 */

export interface GateEntry {
  /** Called once when the entry gets a slot; it may call `release` synchronously. */
  start(): void;
  /** Limit 1 only: a newer socket wants the slot; close yours (then `closing`/`release`). */
  evict(): void;
  /** Limit > 1 only: no slot will free up (every slot holds a live socket). */
  reject(reason: string): void;
}

type State = 'waiting' | 'live' | 'closing';

export class SocketGate {
  private readonly entries = new Map<GateEntry, State>();
  private pumping = false;
  private again = false;

  constructor(readonly limit: number) {}

  /** Sockets the host may still count (live or being closed). */
  get occupied(): number {
    let n = 0;
    for (const state of this.entries.values()) if (state !== 'waiting') n += 1;
    return n;
  }

  enter(entry: GateEntry): void {
    if (this.limit <= 1) {
      for (const [other, state] of this.entries) {
        if (state === 'waiting') this.entries.delete(other);
        if (state !== 'closing') other.evict();
      }
    }
    this.entries.set(entry, 'waiting');
    this.pump();
  }

  /** The entry's host socket is being closed; it keeps its slot until `release`. */
  closing(entry: GateEntry): void {
    if (this.entries.get(entry) === 'live') this.entries.set(entry, 'closing');
  }

  /** The host reported the close (or never started the socket): the slot is free. Idempotent. */
  release(entry: GateEntry): void {
    if (this.entries.delete(entry)) this.pump();
  }

  private pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.step();
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  private step(): void {
    for (const [entry, state] of this.entries) {
      if (state !== 'waiting') continue;
      if (this.occupied < this.limit) {
        this.entries.set(entry, 'live');
        entry.start();
        this.again = true;
        return;
      }
      if (this.limit > 1 && ![...this.entries.values()].includes('closing')) {
        this.entries.delete(entry);
        entry.reject(`at most ${this.limit} sockets may be open at once on this host`);
        this.again = true;
      }
      return;
    }
  }
}
