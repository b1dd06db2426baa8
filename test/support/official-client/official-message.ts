/**
 * Shapes the official client hands to the app, as they arrive in the parent after a JSON round trip
 * (functions and undefined fields are dropped by the child). Only the fields the interop tests read are
 * typed; everything else stays reachable through the index signature.
 */
export interface OfficialMessage {
  readonly conversationType: number;
  readonly targetId: string;
  readonly senderUserId: string;
  readonly content: Readonly<Record<string, unknown>>;
  readonly objectName: string;
  readonly messageType: string;
  readonly messageId?: number;
  readonly messageUId: string;
  readonly messageDirection: number;
  readonly offLineMessage?: boolean;
  readonly sentStatus?: number;
  readonly sentTime: number;
  readonly receivedStatus?: number;
  readonly receivedTime?: number;
  readonly canIncludeExpansion?: boolean;
  readonly expansion?: Readonly<Record<string, string>> | null;
  readonly disableNotification?: boolean;
  readonly [field: string]: unknown;
}

export interface OfficialConversation {
  readonly conversationType: number;
  readonly targetId: string;
  readonly unreadMessageCount: number;
  readonly latestMessage: OfficialMessage | null;
  readonly isTop?: boolean;
  readonly notificationStatus?: number;
  readonly [field: string]: unknown;
}

/** One item of the conversation status listener (multi-device top / do-not-disturb sync). */
export interface ConversationStatusChange {
  readonly conversationType: number;
  readonly targetId: string;
  readonly notificationStatus?: number;
  readonly isTop?: boolean;
  readonly updatedTime?: number;
  readonly [field: string]: unknown;
}

/** A message-expansion listener call: `updated` carries `{expansion, messageUId}`, `deleted` `{deletedKeys, messageUId}`. */
export interface ExpansionEvent {
  readonly kind: 'updated' | 'deleted';
  readonly info: {
    readonly messageUId: string;
    readonly expansion?: Readonly<Record<string, string>>;
    readonly deletedKeys?: readonly string[];
  };
}

/** `{ className: 'TextMessage', content: { content: 'hi' } }` — built into a message object in the child. */
export interface MessageSpec {
  readonly className: string;
  readonly content: Readonly<Record<string, unknown>>;
}

export type ConnectResult =
  | { readonly ok: true; readonly userId: string }
  | { readonly ok: false; readonly kind: 'tokenIncorrect' }
  | { readonly ok: false; readonly kind: 'error'; readonly code?: number; readonly thrown?: string };

/**
 * Result of one SDK call. `value` is the first onSuccess argument, `args` all of them (getHistoryMessages
 * passes `(list, hasMsg)`). `thrown` is set when the SDK threw synchronously (argument asserts) instead of
 * calling back. `before` holds the arguments of each `onBefore` call, when the SDK made any.
 */
export type CallResult<T = unknown> =
  | { readonly ok: true; readonly value: T; readonly args: readonly unknown[]; readonly before?: readonly (readonly unknown[])[] }
  | {
      readonly ok: false;
      readonly code: number | undefined;
      readonly args: readonly unknown[];
      readonly thrown?: string;
      readonly before?: readonly (readonly unknown[])[];
    };

/** ConnectionStatus values the official client reports to the status listener (PROTOCOL.md §11.4). */
export const ConnectionStatus = {
  CONNECTED: 0,
  CONNECTING: 1,
  DISCONNECTED: 2,
  NETWORK_UNAVAILABLE: 3,
  CONNECTION_CLOSED: 4,
  KICKED_OFFLINE_BY_OTHER_CLIENT: 6,
  WEBSOCKET_UNAVAILABLE: 7,
  WEBSOCKET_ERROR: 8,
  BLOCKED: 9,
  DISCONNECT_BY_SERVER: 13,
  REDIRECT: 14,
} as const;

export const ConversationType = { PRIVATE: 1, GROUP: 3, CHATROOM: 4, SYSTEM: 6 } as const;
export const MessageDirection = { SEND: 1, RECEIVE: 2 } as const;
