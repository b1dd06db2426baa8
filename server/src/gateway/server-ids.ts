/**
 * Server-initiated messageIds (PROTOCOL.md §5.1). Clients match the id of EVERY incoming frame
 * against their pending requests, so a push must never reuse an id the client is waiting on.
 * Client ids count up from 1; ours count down from 65535 (never 0), skipping:
 * - ids of client requests we have received and not answered yet,
 * - a guard window just above the client's latest id (requests it may have sent already that
 *   have not reached us), and
 * - our own ids still awaiting the client's PUBACK.
 */
export const MAX_MESSAGE_ID = 65535;
/** How far ahead of the client's last seen id we stay away from. */
export const CLIENT_GUARD_WINDOW = 64;
/** Unacked server ids remembered at most (E4 comet never acks; oldest are forgotten first). */
export const MAX_OUTSTANDING = 4096;

export class ServerIdAllocator {
  private cursor = MAX_MESSAGE_ID;
  // Created on first use: an idle connection never needs them, and an empty Set costs ≈ 160 bytes
  // (P2: hundreds of thousands of idle connections per machine).
  private clientInFlight: Set<number> | undefined;
  private outstanding: Set<number> | undefined;
  private lastClientId = 0;

  /** A client request with this id arrived (ids outside 1..65535 are not tracked). */
  clientSent(id: number): void {
    if (!isWireId(id)) return;
    (this.clientInFlight ??= new Set()).add(id);
    this.lastClientId = id;
  }

  /** We answered that client request. */
  clientAnswered(id: number): void {
    this.clientInFlight?.delete(id);
  }

  /** The client acked one of our ids, which may now be reused. */
  serverAcked(id: number): void {
    this.outstanding?.delete(id);
  }

  /** Whether `id` is one of our pushes still awaiting the client's PUBACK. */
  isOutstanding(id: number): boolean {
    return this.outstanding?.has(id) === true;
  }

  /**
   * Next free id, descending and wrapping 1 → 65535. `track` = expect a client PUBACK (qos 1, not
   * an echo): the id stays reserved until `serverAcked` or until forgotten.
   */
  next(track = false): number {
    for (let tries = 0; tries < MAX_MESSAGE_ID; tries++) {
      const id = this.cursor;
      this.cursor = id <= 1 ? MAX_MESSAGE_ID : id - 1;
      if (this.isFree(id)) return this.reserve(id, track);
    }
    // Everything blocked (cannot happen with the bounded sets above); fall back to the cursor.
    return this.reserve(this.cursor, track);
  }

  private isFree(id: number): boolean {
    if (this.clientInFlight?.has(id) === true || this.outstanding?.has(id) === true) return false;
    if (this.lastClientId === 0) return true;
    const ahead = (id - this.lastClientId + MAX_MESSAGE_ID) % MAX_MESSAGE_ID;
    return ahead === 0 || ahead > CLIENT_GUARD_WINDOW;
  }

  private reserve(id: number, track: boolean): number {
    if (track) {
      const outstanding = (this.outstanding ??= new Set());
      outstanding.add(id);
      if (outstanding.size > MAX_OUTSTANDING) {
        const oldest = outstanding.values().next().value;
        if (oldest !== undefined) outstanding.delete(oldest);
      }
    }
    return id;
  }
}

function isWireId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= MAX_MESSAGE_ID;
}
