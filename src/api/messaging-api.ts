/**
 * Instance methods about messages: send, recall, typing, history, remote deletion, expansion.
 * Each function is the body of the IMClient method of the same name.
 */
import type { DeleteItem } from '../client/services/history';
import { MAX_DELETE_MESSAGES } from '../client/services/history';
import type { ImMessage } from '../client/services/im-message';
import type { RecallOptions } from '../client/services/send';
import { unsentMessage } from '../client/services/send';
import { ErrorCode, SdkError } from '../errors';
import { callMember, fail, later } from './callbacks';
import { SentStatus } from './enums';
import type { Message } from './message';
import { operate, prepare } from './operation';
import type { Runtime } from './runtime';
import { fieldOf, normalizeContent, normalizeSendArgs, pushConfigChecks, sendArgChecks, sendOptionsOf } from './send-args';
import { callbackCheck, check } from './validate';
import * as Rules from './rules';
import { reportIfBlocked } from './blocked-message';

export function sendMessage(rt: Runtime, args: readonly unknown[]): void {
  const a = normalizeSendArgs(args);
  const msg = (a.msg ?? {}) as { objectName?: string; messageType?: string; content?: Record<string, unknown>; isPersited?: unknown; isCounted?: unknown };
  const objectName = typeof msg.objectName === 'string' ? msg.objectName : rt.registry.objectNameOf(String(msg.messageType));
  // Not connected: onError(30001, the failed message), as 2.9.2 reports every failed send.
  const unsent = (): Message =>
    rt.toMessage(
      unsentMessage({ conversationType: a.conversationType as number, targetId: a.targetId as string, objectName, content: msg.content ?? {} }, rt.engine?.userId ?? '', rt.platform.clock.now()),
      SentStatus.FAILED,
    );
  const op = prepare(rt, 'sendMessage', a.callback, sendArgChecks(a), unsent);
  if (!op) return;
  // With receipts v2 the v1 response message is refused before sending, as the official client does.
  if (objectName === 'RC:RRRspMsg' && receiptsV2(rt)) {
    fail(rt.logger, a.callback, ErrorCode.READ_RECEIPT_ERROR);
    return;
  }
  const policy = rt.registry.policyOf(objectName);
  const messageId = rt.newMessageId();
  later(() => callMember(rt.logger, a.callback, 'onBefore', messageId));
  const options = sendOptionsOf(a.options);
  const send = op.services.send.send(op.session, {
    conversationType: a.conversationType as number,
    targetId: a.targetId as string,
    objectName,
    content: normalizeContent(objectName, msg.content ?? {}),
    isPersited: typeof msg.isPersited === 'boolean' ? msg.isPersited : (policy?.persisted ?? true),
    isCounted: typeof msg.isCounted === 'boolean' ? msg.isCounted : (policy?.counted ?? true),
    isStatusType: policy?.status === true,
    isMentioned: a.isMentioned === true,
    ...(typeof a.pushContent === 'string' ? { pushContent: a.pushContent } : {}),
    ...(typeof a.pushData === 'string' ? { pushData: a.pushData } : {}),
    ...(options ? { options } : {}),
  });
  void send.then((outcome) => {
    const message = rt.toMessage(outcome.message, outcome.ok ? SentStatus.SENT : SentStatus.FAILED, messageId);
    if (outcome.ok) later(() => callMember(rt.logger, a.callback, 'onSuccess', message));
    else {
      // Found while building the send (content JSON cannot render, an expansion key, the conversation type).
      if (outcome.code === ErrorCode.BIZ_ERROR_INVALID_PARAMETER) rt.logger.warn('sendMessage: the message is invalid');
      reportIfBlocked(rt, outcome.code, outcome.message, outcome.refusedUId);
      fail(rt.logger, a.callback, outcome.code, message);
    }
  });
}

function recallTarget(message: unknown): { conversationType: number; targetId: string; messageUId: string; sentTime: number } | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  const uid = m['messageUId'] ?? m['messageUid'];
  if (typeof m['conversationType'] !== 'number' || typeof m['targetId'] !== 'string' || m['targetId'] === '' || typeof uid !== 'string' || uid === '' || typeof m['sentTime'] !== 'number') return undefined;
  return { conversationType: m['conversationType'], targetId: m['targetId'], messageUId: uid, sentTime: m['sentTime'] };
}

