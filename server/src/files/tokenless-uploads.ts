/**
 * Bounds the uploads that stage a file before any upload token was seen. The official upload plugin
 * posts `key`, `file`, `token` in that order (and no header), so its file is only authorized after
 * it was read in full: a small cap on bytes before the token would break it. What an unauthenticated
 * request can cause is bounded instead by how many such uploads stage at once — per client address and
 * in all — so at most `total` × the largest type limit of disk is spent on bytes nobody vouched for.
 * An upload beyond either cap waits (its body is not read meanwhile) for a slot, in arrival order,
 * for at most `waitMs`, then is refused (429); so are waiters beyond `maxWaiting`.
 *
 * Uploads with a token in the header, or a `token` field before the file part, never come here.
 */

export interface TokenlessLimits {
  /** Concurrent tokenless stagings, all addresses together. */
  readonly total: number;
  /** Concurrent tokenless stagings from one client address. */
  readonly perAddress: number;
  /** How long an upload over a cap waits for a slot before it is refused. */
  readonly waitMs: number;
  /** Uploads waiting at once; more are refused at once. */
  readonly maxWaiting: number;
}

interface Waiter {
  readonly address: string;
  readonly admit: (release: () => void) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class TokenlessUploads {
  private active = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: TokenlessLimits) {}

  /** Stagings in progress (for tests and metrics). */
  get inProgress(): number {
    return this.active;
  }

  /** A release function once a slot is free, or undefined when none came in time (or too many wait). */
  enter(address: string): Promise<(() => void) | undefined> {
    // Whoever waits does not fit (a release admits every waiter that does, at once), so a newcomer that
    // fits jumps no queue of its own address or of the total.
    if (this.fits(address)) return Promise.resolve(this.take(address));
    if (this.waiting.length >= this.limits.maxWaiting) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        address,
        admit: resolve,
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve(undefined);
        }, this.limits.waitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private fits(address: string): boolean {
    return this.active < this.limits.total && (this.byAddress.get(address) ?? 0) < this.limits.perAddress;
  }

  private take(address: string): () => void {
    this.active += 1;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left === 0) this.byAddress.delete(address);
      else this.byAddress.set(address, left);
      this.admitWaiting();
    };
  }

  /** Admits, in arrival order, every waiter that fits now (one address at its cap does not hold up others). */
  private admitWaiting(): void {
    for (let i = 0; i < this.waiting.length && this.active < this.limits.total; ) {
      const waiter = this.waiting[i] as Waiter;
      if (!this.fits(waiter.address)) {
        i += 1;
        continue;
      }
      this.waiting.splice(i, 1);
      clearTimeout(waiter.timer);
      waiter.admit(this.take(waiter.address));
    }
  }
}
