/**
 * What the engine rejects with: the SDK's one error class (src/errors.ts `SdkError`) carrying a
 * public RongIMLib `ErrorCode`, so the facade passes `code` to `onError(code)` unchanged.
 * `EngineCode` names the codes the engine itself raises, in the engine's vocabulary.
 */
import { ErrorCode, SdkError } from '../errors';

export const EngineCode = {
  /** No ack within 30 s. */
  Timeout: ErrorCode.TIMEOUT,
  Unknown: ErrorCode.UNKNOWN,
  /** publish/query while not connected and not about to be. */
  NotConnected: ErrorCode.RC_NET_CHANNEL_INVALID,
  /** Every host failed at the transport level. */
  NetUnavailable: ErrorCode.RC_NET_UNAVAILABLE,
  /** No navigator answered. */
  NaviFailed: ErrorCode.RC_NAVI_RESOURCE_ERROR,
  /** Navi answered without any CMP host. */
  NoHostInNavi: ErrorCode.RC_DOMAIN_NOT_RESOLVE,
  /** No CMP host answered /ping. */
  NoHostReachable: ErrorCode.RC_SOCKET_NOT_CREATED,
  /** The connection went away (disconnect() or network) while the request waited. */
  SocketDisconnected: ErrorCode.RC_SOCKET_DISCONNECTED,
  /** Heartbeat: two PINGREQs unanswered. */
  PingTimeout: ErrorCode.RC_PONG_RECV_FAIL,
  /** connect() did not finish within 10 s of navi's answer. */
  ConnectTimeout: ErrorCode.RC_CONN_ACK_TIMEOUT,
  ProtocolVersion: ErrorCode.RC_CONN_PROTO_VERSION_ERROR,
  IdentifierRejected: ErrorCode.RC_CONN_ID_REJECT,
  ServerUnavailable: ErrorCode.RC_CONN_SERVER_UNAVAILABLE,
  TokenIncorrect: ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR,
  NotAuthorized: ErrorCode.RC_CONN_NOT_AUTHRORIZED,
  Redirected: ErrorCode.RC_CONN_REDIRECTED,
  PackageNameInvalid: ErrorCode.RC_CONN_PACKAGE_NAME_INVALID,
  AppBlockedOrDeleted: ErrorCode.RC_CONN_APP_BLOCKED_OR_DELETED,
  UserBlocked: ErrorCode.RC_CONN_USER_BLOCKED,
  Kicked: ErrorCode.RC_DISCONN_KICK,
  TokenExpired: ErrorCode.RC_CONN_TOKEN_EXPIRED,
  DeviceError: ErrorCode.RC_CONN_DEVICE_ERROR,
  /** connect() while already connecting. */
  Connecting: ErrorCode.BIZ_ERROR_CONNECTING,
  /** Navi `type: 1` (private-cloud marker). */
  PackageEnvironment: ErrorCode.PACKAGE_ENVIRONMENT_ERROR,
  /** reconnect() without a previous disconnect(). */
  CanNotReconnect: ErrorCode.CAN_NOT_RECONNECT,
  PlatformUnavailable: ErrorCode.SERVER_UNAVAILABLE,
  HostnameError: ErrorCode.HOSTNAME_ERROR,
  SameClientOnline: ErrorCode.HAS_OHTER_SAME_CLIENT_ON_LINE,
} as const;
export type EngineCode = (typeof EngineCode)[keyof typeof EngineCode];

/** Alias kept for engine code and tests: engine failures are plain SdkErrors. */
export { SdkError as EngineError };
