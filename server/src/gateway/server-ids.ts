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

/**
 * `R`: what the session keeps of a client request in flight. The requests are kept here, by messageId, and are
 * also the ids our pushes skip: one map per session, not a map of requests beside a set of their ids.
 */
export class ServerIdAllocator<R> {
  private cursor = MAX_MESSAGE_ID;
  // Created on first use: an idle connection never needs them, and an empty Map or Set costs ≈ 160 bytes
  // (P2: hundreds of thousands of idle connections per machine).
  /**
   * Client requests received and not answered yet, by messageId. Any id is kept (comet E4 counters exceed
   * 65535), but only ids in 1..65535 are ever compared with ours.
   */
  private clientInFlight: Map<number, R> | undefined;
  private outstanding: Set<number> | undefined;
  private lastClientId = 0;

  /** A client request with this id arrived (only ids in 1..65535 move the guard window). */
  clientSent(id: number, request: R): void {
    (this.clientInFlight ??= new Map()).set(id, request);
    if (isWireId(id)) this.lastClientId = id;
  }

  /** The client request in flight with this id. */
  clientRequest(id: number): R | undefined {
    return this.clientInFlight?.get(id);
  }

  /** We answered that client request: returns it (undefined when none with that id was in flight). */
  clientAnswered(id: number): R | undefined {
    const inFlight = this.clientInFlight;
    if (inFlight === undefined) return undefined;
    const request = inFlight.get(id);
    inFlight.delete(id);
    return request;
  }

  /** Forgets every client request in flight (the session closed: it allocates no more ids). */
  clientGone(): void {
    this.clientInFlight = undefined;
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
