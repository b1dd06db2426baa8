/**
 * The SDK's error model: one `SdkError` class carrying a public RongIMLib `ErrorCode`, and the catalog
 * that turns wire statuses (PUBACK/QUERYACK) and local failures into those codes. CONNACK/DISCONNECT
 * mapping belongs to the engine (src/client/connack-status.ts), which reports the same numbers.
 * Every failure the app sees goes through here, so the numbers stay those of the official client
 * (API_CHECKLIST §5.4/§8) and nothing else in the SDK hard-codes them.
 *
 * The numeric `ErrorCode` enum lives here (not in src/api) so that the engine under src/client can
 * use it without depending on the public facade; src/api/enums.ts re-exports it.
 */

/* eslint-disable @typescript-eslint/no-duplicate-enum-values -- aliases exist in the official enum */
/** Public error codes: every name and value of the official enum, plus the codes added later (E573, seed). */
export enum ErrorCode {
  TIMEOUT = -1,
  UNKNOWN = -2,
  PARAMETER_ERROR = -3,
  EXTRA_METHOD_UNDEFINED = -4,
  MAIN_PROCESS_ERROR = -5,
  SUCCESS = 0,
  // Call (VoIP) hang-up reasons share the enum in the official client.
  CANCEL = 1,
  REJECT = 2,
  HANGUP = 3,
  BUSYLINE = 4,
  NO_RESPONSE = 5,
  ENGINE_UN_SUPPORTED = 6,
  NETWORK_ERROR = 7,
  REMOTE_CANCEL = 11,
  REMOTE_REJECT = 12,
  REMOTE_HANGUP = 13,
  REMOTE_BUSYLINE = 14,
  REMOTE_NO_RESPONSE = 15,
  REMOTE_ENGINE_UN_SUPPORTED = 16,
  REMOTE_NETWORK_ERROR = 17,
  VOIP_NOT_AVALIABLE = 18,
  REJECTED_BY_BLACKLIST = 405,
  /** Seed status table: not in the recipient's whitelist. */
  NOT_IN_WHITELIST = 407,
  /** Seed status table: the sender is muted for private chat. */
  FORBIDDEN_IN_PRIVATE_CHAT = 20106,
  RC_MSG_UNAUTHORIZED = 20406,
  RC_DISCUSSION_GROUP_ID_INVALID = 20407,
  SEND_FREQUENCY_TOO_FAST = 20604,
  /** Seed status table: signalling banned. */
  SIGNALING_BANNED = 20605,
  /** Seed status table: API call rate limited. */
  API_FREQUENCY_TOO_FAST = 20607,
  NOT_IN_DISCUSSION = 21406,
  JOIN_IN_DISCUSSION = 21407,
  CREATE_DISCUSSION = 21408,
  INVITE_DICUSSION = 21409,
  SENSITIVE_SHIELD = 21501,
  SENSITIVE_REPLACE = 21502,
  NOT_IN_GROUP = 22406,
  FORBIDDEN_IN_GROUP = 22408,
  NOT_IN_CHATROOM = 23406,
  GET_USERINFO_ERROR = 23407,
  FORBIDDEN_IN_CHATROOM = 23408,
  RC_CHATROOM_USER_KICKED = 23409,
  RC_CHATROOM_NOT_EXIST = 23410,
  RC_CHATROOM_IS_FULL = 23411,
  RC_CHATROOM_PATAMETER_INVALID = 23412,
  CHATROOM_GET_HISTORYMSG_ERROR = 23413,
  CHATROOM_NOT_OPEN_HISTORYMSG_STORE = 23414,
  CHATROOM_KV_EXCEED = 23423,
  CHATROOM_KV_OVERWRITE_INVALID = 23424,
  /** Seed status table: chatroom KV set rate exceeded. */
  CHATROOM_KV_SET_FREQUENCY_TOO_FAST = 23425,
  CHATROOM_KV_STORE_NOT_OPEN = 23426,
  CHATROOM_KEY_NOT_EXIST = 23427,
  CHATROOM_KV_STORE_NOT_ALL_SUCCESS = 23428,
  CHATROOM_KV_STORE_OUT_LIMIT = 23429,
  HAVNODEVICEID = 24001,
  DEVICEIDISHAVE = 24002,
  FEILD = 24009,
  NOENGINETYPE = 24010,
  NULLCHANNELNAME = 24011,
  VOIPDYANMICERROR = 24012,
  VOIPISNULL = 24013,
  NOVOIP = 24014,
  INTERNALERRROR = 24015,
  VOIPCLOSE = 24016,
  RECALL_MESSAGE = 25101,
  /** Seed status table: history cloud storage not enabled. */
  MSG_ROAMING_NOT_OPEN = 25102,
  /** Changelog: conversation status set too frequently. */
  CONVERSATION_STATUS_TOO_FREQUENT = 26002,
  RC_NET_CHANNEL_INVALID = 30001,
  RC_NET_UNAVAILABLE = 30002,
  RC_MSG_RESP_TIMEOUT = 30003,
  RC_HTTP_SEND_FAIL = 30004,
  RC_HTTP_REQ_TIMEOUT = 30005,
  RC_HTTP_RECV_FAIL = 30006,
  RC_NAVI_RESOURCE_ERROR = 30007,
  RC_NODE_NOT_FOUND = 30008,
  RC_DOMAIN_NOT_RESOLVE = 30009,
  RC_SOCKET_NOT_CREATED = 30010,
  RC_SOCKET_DISCONNECTED = 30011,
  RC_PING_SEND_FAIL = 30012,
  RC_PONG_RECV_FAIL = 30013,
  RC_MSG_SEND_FAIL = 30014,
  RC_MSG_CONTENT_EXCEED_LIMIT = 30016,
  RC_CONN_ACK_TIMEOUT = 31000,
  RC_CONN_PROTO_VERSION_ERROR = 31001,
  RC_CONN_ID_REJECT = 31002,
  RC_CONN_SERVER_UNAVAILABLE = 31003,
  RC_CONN_USER_OR_PASSWD_ERROR = 31004,
  RC_CONN_NOT_AUTHRORIZED = 31005,
  RC_CONN_REDIRECTED = 31006,
  RC_CONN_PACKAGE_NAME_INVALID = 31007,
  RC_CONN_APP_BLOCKED_OR_DELETED = 31008,
  RC_CONN_USER_BLOCKED = 31009,
  RC_DISCONN_KICK = 31010,
  RC_DISCONN_EXCEPTION = 31011,
  RC_CONN_TOKEN_EXPIRED = 31020,
  RC_CONN_DEVICE_ERROR = 31021,
  RC_CONN_HOSTNAME_ERROR = 31022,
  RC_DISCONN_SAME_CLIENT_ON_LINE = 31023,
  RC_QUERY_ACK_NO_DATA = 32001,
  RC_MSG_DATA_INCOMPLETE = 32002,
  BIZ_ERROR_CLIENT_NOT_INIT = 33001,
  BIZ_ERROR_DATABASE_ERROR = 33002,
  BIZ_ERROR_INVALID_PARAMETER = 33003,
  BIZ_ERROR_NO_CHANNEL = 33004,
  BIZ_ERROR_RECONNECT_SUCCESS = 33005,
  BIZ_ERROR_CONNECTING = 33006,
  MSG_ROAMING_SERVICE_UNAVAILABLE = 33007,
  MSG_INSERT_ERROR = 33008,
  MSG_DEL_ERROR = 33009,
  TAG_NOT_EXIST = 33101,
  NO_TAG_IN_CONVER = 33102,
  CONVER_REMOVE_ERROR = 34001,
  CONVER_GETLIST_ERROR = 34002,
  CONVER_SETOP_ERROR = 34003,
  CONVER_TOTAL_UNREAD_ERROR = 34004,
  CONVER_TYPE_UNREAD_ERROR = 34005,
  CONVER_ID_TYPE_UNREAD_ERROR = 34006,
  CONVER_CLEAR_ERROR = 34007,
  MESSAGE_KV_NOT_SUPPORT = 34008,
  CONVER_GET_ERROR = 34009,
  EXPANSION_LIMIT_EXCEET = 34010,
  CLEAR_HIS_TIME_ERROR = 34011,
  CONVER_OUT_LIMIT_ERROR = 34013,
  GROUP_SYNC_ERROR = 35001,
  GROUP_MATCH_ERROR = 35002,
  READ_RECEIPT_ERROR = 35003,
  PACKAGE_ENVIRONMENT_ERROR = 35006,
  CAN_NOT_RECONNECT = 35007,
  SERVER_UNAVAILABLE = 35008,
  HOSTNAME_ERROR = 35009,
  HAS_OHTER_SAME_CLIENT_ON_LINE = 35010,
  CHATROOM_ID_ISNULL = 36001,
  CHARTOOM_JOIN_ERROR = 36002,
  CHATROOM_HISMESSAGE_ERROR = 36003,
  CHATROOM_KV_NOT_FOUND = 36004,
  BLACK_ADD_ERROR = 37001,
  BLACK_GETSTATUS_ERROR = 37002,
  BLACK_REMOVE_ERROR = 37003,
  DRAF_GET_ERROR = 38001,
  DRAF_SAVE_ERROR = 38002,
  DRAF_REMOVE_ERROR = 38003,
  SUBSCRIBE_ERROR = 39001,
  NOT_SUPPORT = 39002,
  QNTKN_FILETYPE_ERROR = 41001,
  QNTKN_GET_ERROR = 41002,
  COOKIE_ENABLE = 51001,
  CLOSE_BEFORE_OPEN = 51001,
  ALREADY_IN_USE = 51002,
  INVALID_CHANNEL_NAME = 51003,
  VIDEO_CONTAINER_IS_NULL = 51004,
  GET_MESSAGE_BY_ID_ERROR = 61001,
  DELETE_MESSAGE_ID_IS_NULL = 61001,
}
/* eslint-enable @typescript-eslint/no-duplicate-enum-values */

