/**
 * `sendMessage`'s positional arguments, normalised (API_CHECKLIST §3.6, "Decisions"): the official
 * order is `(conversationType, targetId, msg, callback, isMentioned?, pushContent?, pushData?,
 * methodType?, config?)`; the seed's samples pass `config` in the 8th slot, so an object there is
 * taken as the config too. `methodType` itself is deprecated and ignored.
 */
import type { SendOptions } from '../client/services/outgoing';
import type { Check } from './validate';
import { callbackCheck, check } from './validate';
import * as Rules from './rules';

export interface SendArgs {
  readonly conversationType: unknown;
  readonly targetId: unknown;
  readonly msg: unknown;
  readonly callback: unknown;
  readonly isMentioned: unknown;
  readonly pushContent: unknown;
  readonly pushData: unknown;
  readonly options: unknown;
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

export function normalizeSendArgs(args: readonly unknown[]): SendArgs {
  const [conversationType, targetId, msg, callback, isMentioned, pushContent, pushData, methodType, config] = args;
  const options = config !== undefined && config !== null ? config : isPlainObject(methodType) ? methodType : undefined;
  return { conversationType, targetId, msg, callback, isMentioned, pushContent, pushData, options };
}

/** A message instance as apps build it: a BaseMessage, a registered class instance or a look-alike. */
export const isMessageLike = (v: unknown): boolean =>
  isPlainObject(v) &&
  (typeof (v as Record<string, unknown>)['objectName'] === 'string' || typeof (v as Record<string, unknown>)['messageType'] === 'string') &&
  (isPlainObject((v as Record<string, unknown>)['content']) || (v as Record<string, unknown>)['content'] === undefined);

export function sendArgChecks(a: SendArgs): Check[] {
  return [
    check('conversationType', a.conversationType, Rules.CONVERSATION_TYPE),
    check('targetId', a.targetId, Rules.STRING),
    check('msg', a.msg, isMessageLike),
    callbackCheck(a.callback, true),
    check('isMentioned', a.isMentioned, Rules.BOOLEAN, true),
    check('pushContent', a.pushContent, Rules.ONLY_STRING, true),
    check('pushData', a.pushData, Rules.ONLY_STRING, true),
    check('config', a.options, Rules.OBJECT, true),
    check('config.userIds', isPlainObject(a.options) ? (a.options as Record<string, unknown>)['userIds'] : undefined, (v) => Array.isArray(v) && v.every((id) => typeof id === 'string'), true),
  ];
}

/** The config fields we understand, copied out of whatever object the app passed. */
export function sendOptionsOf(options: unknown): SendOptions | undefined {
  if (!isPlainObject(options)) return undefined;
  const o = options as Record<string, unknown>;
  const out: SendOptions = {};
  // The group sample misspells it `userId` (seed L5756).
  const userIds = o['userIds'] ?? o['userId'];
  if (Array.isArray(userIds)) out.userIds = userIds.filter((id): id is string => typeof id === 'string');
  if (typeof o['isVoipPush'] === 'boolean') out.isVoipPush = o['isVoipPush'];
  if (typeof o['disableNotification'] === 'boolean') out.disableNotification = o['disableNotification'];
  if (typeof o['canIncludeExpansion'] === 'boolean') out.canIncludeExpansion = o['canIncludeExpansion'];
  if (isPlainObject(o['expansion'])) {
    const expansion: Record<string, string> = {};
    for (const [k, v] of Object.entries(o['expansion'] as Record<string, unknown>)) expansion[k] = String(v);
    out.expansion = expansion;
  }
  if (typeof o['isFilerWhiteBlacklist'] === 'boolean') out.isFilerWhiteBlacklist = o['isFilerWhiteBlacklist'];
  if (isPlainObject(o['pushConfig'])) out.pushConfig = o['pushConfig'] as NonNullable<SendOptions['pushConfig']>;
  if (typeof o['isStatusMessage'] === 'boolean') out.isStatusMessage = o['isStatusMessage'];
  if (typeof o['isStatus'] === 'boolean') out.isStatus = o['isStatus'];
  return out;
}

/** Content the docs spell differently from the wire: `messageUid` → `messageUId` for receipts. */
export function normalizeContent(objectName: string, content: Record<string, unknown>): Record<string, unknown> {
  if ((objectName === 'RC:ReadNtf' || objectName === 'RC:RRReqMsg') && content['messageUId'] === undefined && content['messageUid'] !== undefined) {
    const { messageUid, ...rest } = content;
    return { ...rest, messageUId: messageUid };
  }
  return content;
}