export function sendRecallMessage(rt: Runtime, message: unknown, callback: unknown, options: unknown): void {
  void operate(
    rt,
    'sendRecallMessage',
    callback,
    [
      check('message', message, (v) => recallTarget(v) !== undefined),
      callbackCheck(callback, true),
      check('options', options, Rules.OBJECT, true),
      // R292 asserts these types: a wrong one is refused, not dropped with the recall sent anyway.
      check('options.disableNotification', fieldOf(options, 'disableNotification'), Rules.BOOLEAN, true),
      ...pushConfigChecks('options.pushConfig', fieldOf(options, 'pushConfig')),
    ],
    (op) => {
      const o = (options ?? {}) as Record<string, unknown>;
      const recallOptions: RecallOptions = {
        ...(typeof o['disableNotification'] === 'boolean' ? { disableNotification: o['disableNotification'] } : {}),
        ...(typeof o['pushConfig'] === 'object' && o['pushConfig'] !== null ? { pushConfig: o['pushConfig'] as NonNullable<RecallOptions['pushConfig']> } : {}),
        ...(o['user'] !== undefined ? { user: o['user'] } : {}),
        ...(o['extra'] !== undefined ? { extra: o['extra'] } : {}),
      };
      const target = recallTarget(message);
      if (!target) throw new SdkError(ErrorCode.BIZ_ERROR_INVALID_PARAMETER);
      return op.services.send.recall(op.session, target, recallOptions);
    },
    (command: ImMessage) => [rt.toMessage(command)],
  );
}

export function sendTypingStatusMessage(rt: Runtime, conversationType: unknown, targetId: unknown, typingContentType: unknown, callback: unknown): void {
  const checks = [
    check('conversationType', conversationType, Rules.CONVERSATION_TYPE),
    check('targetId', targetId, Rules.STRING),
    check('typingContentType', typingContentType, Rules.STRING),
    callbackCheck(callback, true),
  ];
  void operate(
    rt,
    'sendTypingStatusMessage',
    callback,
    checks,
    async (op) => {
      const outcome = await op.services.send.send(op.session, {
        conversationType: conversationType as number,
        targetId: targetId as string,
        objectName: 'RC:TypSts',
        content: { typingContentType },
        isPersited: false,
        isCounted: false,
        isStatusType: true,
      });
      if (!outcome.ok) throw new SdkError(outcome.code);
      return outcome.message;
    },
    (m: ImMessage) => [rt.toMessage(m)],
  );
}

export function getHistoryMessages(rt: Runtime, args: readonly unknown[]): void {
  const [conversationType, targetId, timestamp, count, callback, objectName, order] = args;
  const checks = [
    check('conversationType', conversationType, Rules.CONVERSATION_TYPE),
    check('targetId', targetId, Rules.STRING),
    check('timestamp', timestamp, (v) => typeof v === 'number' && v >= 0, true),
    check('count', count, (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 20),
    callbackCheck(callback),
    check('objectName', objectName, Rules.ONLY_STRING, true),
    check('order', order, (v) => v === 0 || v === 1, true),
  ];
  void operate(
    rt,
    'getHistoryMessages',
    callback,
    checks,
    (op) => op.services.history.page(op.session, op.context, conversationType as number, targetId as string, (timestamp as number | null) ?? 0, count as number, order === 1 ? 1 : 0),
    (page) => [page.messages.map((m) => rt.toMessage(m)), page.hasMore],
  );
}

function deleteItem(value: unknown): DeleteItem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  // The docs spell the uid three ways (API_CHECKLIST §14.1).
  const uid = v['messageUId'] ?? v['messageUid'] ?? v['messageId'];
  if (typeof uid !== 'string' || uid === '' || typeof v['sentTime'] !== 'number') return undefined;
  const direction = typeof v['messageDirection'] === 'number' ? v['messageDirection'] : 1;
  return { messageUId: uid, sentTime: v['sentTime'], messageDirection: direction };
}

export function deleteRemoteMessages(rt: Runtime, conversationType: unknown, targetId: unknown, messages: unknown, callback: unknown): void {
  const checks = [
    check('conversationType', conversationType, Rules.CONVERSATION_TYPE),
    check('targetId', targetId, Rules.STRING),
    check('messages', messages, (v) => Array.isArray(v) && v.length >= 1 && v.length <= MAX_DELETE_MESSAGES && v.every((m) => deleteItem(m) !== undefined)),
    callbackCheck(callback, true),
  ];
  void operate(rt, 'deleteRemoteMessages', callback, checks, (op) =>
    op.services.history.deleteMessages(op.session, conversationType as number, targetId as string, (messages as unknown[]).map((m) => deleteItem(m) as DeleteItem)),
  );
}

