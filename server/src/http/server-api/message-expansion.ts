/**
 * Message expansion through the Server API (SERVER_API.md §2.2 `message/expansion/{set,delete,query}`): the same
 * key/value data clients change with `RC:MsgExMsg` (services/expansion-filter.ts), merged into the original
 * message's stored expansion by the same repository and limits, so sync and history return it.
 *
 * `set` / `delete` act for `userId`, a participant of the conversation (`conversationType` 1 or 3, `targetId` as
 * `userId` sees it) the message `msgUID` belongs to; the message must have been sent with `expansion`
 * (`canIncludeExpansion`) and not be recalled. The change is checked whole before anything is written (a refused
 * call changes nothing): `extraKeyVal` a JSON object of 1..20 string values, keys of at most 32 characters from
 * `[A-Za-z0-9_=+-]`, values of at most 4096 characters, and the message's keys after the change at most 300;
 * `extraKey` a JSON array of 1..100 key strings. Then the other participants' online sessions get the update as an
 * unstored `RC:MsgExMsg {mid, put|del}` from `userId`, exactly what a client's update sends, and with
 * `isSyncSender=1` so do `userId`'s own sessions (as the multi-device echo of that send).
 *
 * `query` (`msgUID`, `pageNo` ≥ 1, 300 keys a page, which is every key a message may hold) answers
 * `{code, extraContent: {key: {v: value}}}`. The time a key was set is not stored, so `ts` is not sent.
 * Bad input, an unknown or unexpandable message and a `userId` outside the conversation answer 1002 (HTTP 400).
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ConversationKinds } from '../../services/conversation-kind';
import { ExpansionLimit } from '../../services/expansion-filter';
import type { MessagingService } from '../../services/messaging';
import { echoTopicFor, FlagBit } from '../../services/message-view';
import { encodeMessage, encodeUtf8, rc } from '../../services/wire';
import { ownerConversation } from '../../store/owner-conversation';
import type { StoredMessage } from '../../store/store';
import type { ServerApiModule, ServerApiRequest } from './index';
import type { Params } from './params';
import { USER_ID_RULE } from './user';

const UID_RULE = { maxLength: 64 } as const;
const TARGET_RULE = { maxBytes: 64 } as const;
const KEY_PATTERN = /^[A-Za-z0-9_=+-]+$/;
/** Keys one `message/expansion/delete` may name. */
export const MAX_DELETE_KEYS = 100;
/** `message/expansion/query` page size: every key a message may hold. */
const QUERY_PAGE_SIZE = ExpansionLimit.keysTotal;

function bad(detail: string): Error {
  return apiError(ServerApiErrors.badParameter, detail);
}

function jsonParam(params: Params, name: string): unknown {
  const text = params.requiredString(name);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw bad(`${name} must be JSON`);
  }
}

function checkKey(key: string): void {
  if (key.length === 0 || key.length > ExpansionLimit.keyLength || !KEY_PATTERN.test(key)) {
    throw bad(`expansion key ${JSON.stringify(key.slice(0, 40))} must be 1..${ExpansionLimit.keyLength} characters of [A-Za-z0-9_=+-]`);
  }
}

/**
 * Expansion entries given as a JSON object `{key: value}`: 1..`maxKeys` keys of the expansion key rule, string values
 * of at most 4096 characters (numbers and booleans are taken as their text; `{"v": value}`, the wire form, too).
 * 1002 otherwise.
 */
export function expansionEntries(value: unknown, name: string, maxKeys: number): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`${name} must be a JSON object`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw bad(`${name} holds no key`);
  if (entries.length > maxKeys) throw bad(`${name} holds more than ${maxKeys} keys`);
  const put = Object.create(null) as Record<string, string>;
  for (const [key, given] of entries) {
    checkKey(key);
    const raw = typeof given === 'object' && given !== null && !Array.isArray(given) && 'v' in given ? (given as { v: unknown }).v : given;
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') throw bad(`${name}.${key} must be a string`);
    const text = String(raw);
    if (text.length > ExpansionLimit.valueLength) throw bad(`${name}.${key} is longer than ${ExpansionLimit.valueLength} characters`);
    put[key] = text;
  }
  return put;
}

/** `extraKeyVal`: 1..20 keys. */
function readPut(params: Params): Record<string, string> {
  return expansionEntries(jsonParam(params, 'extraKeyVal'), 'extraKeyVal', ExpansionLimit.keysPerUpdate);
}

/** `extraKey`: a JSON array of 1..100 keys (duplicates collapsed). */
function readDel(params: Params): string[] {
  const value = jsonParam(params, 'extraKey');
  if (!Array.isArray(value) || !value.every((key) => typeof key === 'string')) throw bad('extraKey must be a JSON array of strings');
  const keys = [...new Set(value as string[])];
  if (keys.length === 0) throw bad('extraKey holds no key');
  if (keys.length > MAX_DELETE_KEYS) throw bad(`extraKey holds more than ${MAX_DELETE_KEYS} keys`);
  for (const key of keys) checkKey(key);
  return keys;
}

