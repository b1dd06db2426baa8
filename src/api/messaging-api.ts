/**
 * Instance methods about messages: send, recall, typing, history, remote deletion, expansion.
 * Each function is the body of the IMClient method of the same name.
 */
import type { DeleteItem } from '../client/services/history';
import { MAX_DELETE_MESSAGES } from '../client/services/history';
import type { ImMessage } from '../client/services/im-message';
import type { RecallOptions } from '../client/services/send';
import { ErrorCode, SdkError } from '../errors';
import { callMember, fail, later } from './callbacks';
import { SentStatus } from './enums';
import { operate, prepare } from './operation';
import type { Runtime } from './runtime';
import { normalizeContent, normalizeSendArgs, sendArgChecks, sendOptionsOf } from './send-args';
import { check, Rules } from './validate';

export function sendMessage(rt: Runtime, args: readonly unknown[]): void {
  const a = normalizeSendArgs(args);
  const op = prepare(rt, 'sendMessage', a.callback, sendArgChecks(a));
  if (!op) return;
  const msg = a.msg as { objectName?: string; messageType?: string; content?: Record<string, unknown>; isPersited?: unknown; isCounted?: unknown };
  const objectName = typeof msg.objectName === 'string' ? msg.objectName : rt.registry.objectNameOf(String(msg.messageType));
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
    else fail(rt.logger, a.callback, outcome.code, message);
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
    [check('message', message, (v) => recallTarget(v) !== undefined), check('callback', callback, Rules.CALLBACK, true), check('options', options, Rules.OBJECT, true)],
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
    check('callback', callback, Rules.CALLBACK, true),
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
    check('callback', callback, Rules.CALLBACK),
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
    check('callback', callback, Rules.CALLBACK, true),
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
    check('callback', callback, Rules.CALLBACK, true),
  ];
  void operate(rt, 'clearRemoteHistoryMessages', callback, checks, (op) =>
    op.services.history.clearBefore(op.session, p['conversationType'] as number, p['targetId'] as string, typeof p['timestamp'] === 'number' ? p['timestamp'] : 0),
  );
}

/** Group receipts v1: one directed `RC:RRRspMsg` answering every pending request of the conversation. */
export function sendReceiptResponse(rt: Runtime, conversationType: unknown, targetId: unknown, callback: unknown): void {
  const checks = [check('conversationType', conversationType, Rules.CONVERSATION_TYPE), check('targetId', targetId, Rules.STRING), check('callback', callback, Rules.CALLBACK, true)];
  void operate(
    rt,
    'sendReceiptResponse',
    callback,
    checks,
    async (op) => {
      const dic = rt.receipts.take(conversationType as number, targetId as string);
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
      return outcome.message;
    },
    (m: ImMessage | null) => [m ? rt.toMessage(m) : null],
  );
}

/** Group receipts v2 require navi `grpRRVer=1`; without it the official client answers 35003. */
export function readReceiptV2Unavailable(rt: Runtime, method: string, callback: unknown, args: readonly unknown[]): void {
  void args;
  rt.logger.warn(`${method}: group read receipts v2 are not enabled (navi grpRRVer)`);
  fail(rt.logger, callback, ErrorCode.READ_RECEIPT_ERROR);
}