export function clearRemoteHistoryMessages(rt: Runtime, params: unknown, callback: unknown): void {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const checks = [
    check('params', params, Rules.OBJECT),
    check('params.conversationType', p['conversationType'], Rules.CONVERSATION_TYPE),
    check('params.targetId', p['targetId'], Rules.STRING),
    check('params.timestamp', p['timestamp'], (v) => typeof v === 'number' && v >= 0, true),
    callbackCheck(callback, true),
  ];
  void operate(rt, 'clearRemoteHistoryMessages', callback, checks, (op) =>
    op.services.history.clearBefore(op.session, p['conversationType'] as number, p['targetId'] as string, typeof p['timestamp'] === 'number' ? p['timestamp'] : 0),
  );
}

/** Group receipts v1: one directed `RC:RRRspMsg` answering every pending request of the conversation. */
export function sendReceiptResponse(rt: Runtime, conversationType: unknown, targetId: unknown, callback: unknown): void {
  const checks = [check('conversationType', conversationType, Rules.CONVERSATION_TYPE), check('targetId', targetId, Rules.STRING), callbackCheck(callback, true)];
  void operate(
    rt,
    'sendReceiptResponse',
    callback,
    checks,
    async (op) => {
      // Receipts v2 replace the v1 response message (35003, as sending it directly).
      if (receiptsV2(rt)) throw new SdkError(ErrorCode.READ_RECEIPT_ERROR);
      const dic = op.session.receipts.pendingOf(conversationType as number, targetId as string);
      if (!dic) return null;
      const outcome = await op.services.send.send(op.session, {
        conversationType: conversationType as number,
        targetId: targetId as string,
        objectName: 'RC:RRRspMsg',
        content: { receiptMessageDic: dic },
        isPersited: false,
        isCounted: false,
        options: { userIds: Object.keys(dic) },
      });
      if (!outcome.ok) throw new SdkError(outcome.code);
      // Answered: forgotten only now, so a failed send leaves them for the next call.
      op.session.receipts.answered(conversationType as number, targetId as string);
      return outcome.message;
    },
    (m: ImMessage | null) => [m ? rt.toMessage(m) : null],
  );
}

/** Group receipts v2 are on when navi says `grpRRVer: 1` (R292 reads the number the same way). */
function receiptsV2(rt: Runtime): boolean {
  return Number(rt.engine?.navi?.['grpRRVer'] ?? 0) === 1;
}

function requireReceiptsV2(rt: Runtime, method: string): void {
  if (receiptsV2(rt)) return;
  rt.logger.warn(`${method}: group read receipts v2 are not enabled (navi grpRRVer)`);
  throw new SdkError(ErrorCode.READ_RECEIPT_ERROR);
}

/** Receipts v2: `rrMsg` marks `messageUIds` of group `targetId` read; `onSuccess()`. */
export function sendReadReceiptMessage(rt: Runtime, messageUIds: unknown, targetId: unknown, callback: unknown): void {
  const checks = [
    check('messageUIds', messageUIds, (v) => Array.isArray(v) && v.length > 0 && v.every((uid) => Rules.STRING(uid))),
    check('targetId', targetId, Rules.STRING),
    callbackCheck(callback, true),
  ];
  void operate(rt, 'sendReadReceiptMessage', callback, checks, async (op) => {
    requireReceiptsV2(rt, 'sendReadReceiptMessage');
    await op.services.groupReceipts.markRead(targetId as string, messageUIds as string[]);
  });
}

/** Receipts v2: `rrList` → `onSuccess({totalMemberCount, list: [{userId, readTime}]})`. */
export function getMessageReader(rt: Runtime, messageUId: unknown, targetId: unknown, callback: unknown): void {
  const checks = [check('messageUId', messageUId, Rules.STRING), check('targetId', targetId, Rules.STRING), callbackCheck(callback)];
  void operate(rt, 'getMessageReader', callback, checks, (op) => {
    requireReceiptsV2(rt, 'getMessageReader');
    return op.services.groupReceipts.readers(targetId as string, messageUId as string);
  });
}
