/**
 * Cooperative cancellation for one connect attempt (no AbortController in the core: mini-program
 * hosts lack it). Cancelling runs every registered cleanup once, in registration order.
 */
import type { HttpRequest, HttpResponse, PlatformAdapter } from '../platform/platform-adapter';
import { HttpRequestError } from '../platform/http-request-error';

export class Cancellation {
  private cancelled = false;
  private readonly cleanups = new Set<() => void>();

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Runs `cleanup` on cancel (at once when already cancelled). Returns an unregister function. */
  onCancel(cleanup: () => void): () => void {
    if (this.cancelled) {
      cleanup();
      return () => undefined;
    }
    this.cleanups.add(cleanup);
    return () => this.cleanups.delete(cleanup);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const all = [...this.cleanups];
    this.cleanups.clear();
    for (const cleanup of all) cleanup();
  }
}

/** `platform.request` that is aborted when `cancel` fires (rejecting with reason 'aborted'). */
export async function cancellableRequest(
  platform: PlatformAdapter,
  request: HttpRequest,
  cancel: Cancellation,
): Promise<HttpResponse> {
  if (cancel.isCancelled) throw new HttpRequestError('aborted', 'cancelled before start');
  const pending = platform.request(request);
  const off = cancel.onCancel(() => pending.abort());
  try {
    return await pending.response;
  } finally {
    off();
  }
}

/** Resolves after `ms` on the platform clock, or early (with false) when cancelled. */
export function sleep(platform: PlatformAdapter, ms: number, cancel: Cancellation): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = platform.clock.setTimeout(() => {
      off();
      resolve(true);
    }, ms);
    const off = cancel.onCancel(() => {
      platform.clock.clearTimeout(timer);
      resolve(false);
    });
  });
}
