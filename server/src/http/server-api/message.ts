/**
 * `message/*` endpoints (SERVER_API.md §2.2): private, system and private status publish, recall (`message/recall`,
 * and `message/broadcast/recall` for a broadcast). The shared optional parameters are read by publish-options.ts;
 * broadcasts, templates and the history log have their own files.
 * Each recipient gets its own message (N recipients = N messages, as RongCloud counts them); the
 * response lists the uid of each as `messageUIDs`.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ServerContext } from '../../context';
import type { MessagingService } from '../../services/messaging';
import type { ConversationKinds } from '../../services/conversation-kind';
import { recallMessage } from '../../services/recall';
import { builtInPolicy, encodeUtf8 } from '../../services/wire';
import { MAX_CONTENT_BYTES, WireStatus } from '../../services/wire-status';
import type { ServerApiHandler, ServerApiModule } from './index';
import type { Params } from './params';
import { messageFields, readPublishOptions } from './publish-options';
import { USER_ID_RULE } from './user';
import { acceptingRecipients } from '../../services/user-relations';

const OBJECT_NAME_RULE = { maxLength: 32 } as const;
const SYSTEM = 6;
/** `extra` of a recall, carried in its RC:RcCmd. */
const RECALL_EXTRA_MAX_BYTES = 4096;

interface PublishShape {
  readonly conversationType: 1 | 6;
  readonly maxRecipients: number;
  /** Whether `isIncludeSender` is accepted (system messages have no sender conversation). */
  readonly includeSender: boolean;
  /** `statusmessage/*`: delivered to online sessions only, never stored. */
  readonly status?: boolean;
}

/** Flags for a Server API message: built-in types follow the shared policy table, custom ones the parameters. */
export function flagsOf(objectName: string, params: Params): number {
  const builtIn = builtInPolicy(objectName);
  const persisted = builtIn ? builtIn.persisted : params.boolean('isPersisted', true);
  const counted = builtIn ? builtIn.counted : params.boolean('isCounted', true);
  let flags = (persisted ? 1 : 0) | (persisted && counted ? 2 : 0);
  if (params.boolean('disablePush', false)) flags |= 32;
  if (params.boolean('expansion', false)) flags |= 64;
  return flags;
}

export function readContent(params: Params): Uint8Array {
  const text = params.requiredString('content');
  try {
    JSON.parse(text);
  } catch {
    throw apiError(ServerApiErrors.badParameter, 'content must be a JSON string');
  }
  const bytes = encodeUtf8(text);
  if (bytes.length > MAX_CONTENT_BYTES) throw apiError(ServerApiErrors.lengthExceeded, 'content exceeds 128 KB');
  return bytes;
}

function publish(messaging: MessagingService, shape: PublishShape): ServerApiHandler {
  return ({ app, params, ctx }) => {
    const fromUserId = params.requiredString('fromUserId', USER_ID_RULE);
    const requested = params.strings('toUserId', { ...USER_ID_RULE, required: true, maxItems: shape.maxRecipients });
    const objectName = params.requiredString('objectName', OBJECT_NAME_RULE);
    const content = readContent(params);
    const options = readPublishOptions(params);
    const includeSender = shape.includeSender && params.boolean('isIncludeSender', false);
    const flags = shape.status === true ? 0 : flagsOf(objectName, params);
    return async () => {
      // verifyBlacklist: recipients who refuse the sender are left out (no error, no uid for them).
      const toUserIds = options.verifyBlacklist && shape.conversationType === 1 ? await acceptingRecipients(ctx, app.appKey, fromUserId, requested) : requested;
      const messageUIDs: { userId: string; messageUID: string }[] = [];
      for (const toUserId of toUserIds) {
        const result = await messaging.send({
          appKey: app.appKey,
          fromUserId,
          conversationType: shape.conversationType,
          targetId: toUserId,
          objectName,
          content,
          flags,
          ...messageFields(options),
          recipients: toUserId === fromUserId ? [] : [toUserId],
          senderSendbox: includeSender || toUserId === fromUserId,
        });
        messageUIDs.push({ userId: toUserId, messageUID: result.messageUId });
      }
      return { messageUIDs };
    };
  };
}

/** What recalls a broadcast: `message/broadcast/recall`, or a `message/broadcast` of an RC:RcCmd (message-broadcast.ts). */
export interface BroadcastRecall {
  readonly fromUserId: string;
  readonly messageUID: string;
  readonly isAdmin: boolean;
  readonly isDelete: boolean;
  readonly extra: string;
}

/**
 * The check phase of a broadcast recall: 1002 unless `messageUID` is an unrecalled broadcast (a SYSTEM message its
 * sender addressed to itself) that `fromUserId` sent or `isAdmin` lets it recall. Returns the recall (run phase),
 * which answers the uid of the RC:RcCmd it sent.
 */
