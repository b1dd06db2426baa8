/**
 * CONNACK status byte (PROTOCOL.md §3.2) → what the engine does. Status 6 (REDIRECT) fetches navi
 * again; every other refusal is final (retrying the same token cannot succeed), reported with the
 * ErrorCode RongCloud's status table gives it (35008 / 35009 / 35010 for statuses 3 / 12 / 13; imlib-next 5.x
 * itself reports those three as 31003 / 31022 / 31023, and E4 every refusal as 30002).
 */
import type { StateCause } from './connection-states';
import { EngineCode } from './engine-error';

export type ConnackOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'redirect' }
  | { readonly kind: 'refused'; readonly code: number; readonly cause: StateCause };

const REFUSALS: Readonly<Record<number, number>> = {
  1: EngineCode.ProtocolVersion,
  2: EngineCode.IdentifierRejected,
  3: EngineCode.PlatformUnavailable,
  4: EngineCode.TokenIncorrect,
  5: EngineCode.NotAuthorized,
  7: EngineCode.PackageNameInvalid,
  8: EngineCode.AppBlockedOrDeleted,
  9: EngineCode.UserBlocked,
  10: EngineCode.TokenExpired,
  11: EngineCode.DeviceError,
  12: EngineCode.HostnameError,
  13: EngineCode.SameClientOnline,
};

export function connackOutcome(status: number): ConnackOutcome {
  if (status === 0) return { kind: 'accepted' };
  if (status === 6) return { kind: 'redirect' };
  const code = REFUSALS[status] ?? EngineCode.ServerUnavailable;
  if (status === 4) return { kind: 'refused', code, cause: { kind: 'token-incorrect' } };
  if (status === 9) return { kind: 'refused', code, cause: { kind: 'blocked' } };
  return { kind: 'refused', code, cause: { kind: 'rejected', code } };
}

/** DISCONNECT reason byte (PROTOCOL.md §3.4) → state cause. */
export function disconnectCause(reason: number): StateCause {
  switch (reason) {
    case 1:
      return { kind: 'kicked' };
    case 2:
      return { kind: 'blocked' };
    case 0:
    case 6:
      return { kind: 'redirect' };
    default:
      return { kind: 'server-closed', reason };
  }
}
