/**
 * Broadcasts and template sends (SERVER_API.md §2.2):
 * - `message/broadcast`: one SYSTEM message from `fromUserId` to every registered user of the app (stored once,
 *   one inbox entry each, notified in slices), answered with its uid as `id` (and `messageUID`); an `RC:RcCmd`
 *   naming an earlier broadcast (`{"messageUId","conversationType":6,"isAdmin","isDelete"}`, how server-sdk-go's
 *   `MessageBroadcastRecall` recalls one) recalls it as `message/broadcast/recall` does;
 * - `message/online/broadcast`: the same, online sessions only, never stored;
 * - `message/private/publish_template`, `message/system/publish_template` (JSON bodies): one message per
 *   recipient, `{placeholder}`s in `content` and `pushContent` filled from that recipient's `values` entry.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { Hub } from '../../gateway/hub';
import type { ConversationKinds } from '../../services/conversation-kind';
import type { MessagingService } from '../../services/messaging';
import { acceptingRecipients } from '../../services/user-relations';
import { decodeUtf8, encodeUtf8 } from '../../services/wire';
import { MAX_CONTENT_BYTES } from '../../services/wire-status';
import type { ServerApiHandler, ServerApiModule } from './index';
import { type BroadcastRecall, checkBroadcastRecall, flagsOf, readContent } from './message';
import type { Params } from './params';
import { messageFields, readPublishOptions } from './publish-options';
import { USER_ID_RULE } from './user';

const OBJECT_NAME_RULE = { maxLength: 32 } as const;
const SYSTEM = 6;
const PRIVATE = 1;
const USERS_PAGE = 5000;
const RECALL_OBJECT_NAME = 'RC:RcCmd';
const TEMPLATE_MAX_RECIPIENTS: Readonly<Record<number, number>> = { [PRIVATE]: 1000, [SYSTEM]: 100 };

/** Replaces each placeholder of `values` in `text`; `jsonText` escapes the values for use inside JSON strings. */
export function fillTemplate(text: string, values: Readonly<Record<string, unknown>>, jsonText: boolean): string {
  let out = text;
  for (const [key, raw] of Object.entries(values)) {
    const placeholder = key.startsWith('{') && key.endsWith('}') ? key : `{${key}}`;
    const value = typeof raw === 'string' ? raw : JSON.stringify(raw) ?? '';
    out = out.split(placeholder).join(jsonText ? JSON.stringify(value).slice(1, -1) : value);
  }
  return out;
}

/**
 * The recall an `RC:RcCmd` broadcast asks for (the older way to recall a broadcast, server-sdk-go's
 * `MessageBroadcastRecall`: content `{"messageUId","conversationType":6,"isAdmin","isDelete"}`); 1002 when the
 * content names no broadcast to recall.
 */
function recallCommand(content: Uint8Array, fromUserId: string): BroadcastRecall {
  const command = JSON.parse(decodeUtf8(content)) as unknown;
  const record = typeof command === 'object' && command !== null && !Array.isArray(command) ? (command as Record<string, unknown>) : {};
  const messageUID = record['messageUId'];
  if (typeof messageUID !== 'string' || messageUID === '' || messageUID.length > 64) throw apiError(ServerApiErrors.badParameter, 'an RC:RcCmd broadcast needs content.messageUId, the broadcast to recall');
  const type = record['conversationType'];
  if (type !== undefined && Number(type) !== SYSTEM) throw apiError(ServerApiErrors.badParameter, 'an RC:RcCmd broadcast recalls a broadcast: content.conversationType must be 6');
  const on = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 'true';
  const extra = typeof record['extra'] === 'string' ? record['extra'] : '';
  return { fromUserId, messageUID, isAdmin: on(record['isAdmin']), isDelete: on(record['isDelete']), extra };
}