export async function checkBroadcastRecall(ctx: ServerContext, messaging: MessagingService, kinds: ConversationKinds, appKey: string, recall: BroadcastRecall): Promise<() => Promise<string>> {
  const { fromUserId, messageUID, isAdmin, isDelete, extra } = recall;
  const original = await ctx.store.messages.get(appKey, messageUID);
  if (original === undefined || original.conversationType !== SYSTEM || original.targetId !== original.fromUserId) {
    throw apiError(ServerApiErrors.badParameter, `${messageUID} is not a broadcast message`);
  }
  if (original.recalled) throw apiError(ServerApiErrors.badParameter, `${messageUID} is already recalled`);
  if (!isAdmin && original.fromUserId !== fromUserId) throw apiError(ServerApiErrors.badParameter, `${messageUID} was not sent by ${fromUserId} (isAdmin=1 recalls it anyway)`);
  return async () => {
    const command = {
      conversationType: SYSTEM,
      targetId: original.fromUserId,
      messageUId: messageUID,
      sentTime: original.sentTime,
      ...(isAdmin ? { isAdmin: 1 } : {}),
      ...(isDelete ? { isDelete: 1 } : {}),
      ...(extra !== '' ? { extra } : {}),
    };
    const result = await recallMessage(ctx, messaging, kinds, { appKey, by: fromUserId, content: encodeUtf8(JSON.stringify(command)), asAdmin: isAdmin });
    if (result.status !== WireStatus.Ok) throw apiError(ServerApiErrors.badParameter, `message cannot be recalled (${result.status})`);
    return result.messageUId ?? '';
  };
}

export function messageRoutes(messaging: MessagingService, kinds: ConversationKinds): ServerApiModule {
  return (ctx) => ({
    'message/private/publish': publish(messaging, { conversationType: 1, maxRecipients: 1000, includeSender: true }),
    'message/system/publish': publish(messaging, { conversationType: 6, maxRecipients: 100, includeSender: false }),
    'statusmessage/private/publish': publish(messaging, { conversationType: 1, maxRecipients: 1000, includeSender: true, status: true }),
    'message/recall': ({ app, params }) => {
      const fromUserId = params.requiredString('fromUserId', USER_ID_RULE);
      const conversationType = params.integer('conversationType', { min: 1, max: 10 });
      const targetId = params.requiredString('targetId', { maxBytes: 64 });
      const messageUID = params.requiredString('messageUID', { maxLength: 64 });
      const sentTime = params.integer('sentTime', { min: 0, fallback: 0 });
      const isAdmin = params.boolean('isAdmin', false);
      const isDelete = params.boolean('isDelete', false);
      const extra = params.optionalString('extra', { maxBytes: RECALL_EXTRA_MAX_BYTES }) ?? '';
      // Checked, not acted on: the recall command is never pushed (flags 1), there are no business channels, and
      // the recalled message leaves the conversation's latest message as it does on a client recall.
      params.boolean('disablePush', false);
      params.optionalString('busChannel', { maxLength: 20 });
      params.boolean('disableUpdateLastMsg', false);
      return async () => {
        // conversationType 4 (a room message) is recalled on the room timeline (recall.ts routes it to the chatroom kind).
        // The RC:RcCmd carries the flags and the text the app gave, as message/broadcast/recall's does.
        const command = {
          conversationType,
          targetId,
          messageUId: messageUID,
          sentTime,
          ...(isAdmin ? { isAdmin: 1 } : {}),
          ...(isDelete ? { isDelete: 1 } : {}),
          ...(extra !== '' ? { extra } : {}),
        };
        const content = encodeUtf8(JSON.stringify(command));
        const result = await recallMessage(ctx, messaging, kinds, { appKey: app.appKey, by: fromUserId, content, asAdmin: isAdmin });
        if (result.status !== WireStatus.Ok) throw apiError(ServerApiErrors.badParameter, `message cannot be recalled (${result.status})`);
      };
    },

    // A broadcast (`message/broadcast`: one SYSTEM message its sender addressed to itself, in every user's inbox) is
    // recalled like any message (recall.ts, as `message/recall` with conversationType 6): it leaves every history and
    // conversation list, and the RC:RcCmd reaches every user who got it (its inbox owners) in the same conversation.
    'message/broadcast/recall': async ({ app, params }) => {
      const fromUserId = params.requiredString('fromUserId', USER_ID_RULE);
      const messageUID = params.requiredString('messageUID', { maxLength: 64 });
      params.integer('sentTime', { min: 0, fallback: 0 });
      const isAdmin = params.boolean('isAdmin', false);
      const isDelete = params.boolean('isDelete', false);
      const extra = params.optionalString('extra', { maxBytes: RECALL_EXTRA_MAX_BYTES }) ?? '';
      params.boolean('disablePush', false);
      params.boolean('disableUpdateLastMsg', false);
      const recall = await checkBroadcastRecall(ctx, messaging, kinds, app.appKey, { fromUserId, messageUID, isAdmin, isDelete, extra });
      return async () => {
        await recall();
      };
    },
  });
}
