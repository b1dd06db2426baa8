/**
 * Pure construction of an outgoing message (PROTOCOL.md §9): send topic, UpStreamMessage.sessionId
 * flag bits, push fields, directed recipients, expansion, and the 128 KiB content limit. Kept free
 * of I/O so every rule is unit-tested; send.ts only publishes the result.
 */
import { ErrorCode, SdkError } from '../../errors';
import { encodeUtf8, utf8ByteLength } from '../../codec/utf8';
import type { rc } from '../../protocol/messages';
import { sendTopicFor } from '../../protocol/topics';
import { expansionEntriesViolation } from './expansion-rules';
import { encodeExpansion, UpFlag } from './im-message';

export const MAX_CONTENT_BYTES = 131_072;

/** Push options (R292 `IPushConfig`, API_CHECKLIST §3.6). */
export interface PushConfigInput {
  pushTitle?: string;
  pushContent?: string;
  pushData?: string;
  forceShowDetailContent?: boolean;
  disablePushTitle?: boolean;
  iOSConfig?: { threadId?: string; apnsCollapseId?: string; category?: string; richMediaUri?: string };
  androidConfig?: {
    notificationId?: string;
    channelIdMi?: string;
    channelIdHW?: string;
    channelIdOPPO?: string;
    typeVivo?: string;
    googleConfig?: { collapseKey?: string; imageUrl?: string; priority?: string };
  };
  templateId?: string;
}

/** `sendMessage`'s config (R292 `ISendOptionsV2`). */
export interface SendOptions {
  userIds?: string[];
  isVoipPush?: boolean;
  disableNotification?: boolean;
  canIncludeExpansion?: boolean;
  expansion?: Record<string, string>;
  isFilerWhiteBlacklist?: boolean;
  pushConfig?: PushConfigInput;
  isStatusMessage?: boolean;
  /** Deprecated alias, ignored when `isStatusMessage` is set. */
  isStatus?: boolean;
}

export interface OutgoingInput {
  readonly conversationType: number;
  readonly targetId: string;
  readonly objectName: string;
  readonly content: Record<string, unknown>;
  readonly isPersited: boolean;
  readonly isCounted: boolean;
  /** The built-in table marks the type a status message (RC:TypSts). */
  readonly isStatusType?: boolean;
  readonly isMentioned?: boolean;
  readonly pushContent?: string;
  readonly pushData?: string;
  readonly options?: SendOptions;
}

export interface Outgoing {
  readonly topic: string;
  /** A status message: online delivery only, never stored or counted. */
  readonly status: boolean;
  /** Sent fire-and-forget on a status topic (messageId 0, no PUBACK awaited). */
  readonly statusMessage: boolean;
  readonly upstream: rc.IUpStreamMessage;
  /** The content as sent (mentionedInfo stripped outside groups). */
  readonly content: Record<string, unknown>;
  readonly contentText: string;
  readonly flags: number;
}

const GROUP = 3;

/** configFlag bits (PROTOCOL.md §9.4). */
export const ConfigFlag = { VoipPush: 1, FilterWhiteBlacklist: 2, DisablePushTitle: 4, ForceShowDetailContent: 8 } as const;

function isStatusRequest(input: OutgoingInput): boolean {
  const options = input.options ?? {};
  if (typeof options.isStatusMessage === 'boolean') return options.isStatusMessage;
  if (typeof options.isStatus === 'boolean') return options.isStatus;
  return input.isStatusType === true;
}

/** UpStreamMessage.pushExt for a push config (PROTOCOL.md §7.2 PushExtra). */
export function pushExtra(config: PushConfigInput): rc.IPushExtra {
  const ios = config.iOSConfig;
  const android = config.androidConfig;
  const extra: rc.IPushExtra = { templateId: config.templateId ?? '' };
  if (config.pushTitle) extra.title = config.pushTitle;
  if (android?.notificationId) extra.pushId = android.notificationId;
  // Either platform block alone must work too (seed 5.7.3), so the list is sent when any is present.
  if (ios || android) {
    const vendors: Array<Record<string, Record<string, string>>> = [];
    if (android) {
      vendors.push({ HW: { channelId: android.channelIdHW ?? '' } });
      vendors.push({ MI: { channelId: android.channelIdMi ?? '' } });
      vendors.push({ OPPO: { channelId: android.channelIdOPPO ?? '' } });
      vendors.push({ VIVO: { classification: android.typeVivo ?? '' } });
      const fcm = android.googleConfig;
      if (fcm) vendors.push({ FCM: { collapse_key: fcm.collapseKey ?? '', imageUrl: fcm.imageUrl ?? '', priority: fcm.priority ?? '' } });
    }
    if (ios) {
      vendors.push({ APNS: { 'thread-id': ios.threadId ?? '', 'apns-collapse-id': ios.apnsCollapseId ?? '', category: ios.category ?? '', richMediaUri: ios.richMediaUri ?? '' } });
    }
    extra.pushConfigs = JSON.stringify(vendors);
  }
  return extra;
}

