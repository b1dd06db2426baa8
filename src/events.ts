/**
 * A minimal typed event emitter (mqtt `TypedEmitter` style): one event map per emitter, listeners get
 * the exact payload type of their event. Invariants: listeners run synchronously in registration
 * order; a listener that throws never stops the others nor the emitter's caller (app callbacks must
 * not break SDK dispatch, seed 2.5.7) — the error goes to `onListenerError`.
 */
export type Unsubscribe = () => void;

// Event maps are plain interfaces/objects keyed by event name; payload `void` means "no payload".
export type EventMap = object;
export type Listener<T> = [T] extends [void] ? () => void : (payload: T) => void;

export class TypedEmitter<M extends EventMap> {
  private readonly listeners = new Map<keyof M, Set<(payload: never) => void>>();

  constructor(private readonly onListenerError: (error: unknown, event: keyof M) => void = () => undefined) {}

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = listener as unknown as (payload: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Registers a listener removed after its first call. */
  once<K extends keyof M>(event: K, listener: Listener<M[K]>): Unsubscribe {
    const call = listener as unknown as (payload: M[K]) => void;
    const off = this.on(event, ((payload: M[K]) => {
      off();
      call(payload);
    }) as unknown as Listener<M[K]>);
    return off;
  }

  emit<K extends keyof M>(event: K, ...args: [M[K]] extends [void] ? [] : [M[K]]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    // Snapshot: listeners added or removed during dispatch take effect from the next emit. One
    // listener (the usual case, once per received message) is taken out of the set without a copy.
    if (set.size === 1) {
      const only = set.values().next().value;
      if (only !== undefined) this.invoke(only, event, args);
      return;
    }
    for (const listener of [...set]) this.invoke(listener, event, args);
  }

  private invoke(listener: unknown, event: keyof M, args: readonly unknown[]): void {
    try {
      (listener as (...a: unknown[]) => void)(...args);
    } catch (error) {
      this.onListenerError(error, event);
    }
  }

  listenerCount(event: keyof M): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