/** A failure with a public error code. Thrown/rejected inside the SDK; the facade turns it into `onError(code)`. */
export class SdkError extends Error {
  readonly code: number;

  constructor(code: number, message?: string) {
    super(message ?? `RongIMLib error ${code}`);
    this.name = 'SdkError';
    this.code = code;
  }
}

export function isSdkError(value: unknown): value is SdkError {
  return value instanceof SdkError;
}

/**
 * The public code of any failure: an SdkError's own code, or the numeric `code` of another Error that
 * carries one (the engine's EngineError); anything else (a bug, a host exception) is `fallback`
 * (UNKNOWN) so the app still gets a number, never an exception.
 */
export function errorCodeOf(error: unknown, fallback: number = ErrorCode.UNKNOWN): number {
  if (isSdkError(error)) return error.code;
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    if (typeof code === 'number' && Number.isInteger(code)) return code;
  }
  return fallback;
}

/**
 * Codes that mean "the token cannot work": the app gets `onTokenIncorrect()` instead of `onError`.
 * An expired token (CONNACK 10) is one: the seed sends it there so the app fetches a new token (L1181, L4397).
 */
export function isTokenIncorrectCode(code: number): boolean {
  return code === ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR || code === ErrorCode.RC_CONN_TOKEN_EXPIRED;
}

