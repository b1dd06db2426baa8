/**
 * Engine state changes → the two public status vocabularies: the legacy `ConnectionStatus` numbers of
 * `setConnectionStatusListener` / `getCurrentConnectionStatus`, and the 5.7 `RCConnectionStatus` +
 * code of `onConnectionStatusChange` (SUSPENDED = the SDK reconnects by itself, DISCONNECTED = it
 * will not). Internal state names never leak to the app.
 */
import type { StateChange } from '../client/connection-states';
import { ConnectionStatus, ErrorCode, RCConnectionStatus } from './enums';

export interface PublicStatus {
  readonly legacy: ConnectionStatus;
  /** Legacy status reported just before `legacy`: DISCONNECTED when the server ends a live session (E4 disconnects, then says why). */
  readonly before?: ConnectionStatus;
  /** Undefined: not a 5.7 status change (an automatic attempt's start stays SUSPENDED there). */
  readonly status?: RCConnectionStatus;
  /** Why (an ErrorCode), for SUSPENDED and DISCONNECTED. */
  readonly code?: number;
}

export function publicStatusOf(change: StateChange): PublicStatus | undefined {
  const { from, to, cause } = change;
  switch (to) {
    case 'connecting':
      return { legacy: ConnectionStatus.CONNECTING, status: RCConnectionStatus.CONNECTING };
    case 'connected':
      return { legacy: ConnectionStatus.CONNECTED, status: RCConnectionStatus.CONNECTED };
    case 'reconnecting': {
      if (cause.kind === 'redirect') return { legacy: ConnectionStatus.REDIRECT, status: RCConnectionStatus.SUSPENDED, code: ErrorCode.RC_CONN_REDIRECTED };
      // As the official 2.9.2 client reports an automatic reconnect (observed against this server): CONNECTING
      // when the session is lost and when each attempt starts, WEBSOCKET_UNAVAILABLE when an attempt fails;
      // never CONNECTION_CLOSED while it reconnects.
      if (cause.kind === 'retry') return { legacy: ConnectionStatus.CONNECTING };
      const code = cause.kind === 'network' ? cause.code : ErrorCode.RC_NET_UNAVAILABLE;
      const legacy = from === 'reconnecting' ? ConnectionStatus.WEBSOCKET_UNAVAILABLE : ConnectionStatus.CONNECTING;
      return { legacy, status: RCConnectionStatus.SUSPENDED, code };
    }
    case 'suspended':
      return { legacy: ConnectionStatus.NETWORK_UNAVAILABLE, status: RCConnectionStatus.SUSPENDED, code: ErrorCode.RC_NET_UNAVAILABLE };
    case 'closed': {
      // PROTOCOL §3.4: a live session the server ends (kick, block, remote close) is DISCONNECTED (2), then the reason.
      const byServer = (legacy: ConnectionStatus, code: number): PublicStatus => ({
        legacy,
        ...(from === 'connected' ? { before: ConnectionStatus.DISCONNECTED } : {}),
        status: RCConnectionStatus.DISCONNECTED,
        code,
      });
      switch (cause.kind) {
        case 'user':
          return { legacy: ConnectionStatus.DISCONNECTED, status: RCConnectionStatus.DISCONNECTED, code: ErrorCode.SUCCESS };
        case 'kicked':
          return byServer(ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT, ErrorCode.RC_DISCONN_KICK);
        case 'blocked':
          return byServer(ConnectionStatus.BLOCKED, ErrorCode.RC_CONN_USER_BLOCKED);
        case 'server-closed':
          return byServer(ConnectionStatus.DISCONNECT_BY_SERVER, ErrorCode.RC_DISCONN_EXCEPTION);
        case 'token-incorrect':
          return { legacy: ConnectionStatus.DISCONNECTED, status: RCConnectionStatus.DISCONNECTED, code: ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR };
        case 'network':
        case 'rejected':
          return { legacy: ConnectionStatus.DISCONNECTED, status: RCConnectionStatus.DISCONNECTED, code: cause.code };
        default:
          return { legacy: ConnectionStatus.DISCONNECTED, status: RCConnectionStatus.DISCONNECTED, code: ErrorCode.UNKNOWN };
      }
    }
    case 'idle':
      return undefined;
  }
}
