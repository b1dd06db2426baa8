/**
 * Calling back into the app. Invariants: an app callback that throws is logged and never breaks the
 * SDK (seed 2.5.7); results are always delivered asynchronously (never inside the API call itself),
 * so an app sees the same ordering whether a call fails validation or fails on the server.
 */
import type { Logger } from '../client/logger';

/** `{onSuccess, onError}` as apps pass it; every member optional because apps omit them. */
export interface Callback<T = void, O = void> {
  onSuccess?: (data: T, other?: O) => void;
  onError?: (code: number, data?: unknown) => void;
}

export interface SendCallback<T> extends Callback<T> {
  onBefore?: (messageId: number) => void;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Calls `holder[name](...args)` if it is a function; exceptions are logged. */
export function callMember(logger: Logger, holder: unknown, name: string, ...args: unknown[]): void {
  if (!isObject(holder) && typeof holder !== 'function') return;
  const fn = (holder as Record<string, unknown>)[name];
  if (typeof fn !== 'function') return;
  try {
    (fn as (...a: unknown[]) => unknown).apply(holder, args);
  } catch (error) {
    logger.error(`app callback '${name}' threw`, error);
  }
}

/** Calls the first of `names` that `holder` defines (listener property aliases such as onChanged/onChange). */
export function callFirst(logger: Logger, holder: unknown, names: readonly string[], ...args: unknown[]): void {
  if (!isObject(holder)) return;
  const name = names.find((n) => typeof holder[n] === 'function');
  if (name !== undefined) callMember(logger, holder, name, ...args);
}

/** Delivers on a later microtask. */
export function later(work: () => void): void {
  void Promise.resolve().then(work);
}

export function succeed<T, O>(logger: Logger, callback: Callback<T, O> | undefined, data?: T, other?: O): void {
  later(() => callMember(logger, callback, 'onSuccess', ...(other === undefined ? [data] : [data, other])));
}

export function fail(logger: Logger, callback: unknown, code: number, data?: unknown): void {
  later(() => callMember(logger, callback, 'onError', ...(data === undefined ? [code] : [code, data])));
}