/** `JSON.stringify(value)`, or undefined when it cannot render it (a cycle, a BigInt) instead of throwing. */
export function jsonOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * Builds the wire form of one send. Throws SdkError 33003 for a conversation type without a send
 * topic or content JSON cannot render, 30016 for content over 128 KiB (checked on the UTF-8 JSON, before any I/O).
 */
export function buildOutgoing(input: OutgoingInput, me: string): Outgoing {
  const options = input.options ?? {};
  const status = isStatusRequest(input);
  const topic = sendTopicFor(input.conversationType, status);
  if (topic === undefined) throw new SdkError(ErrorCode.BIZ_ERROR_INVALID_PARAMETER, `cannot send to conversation type ${input.conversationType}`);

  const content: Record<string, unknown> = { ...input.content };
  // @ data only means something in groups; elsewhere it is dropped (seed 5.10.1).
  if (input.conversationType !== GROUP) delete content['mentionedInfo'];
  const contentText = jsonOf(content);
  // A cycle or a BigInt in the app's content: an argument error, not an exception out of the send.
  if (contentText === undefined) throw new SdkError(ErrorCode.BIZ_ERROR_INVALID_PARAMETER, 'content is not JSON-serialisable');
  const size = utf8ByteLength(contentText);
  if (size > MAX_CONTENT_BYTES) throw new SdkError(ErrorCode.RC_MSG_CONTENT_EXCEED_LIMIT, `message content is ${size} bytes (max ${MAX_CONTENT_BYTES})`);

  const mentioned = input.isMentioned === true && input.conversationType === GROUP && typeof content['mentionedInfo'] === 'object' && content['mentionedInfo'] !== null;
  let flags = 0;
  if (!status) {
    if (input.isPersited) flags |= UpFlag.Persisted;
    if (input.isCounted) flags |= UpFlag.Counted;
  }
  if (mentioned) flags |= UpFlag.Mentioned;
  if (options.disableNotification === true) flags |= UpFlag.DisableNotification;
  if (options.canIncludeExpansion === true) flags |= UpFlag.CanIncludeExpansion;

  const push = options.pushConfig;
  let configFlag = 0;
  if (options.isVoipPush === true) configFlag |= ConfigFlag.VoipPush;
  if (options.isFilerWhiteBlacklist === true) configFlag |= ConfigFlag.FilterWhiteBlacklist;
  if (push?.disablePushTitle === true) configFlag |= ConfigFlag.DisablePushTitle;
  if (push?.forceShowDetailContent === true) configFlag |= ConfigFlag.ForceShowDetailContent;

  const upstream: rc.IUpStreamMessage = {
    sessionId: flags,
    classname: input.objectName,
    content: encodeUtf8(contentText),
    configFlag,
  };
  const pushText = push?.pushContent || input.pushContent;
  if (pushText) upstream.pushText = pushText;
  const appData = push?.pushData || input.pushData;
  if (appData) upstream.appData = appData;
  if (input.objectName === 'RC:SRSMsg') upstream.userId = [me];
  else if (input.conversationType === GROUP && Array.isArray(options.userIds) && options.userIds.length > 0) upstream.userId = options.userIds.map(String);
  if (options.canIncludeExpansion === true && options.expansion && Object.keys(options.expansion).length > 0) {
    const violation = expansionEntriesViolation(options.expansion);
    if (violation !== undefined) throw new SdkError(violation, 'initial expansion over the limits');
    upstream.extraContent = encodeExpansion(options.expansion);
  }
  if (push) upstream.pushExt = pushExtra(push);
  return { topic, status, statusMessage: status && (topic === 'ppMsgS' || topic === 'pgMsgS'), upstream, content, contentText, flags };
}
