/**
 * Instance methods about chatrooms (API_CHECKLIST §3.10, §6.5): join/quit/info/history and the KV
 * attributes. Each function is the body of the IMClient method of the same name. Argument rules are
 * checked here (33003 + a warning, never a throw): room id non-empty, join count 0–50, info count
 * 0–20, history count 0–20, KV key `[A-Za-z0-9+=\-_]{1,128}`, value 1–4096 characters.
 * Everything else is the server's decision and its code reaches `onError` unchanged.
 */
import type { KvChangeRequest } from '../client/services/chatroom/chatroom-kv';
import { isValidKvKey, isValidKvValue } from '../client/services/chatroom/chatroom-kv';
import type { ChatroomService } from '../client/services/chatroom/chatroom-service';
import { DEFAULT_JOIN_COUNT } from '../client/services/chatroom/chatroom-service';
import { errorCodeOf, ErrorCode, SdkError } from '../errors';
import { callMember, fail, later } from './callbacks';
import { operate, prepare } from './operation';
import type { Runtime } from './runtime';
import type { Check } from './validate';
import { callbackCheck, check } from './validate';
import * as Rules from './rules';

const MAX_JOIN_COUNT = 50;
const MAX_INFO_COUNT = 20;
const MAX_HISTORY_COUNT = 20;

const intIn = (min: number, max: number) => (v: unknown): boolean => Rules.INTEGER(v) && (v as number) >= min && (v as number) <= max;
const record = (v: unknown): Record<string, unknown> => (Rules.OBJECT(v) ? (v as Record<string, unknown>) : {});

function roomChecks(chatRoomId: unknown, callback: unknown, optionalCallback = true): Check[] {
  return [check('chatRoomId', chatRoomId, Rules.STRING), callbackCheck(callback, optionalCallback)];
}

export function joinChatRoom(rt: Runtime, chatRoomId: unknown, count: unknown, callback: unknown): void {
  const checks = [...roomChecks(chatRoomId, callback), check('count', count, intIn(0, MAX_JOIN_COUNT), true)];
  void operate(rt, 'joinChatRoom', callback, checks, (op) =>
    op.services.chatrooms.join(chatRoomId as string, typeof count === 'number' ? count : DEFAULT_JOIN_COUNT),
  );
}

export function quitChatRoom(rt: Runtime, chatRoomId: unknown, callback: unknown): void {
  void operate(rt, 'quitChatRoom', callback, roomChecks(chatRoomId, callback), (op) => op.services.chatrooms.quit(chatRoomId as string));
}

export function getChatRoomInfo(rt: Runtime, chatRoomId: unknown, count: unknown, order: unknown, callback: unknown): void {
  const checks = [
    ...roomChecks(chatRoomId, callback, false),
    check('count', count, intIn(0, MAX_INFO_COUNT)),
    check('order', order, (v) => v === 0 || v === 1 || v === 2, true),
  ];
  void operate(rt, 'getChatRoomInfo', callback, checks, (op) =>
    op.services.chatrooms.info(chatRoomId as string, count as number, typeof order === 'number' ? order : 0),
  );
}

/** `(chatRoomId, count, order, callback, timestamp?)` → `onSuccess(messages, hasMore)`. */
export function getChatRoomHistoryMessages(rt: Runtime, chatRoomId: unknown, count: unknown, order: unknown, callback: unknown, timestamp: unknown): void {
  const checks = [
    ...roomChecks(chatRoomId, callback, false),
    check('count', count, intIn(0, MAX_HISTORY_COUNT), true),
    check('order', order, (v) => v === 0 || v === 1, true),
    check('timestamp', timestamp, (v) => Rules.NUMBER(v) && (v as number) >= 0, true),
  ];
  void operate(
    rt,
    'getChatRoomHistoryMessages',
    callback,
    checks,
    (op) =>
      op.services.chatrooms.history(
        chatRoomId as string,
        typeof timestamp === 'number' ? timestamp : 0,
        typeof count === 'number' && count > 0 ? count : MAX_HISTORY_COUNT,
        order === 1 ? 1 : 0,
      ),
    (page) => [page.messages.map((m) => rt.toMessage(m)), page.hasMore],
  );
}

function entryChecks(entry: unknown, setting: boolean): Check[] {
  const e = record(entry);
  return [
    check('entry', entry, Rules.OBJECT),
    check('entry.key', e['key'], isValidKvKey),
    ...(setting ? [check('entry.value', e['value'], isValidKvValue)] : []),
    check('entry.isSendNotification', e['isSendNotification'], Rules.BOOLEAN, true),
    check('entry.notificationExtra', e['notificationExtra'], Rules.ONLY_STRING, true),
    check('entry.isAutoDelete', e['isAutoDelete'], Rules.BOOLEAN, true),
  ];
}

function changeOf(entry: unknown, remove: boolean, force: boolean): KvChangeRequest {
  const e = record(entry);
  return {
    key: e['key'] as string,
    value: remove ? '' : (e['value'] as string),
    remove,
    force,
    autoDelete: !remove && e['isAutoDelete'] === true,
    notify: e['isSendNotification'] === true,
    ...(typeof e['notificationExtra'] === 'string' ? { notificationExtra: e['notificationExtra'] } : {}),
  };
}

