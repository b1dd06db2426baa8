/**
 * Which transports to try, in order (pure policy + a remembered preference). WebSocket first;
 * comet only when WebSocket could not connect to any host. A comet success after a WebSocket
 * failure is remembered in storage for PREFERENCE_TTL_MS, during which comet goes first; when it
 * expires WebSocket is probed first again. A WebSocket success forgets the preference.
 */
import type { KeyValueStorage } from '../platform/platform-adapter';
import type { TransportKind } from './transport';

export const PREFERENCE_TTL_MS = 60 * 60 * 1000;

/** 'comet' = comet only; 'websocket' or undefined = WebSocket first with comet fallback. */
export type ConnectionTypeOption = 'websocket' | 'comet' | undefined;

export interface TransportPreference {
  readonly kind: TransportKind;
  /** Epoch ms after which the preference is ignored. */
  readonly expiresAt: number;
}

export function transportOrder(
  option: ConnectionTypeOption,
  preference: TransportPreference | undefined,
  now: number,
): TransportKind[] {
  if (option === 'comet') return ['comet'];
  if (preference?.kind === 'comet' && preference.expiresAt > now) return ['comet', 'websocket'];
  return ['websocket', 'comet'];
}

export function preferenceKey(appKey: string): string {
  return `transport-preference:${appKey}`;
}

/** Storage failures and malformed values read as "no preference": they never block a connect. */
export async function loadPreference(storage: KeyValueStorage, appKey: string): Promise<TransportPreference | undefined> {
  try {
    const text = await storage.get(preferenceKey(appKey));
    if (text === undefined) return undefined;
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const { kind, expiresAt } = parsed as Record<string, unknown>;
    if ((kind !== 'websocket' && kind !== 'comet') || typeof expiresAt !== 'number') return undefined;
    return { kind, expiresAt };
  } catch {
    return undefined;
  }
}

/**
 * Records what worked. `order` is what was tried; only a fallback success (not the first kind
 * tried) is stored, and a WebSocket success clears any stored preference.
 */
export async function rememberOutcome(
  storage: KeyValueStorage,
  appKey: string,
  order: readonly TransportKind[],
  connected: TransportKind,
  now: number,
  ttlMs: number = PREFERENCE_TTL_MS,
): Promise<void> {
  try {
    if (connected === 'websocket') {
      if (order[0] !== 'websocket') await storage.remove(preferenceKey(appKey));
      else if ((await storage.get(preferenceKey(appKey))) !== undefined) await storage.remove(preferenceKey(appKey));
      return;
    }
    if (order.length > 1 && order[0] === 'websocket') {
      const value: TransportPreference = { kind: 'comet', expiresAt: now + ttlMs };
      await storage.set(preferenceKey(appKey), JSON.stringify(value));
    }
  } catch {
    // A preference is an optimisation only.
  }
}
