/**
 * LifecycleEvents over the app-level events every mini-program host names alike
 * (`onNetworkStatusChange`, `onAppShow`, `onAppHide` and their `off*`). Each event is subscribed
 * at the host once, on first use, and fanned out; the host subscription is dropped again when
 * the last listener leaves, where the host has the `off*` function (older base libraries do not,
 * so the one host listener then stays, silent).
 */
import type { LifecycleEvents, Unsubscribe } from '../../src/platform/platform-adapter';

export interface NetworkStatus {
  readonly isConnected: boolean;
}

/**
 * Optional members: a host (or base library) without an event gets a no-op subscription. `off*`
 * only ever receives the function given to the matching `on*` (hosts type its argument loosely).
 */
export interface LifecycleHost {
  onNetworkStatusChange?(listener: (result: NetworkStatus) => void): void;
  offNetworkStatusChange?(listener: (result: unknown) => void): void;
  onAppShow?(listener: (options: unknown) => void): void;
  offAppShow?(listener: (options: unknown) => void): void;
  onAppHide?(listener: (options: unknown) => void): void;
  offAppHide?(listener: (options: unknown) => void): void;
}

type Subscribe<T> = (listener: (value: T) => void) => Unsubscribe;

type HostHook<T> = ((listener: (value: T) => void) => void) | undefined;

function fanOut<T>(on: HostHook<T>, off: HostHook<T>): Subscribe<T> {
  const listeners = new Set<{ readonly call: (value: T) => void }>();
  let attached = false;
  const dispatch = (value: T): void => {
    for (const listener of [...listeners]) if (listeners.has(listener)) listener.call(value);
  };
  return (call) => {
    if (on === undefined) return () => undefined;
    const listener = { call };
    listeners.add(listener);
    if (!attached) {
      attached = true;
      on(dispatch);
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && attached && off !== undefined) {
        attached = false;
        off(dispatch);
      }
    };
  };
}

export function createHostLifecycle(host: LifecycleHost): LifecycleEvents {
  // Called as methods of the host: some hosts' functions need their `this`.
  const bind = <T>(name: keyof LifecycleHost): HostHook<T> => {
    const fn = host[name] as unknown as ((this: LifecycleHost, listener: (value: T) => void) => void) | undefined;
    return typeof fn === 'function' ? (listener) => fn.call(host, listener) : undefined;
  };
  const network = fanOut<NetworkStatus>(bind('onNetworkStatusChange'), bind('offNetworkStatusChange'));
  const show = fanOut<unknown>(bind('onAppShow'), bind('offAppShow'));
  const hide = fanOut<unknown>(bind('onAppHide'), bind('offAppHide'));
  return {
    onNetworkChange: (listener) => network((status) => listener(status?.isConnected !== false)),
    onForeground: (listener) => show(() => listener()),
    onBackground: (listener) => hide(() => listener()),
  };
}
