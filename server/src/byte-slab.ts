/**
 * Small byte arrays cut from a shared slab, as Node cuts small Buffers from its pool. A typed array of its own
 * over 64 bytes gets a backing store that V8 allocates outside the heap and the collector tracks one by one —
 * ≈ 1 µs each here, more than encoding the frame it holds; a view of a slab costs what a small object does.
 * Used for what the server writes to sockets (frames, delivery payloads): views live until their turn's bytes
 * are written, and a view kept longer keeps its slab (8 KiB, as Node's pool) alive.
 */
export class ByteSlab {
  private slab: Uint8Array;
  private used = 0;

  constructor(private readonly slabBytes = 8192) {
    this.slab = new Uint8Array(slabBytes);
  }

  /**
   * A buffer with at least `need` bytes free from `start(buffer)`: the slab, or an array of its own for a size
   * over a quarter of a slab. Write there, then `take` what was written (or nothing: the space stays free).
   */
  room(need: number): Uint8Array {
    if (need > this.slabBytes / 4) return new Uint8Array(need);
    if (this.used + need > this.slabBytes) {
      this.slab = new Uint8Array(this.slabBytes);
      this.used = 0;
    }
    return this.slab;
  }

  /** Where writing into `buffer` (from `room`) starts. */
  start(buffer: Uint8Array): number {
    return buffer === this.slab ? this.used : 0;
  }

  /** The `length` bytes written into `buffer` at `start(buffer)` as a Uint8Array of their own. */
  take(buffer: Uint8Array, length: number): Uint8Array {
    if (buffer !== this.slab) return length === buffer.length ? buffer : buffer.subarray(0, length);
    const at = this.used;
    // 8-byte aligned, as Node's pool: a reader may view the bytes through a wider array.
    this.used = at + ((length + 7) & ~7);
    return new Uint8Array(buffer.buffer, at, length);
  }

  /** `size` bytes (contents unspecified: the caller writes every one). */
  readonly allocate = (size: number): Uint8Array => this.take(this.room(size), size);
}

/** The slab of the server's outgoing bytes (one event loop, so one slab). */
export const outgoingBytes = new ByteSlab();