export function messageExpansionRoutes(messaging: MessagingService, kinds: ConversationKinds): ServerApiModule {
  return (ctx) => {
    /** The expandable message `msgUID` of the conversation `userId` names, or 1002. */
    const target = async (appKey: string, params: Params): Promise<{ original: StoredMessage; userId: string; targetId: string; syncSender: boolean }> => {
      const uid = params.requiredString('msgUID', UID_RULE);
      const userId = params.requiredString('userId', USER_ID_RULE);
      const conversationType = params.integer('conversationType', { min: 1, max: 10 });
      const targetId = params.requiredString('targetId', TARGET_RULE);
      const syncSender = params.boolean('isSyncSender', false);
      if (conversationType !== 1 && conversationType !== 3) throw bad('expansion: conversationType must be 1 (private) or 3 (group)');
      const original = await ctx.store.messages.get(appKey, uid);
      if (original === undefined || original.recalled) throw bad(`message ${uid} does not exist`);
      if ((original.flags & FlagBit.Expansion) === 0) throw bad(`message ${uid} was not sent with expansion`);
      const seen = ownerConversation(original, userId);
      const participant = original.conversationType !== 1 || userId === original.fromUserId || userId === original.targetId;
      if (original.conversationType !== conversationType || seen.targetId !== targetId || !participant) {
        throw bad(`message ${uid} is not in conversation ${conversationType}:${targetId} of ${userId}`);
      }
      return { original, userId, targetId, syncSender };
    };

    /** The update as a client's `RC:MsgExMsg` send: to the other participants, and to userId with isSyncSender. */
    const announce = async (request: ServerApiRequest, original: StoredMessage, userId: string, targetId: string, syncSender: boolean, command: Record<string, unknown>): Promise<void> => {
      const kind = kinds.get(original.conversationType);
      const others = kind === undefined ? [] : await kind.recallRecipients(original);
      const recipients = [...new Set([original.fromUserId, ...others])].filter((id) => id !== userId);
      const content = encodeUtf8(JSON.stringify(command));
      const topic = echoTopicFor(original.conversationType);
      await messaging.send(
        { appKey: request.app.appKey, fromUserId: userId, conversationType: original.conversationType, targetId, objectName: 'RC:MsgExMsg', content, flags: 0, recipients, senderSendbox: syncSender },
        syncSender && topic !== undefined ? { echo: { topic, upstream: encodeMessage(rc.UpStreamMessage, { sessionId: 0, classname: 'RC:MsgExMsg', content }) } } : {},
      );
    };

    // The checks, the message lookups included, come before the charge: a refused call costs nothing.
    return {
      'message/expansion/set': async (request) => {
        const { app, params } = request;
        const put = readPut(params);
        const { original, userId, targetId, syncSender } = await target(app.appKey, params);
        const current = (await ctx.store.expansions.get(app.appKey, original.uid)) ?? {};
        const added = Object.keys(put).filter((key) => !Object.prototype.hasOwnProperty.call(current, key)).length;
        if (Object.keys(current).length + added > ExpansionLimit.keysTotal) throw bad(`a message holds at most ${ExpansionLimit.keysTotal} expansion keys`);
        return async () => {
          const merged = await ctx.store.expansions.merge(app.appKey, original.uid, { put }, ExpansionLimit.keysTotal);
          if (!merged.ok) throw bad(`message ${original.uid} does not exist`);
          // Only a concurrent update can make the cap drop keys checked above; those are neither stored nor announced.
          const applied = Object.create(null) as Record<string, string>;
          for (const key of merged.accepted) applied[key] = put[key] as string;
          if (merged.accepted.length > 0) await announce(request, original, userId, targetId, syncSender, { mid: original.uid, put: applied });
          if (merged.accepted.length < Object.keys(put).length) {
            const dropped = Object.keys(put).filter((key) => !merged.accepted.includes(key));
            throw bad(`a message holds at most ${ExpansionLimit.keysTotal} expansion keys: ${dropped.join(',')} not set`);
          }
        };
      },

      'message/expansion/delete': async (request) => {
        const { app, params } = request;
        const del = readDel(params);
        const { original, userId, targetId, syncSender } = await target(app.appKey, params);
        return async () => {
          const merged = await ctx.store.expansions.merge(app.appKey, original.uid, { del }, ExpansionLimit.keysTotal);
          if (!merged.ok) throw bad(`message ${original.uid} does not exist`);
          await announce(request, original, userId, targetId, syncSender, { mid: original.uid, del });
        };
      },

      'message/expansion/query': ({ app, params }) => {
        const uid = params.requiredString('msgUID', UID_RULE);
        const pageNo = params.integer('pageNo', { min: 1, fallback: 1 });
        return async () => {
          const original = await ctx.store.messages.get(app.appKey, uid);
          if (original === undefined || original.recalled) throw bad(`message ${uid} does not exist`);
          const expansion = (await ctx.store.expansions.get(app.appKey, uid)) ?? {};
          const extraContent = Object.create(null) as Record<string, { v: string }>;
          for (const [key, value] of Object.entries(expansion).slice((pageNo - 1) * QUERY_PAGE_SIZE, pageNo * QUERY_PAGE_SIZE)) extraContent[key] = { v: value };
          return { extraContent };
        };
      },
    };
  };
}