function broadcast(messaging: MessagingService, hub: Hub, kinds: ConversationKinds, onlineOnly: boolean): ServerApiHandler {
  return async ({ app, params, ctx }) => {
    const fromUserId = params.requiredString('fromUserId', USER_ID_RULE);
    const objectName = params.requiredString('objectName', OBJECT_NAME_RULE);
    const content = readContent(params);
    const options = readPublishOptions(params);
    const os = params.optionalString('os', { maxLength: 32 });
    if (os !== undefined && os !== '' && !/^(iOS|Android)$/i.test(os)) throw apiError(ServerApiErrors.badParameter, 'os must be iOS or Android');
    const flags = onlineOnly ? 0 : flagsOf(objectName, params);
    if (!onlineOnly && objectName === RECALL_OBJECT_NAME) {
      // Recalls the broadcast it names, as `message/broadcast/recall` does, instead of storing a new message.
      const recall = await checkBroadcastRecall(ctx, messaging, kinds, app.appKey, recallCommand(content, fromUserId));
      return async () => {
        const uid = await recall();
        return { id: uid, messageUID: uid };
      };
    }
    return async () => {
      const recipients = new Set<string>();
      if (onlineOnly) {
        for (const session of hub.registry.all()) if (session.info.appKey === app.appKey) recipients.add(session.info.userId);
      } else {
        for (let after = ''; ;) {
          const page = await ctx.store.userLists.registered(app.appKey, after, USERS_PAGE);
          for (const id of page) recipients.add(id);
          const last = page[page.length - 1];
          if (last === undefined || page.length < USERS_PAGE) break;
          after = last;
        }
      }
      recipients.delete(fromUserId);
      const result = await messaging.send({
        appKey: app.appKey,
        fromUserId,
        conversationType: SYSTEM,
        targetId: fromUserId,
        objectName,
        content,
        flags,
        ...messageFields(options),
        recipients: [...recipients],
        senderSendbox: false,
      });
      return { id: result.messageUId, messageUID: result.messageUId };
    };
  };
}

function jsonList(params: Params, name: string, required: boolean): unknown[] {
  const value = params.raw[name];
  if (value === undefined || value === null) {
    if (required) throw apiError(ServerApiErrors.badParameter, `${name} is required`);
    return [];
  }
  if (!Array.isArray(value)) throw apiError(ServerApiErrors.badParameter, `${name} must be an array`);
  return value;
}

function template(messaging: MessagingService, conversationType: number): ServerApiHandler {
  return ({ app, params, ctx }) => {
    const fromUserId = params.requiredString('fromUserId', USER_ID_RULE);
    const objectName = params.requiredString('objectName', OBJECT_NAME_RULE);
    // Placeholders may stand where JSON needs a value, so only the filled content must be JSON.
    const template = params.requiredString('content');
    const maxRecipients = TEMPLATE_MAX_RECIPIENTS[conversationType] ?? 100;
    const toUserIds = params.strings('toUserId', { ...USER_ID_RULE, required: true, maxItems: maxRecipients });
    const values = jsonList(params, 'values', true);
    if (values.length !== toUserIds.length) throw apiError(ServerApiErrors.badParameter, 'values needs one entry per toUserId');
    const pushContents = jsonList(params, 'pushContent', false);
    const pushDatas = jsonList(params, 'pushData', false);
    const flags = flagsOf(objectName, params);
    const verify = params.boolean('verifyBlacklist', false);
    params.boolean('contentAvailable', false);
    // Every recipient's content is filled and checked before the first message is sent (all or none).
    const contents = toUserIds.map((_, index) => {
      const entry = values[index];
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw apiError(ServerApiErrors.badParameter, `values[${index}] must be an object`);
      const filled = fillTemplate(template, entry as Record<string, unknown>, true);
      try {
        JSON.parse(filled);
      } catch {
        throw apiError(ServerApiErrors.badParameter, `content filled with values[${index}] is not JSON`);
      }
      const content = encodeUtf8(filled);
      if (content.length > MAX_CONTENT_BYTES) throw apiError(ServerApiErrors.lengthExceeded, 'content exceeds 128 KB');
      return { entry: entry as Record<string, unknown>, content };
    });
    return async () => {
      const accepted = new Set(verify && conversationType === PRIVATE ? await acceptingRecipients(ctx, app.appKey, fromUserId, toUserIds) : toUserIds);
      const messageUIDs: { userId: string; messageUID: string }[] = [];
      for (const [index, toUserId] of toUserIds.entries()) {
        const filled = contents[index];
        if (!accepted.has(toUserId) || filled === undefined) continue;
        const { entry, content } = filled;
        const push = pushContents[index];
        const data = pushDatas[index];
        const result = await messaging.send({
          appKey: app.appKey,
          fromUserId,
          conversationType,
          targetId: toUserId,
          objectName,
          content,
          flags,
          ...(typeof push === 'string' && push !== '' ? { pushContent: fillTemplate(push, entry, false) } : {}),
          ...(typeof data === 'string' && data !== '' ? { pushData: fillTemplate(data, entry, false) } : {}),
          recipients: toUserId === fromUserId ? [] : [toUserId],
          senderSendbox: toUserId === fromUserId,
        });
        messageUIDs.push({ userId: toUserId, messageUID: result.messageUId });
      }
      return { messageUIDs };
    };
  };
}

export function messageBroadcastRoutes(messaging: MessagingService, hub: Hub, kinds: ConversationKinds): ServerApiModule {
  return () => ({
    'message/broadcast': broadcast(messaging, hub, kinds, false),
    'message/online/broadcast': broadcast(messaging, hub, kinds, true),
    'message/private/publish_template': template(messaging, PRIVATE),
    'message/system/publish_template': template(messaging, SYSTEM),
  });
}
