/**
 * The shape of every callback-style instance method: validate arguments (33003 + warning, never a
 * throw), require init (33001) and a signed-in user with a connection (30001), run the work, then call
 * `onSuccess` with the result or `onError` with the failure's code. Also returns the work's promise
 * (resolving to undefined on failure) for tests and internal callers.
 */
import { ConnectionState } from '../client/connection-states';
import type { WireContext } from '../client/services/im-message';
import type { ImServices } from '../client/services/im-services';
import type { UserSession } from '../client/services/user-session';
import { errorCodeOf, ErrorCode } from '../errors';
import { callMember, fail, later } from './callbacks';
import type { Check } from './validate';
import { describeValue, firstInvalid } from './validate';
import type { Runtime } from './runtime';

export interface OpContext {
  readonly services: ImServices;
  readonly session: UserSession;
  readonly context: WireContext;
}

/**
 * The methods that still answer from local state once the connection is gone (after `disconnect()`, a kick,
 * a block): the local unread counts (API_CHECKLIST seed rule 7 — drafts too, but they are synchronous and
 * never come here), and what 2.9.2 also answers without a channel: `getTagList` (engine 4.4.2 reads its tag
 * cache unconditionally) and `sendReceiptResponse` with nothing pending. Every other method reports 30001,
 * as 2.9.2 does once the engine has dropped its channel — even when the session kept in memory for the
 * same user's next connect could answer (`getTagsForConversation`, `getUnreadCountByTag`, …). While the
 * connection is merely lost (reconnecting, offline) or being made, methods run as usual: 2.9.2 keeps its
 * channel then, and requests wait or fail on their own.
 */
const WORKS_WHILE_DISCONNECTED: ReadonlySet<string> = new Set([
  'getTotalUnreadCount',
  'getUnreadCount',
  'getConversationUnreadCount',
  'clearUnreadCount',
  'clearAllUnreadCount',
  'clearTotalUnreadCount',
  'getTagList',
  'sendReceiptResponse',
]);

/** No connection for the kept session: the app disconnected, or the server ended it (kick, block, bad token). */
function channelGone(rt: Runtime): boolean {
  return rt.engine?.state === ConnectionState.Closed;
}

/** What `onSuccess` receives: the arguments list (e.g. `[list, hasMore]`). */
export type SuccessArgs = readonly unknown[];

export function invalidArgument(rt: Runtime, method: string, callback: unknown, bad: Check): void {
  rt.logger.warn(`${method}: '${bad.name}' is invalid: ${describeValue(bad.value)}`);
  fail(rt.logger, callback, ErrorCode.BIZ_ERROR_INVALID_PARAMETER);
}

/**
 * Checks arguments and init/session; reports the failure and returns undefined when the call cannot run.
 * `notConnected` gives onError's second argument for a call made with no signed-in user (30001).
 */
export function prepare(rt: Runtime, method: string, callback: unknown, checks: readonly Check[], notConnected?: () => unknown): OpContext | undefined {
  const bad = firstInvalid(checks);
  if (bad) {
    invalidArgument(rt, method, callback, bad);
    return undefined;
  }
  const services = rt.services;
  if (!services) {
    rt.logger.warn(`${method}: RongIMClient.init() has not been called`);
    fail(rt.logger, callback, ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT);
    return undefined;
  }
  const session = services.session;
  const context = services.context;
  if (!session || !context || (channelGone(rt) && !WORKS_WHILE_DISCONNECTED.has(method))) {
    fail(rt.logger, callback, ErrorCode.RC_NET_CHANNEL_INVALID, notConnected?.());
    return undefined;
  }
  return { services, session, context };
}

export function operate<T>(
  rt: Runtime,
  method: string,
  callback: unknown,
  checks: readonly Check[],
  work: (op: OpContext) => Promise<T> | T,
  success: (value: T) => SuccessArgs = (value) => (value === undefined ? [] : [value]),
): Promise<T | undefined> {
  const op = prepare(rt, method, callback, checks);
  if (!op) return Promise.resolve(undefined);
  return Promise.resolve()
    .then(() => work(op))
    .then(
      (value) => {
        later(() => callMember(rt.logger, callback, 'onSuccess', ...success(value)));
        return value;
      },
      (error: unknown) => {
        const code = errorCodeOf(error);
        if (code === ErrorCode.UNKNOWN) rt.logger.error(`${method} failed`, error);
        fail(rt.logger, callback, code);
        return undefined;
      },
    );
}