/** set / forceSet / remove / forceRemove of one entry. */
export function changeChatroomEntry(rt: Runtime, method: string, chatRoomId: unknown, entry: unknown, callback: unknown, remove: boolean, force: boolean): void {
  const checks = [...roomChecks(chatRoomId, callback), ...entryChecks(entry, !remove)];
  void operate(rt, method, callback, checks, (op) => op.services.chatrooms.changeEntry(chatRoomId as string, changeOf(entry, remove, force)));
}

/** The batch entries as `[{key, value}]`: the seed's `{key: value}` map or 5.x's array. */
function batchEntries(entries: unknown, remove: boolean): Array<{ key: unknown; value: unknown }> | undefined {
  if (Array.isArray(entries)) {
    return entries.map((item: unknown) => (typeof item === 'string' && remove ? { key: item, value: '' } : { key: record(item)['key'], value: record(item)['value'] }));
  }
  if (!remove && Rules.OBJECT(entries)) return Object.entries(entries as Record<string, unknown>).map(([key, value]) => ({ key, value }));
  return undefined;
}

function batchChecks(options: unknown, remove: boolean): Check[] {
  const o = record(options);
  const list = batchEntries(o['entries'], remove);
  return [
    check('options', options, Rules.OBJECT),
    check('options.entries', list, (v) => Array.isArray(v) && v.length > 0),
    ...(list ?? []).flatMap((item, i) => [
      check(`options.entries[${i}].key`, item.key, isValidKvKey),
      ...(remove ? [] : [check(`options.entries[${i}].value`, item.value, isValidKvValue)]),
    ]),
    check('options.isAutoDelete', o['isAutoDelete'], Rules.BOOLEAN, true),
    check('options.isForce', o['isForce'], Rules.BOOLEAN, true),
    check('options.notificationExtra', o['notificationExtra'], Rules.ONLY_STRING, true),
  ];
}

/**
 * Batch set/remove (seed 2.10.0) as one `setKV`/`delKV` per key. Unless forced, nothing is sent when
 * the local copy shows a key owned by someone else (23424), so the batch is all-or-nothing as far as
 * the client can know. Afterwards: all done → onSuccess(); all refused alike → that code; a mix →
 * 23428 with `{key: code}` of the refused keys.
 */
async function runBatch(rooms: ChatroomService, roomId: string, me: string, options: unknown, remove: boolean): Promise<void> {
  const o = record(options);
  const force = o['isForce'] === true;
  const items = (batchEntries(o['entries'], remove) ?? []).map((item) => ({ key: item.key as string, value: remove ? '' : (item.value as string) }));
  if (!force && items.some((item) => (rooms.entryOwner(roomId, item.key) ?? me) !== me)) throw new SdkError(ErrorCode.CHATROOM_KV_OVERWRITE_INVALID);
  const failed: Record<string, number> = {};
  for (const item of items) {
    try {
      await rooms.changeEntry(roomId, { key: item.key, value: item.value, remove, force, autoDelete: !remove && o['isAutoDelete'] === true, notify: false });
    } catch (error) {
      failed[item.key] = errorCodeOf(error);
    }
  }
  const codes = Object.values(failed);
  if (codes.length === 0) return;
  if (codes.length === items.length && codes.every((code) => code === codes[0])) throw new SdkError(codes[0] as number);
  throw new BatchError(failed);
}

class BatchError extends SdkError {
  constructor(readonly failed: Record<string, number>) {
    super(ErrorCode.CHATROOM_KV_STORE_NOT_ALL_SUCCESS, 'some chatroom entries were not changed');
  }
}

export function changeChatRoomEntries(rt: Runtime, method: string, chatRoomId: unknown, options: unknown, callback: unknown, remove: boolean): void {
  const op = prepare(rt, method, callback, [...roomChecks(chatRoomId, callback), ...batchChecks(options, remove)]);
  if (!op) return;
  runBatch(op.services.chatrooms, chatRoomId as string, op.session.userId, options, remove).then(
    () => later(() => callMember(rt.logger, callback, 'onSuccess')),
    // The per-key detail travels as onError's second argument (5.x shape).
    (error: unknown) => fail(rt.logger, callback, errorCodeOf(error), error instanceof BatchError ? error.failed : undefined),
  );
}

/** A joined room: the local copy (filled on join with navi `kvStorage` and by notifications); another room: read from the server (2.10.0). 23427 when absent. */
export function getChatroomEntry(rt: Runtime, chatRoomId: unknown, key: unknown, callback: unknown): void {
  const checks = [...roomChecks(chatRoomId, callback, false), check('key', key, Rules.STRING)];
  void operate(rt, 'getChatroomEntry', callback, checks, (op) => op.services.chatrooms.getEntry(chatRoomId as string, key as string));
}

export function getAllChatroomEntries(rt: Runtime, chatRoomId: unknown, callback: unknown): void {
  void operate(rt, 'getAllChatroomEntries', callback, roomChecks(chatRoomId, callback, false), (op) => op.services.chatrooms.getAllEntries(chatRoomId as string));
}
