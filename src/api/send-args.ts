/**
 * `sendMessage`'s positional arguments, normalised (API_CHECKLIST §3.6, "Decisions"): the official
 * order is `(conversationType, targetId, msg, callback, isMentioned?, pushContent?, pushData?,
 * methodType?, config?)`; the seed's samples pass `config` in the 8th slot, so an object there is
 * taken as the config too. `methodType` itself is deprecated and ignored.
 */
import type { SendOptions } from '../client/services/outgoing';
import type { Check, Rule } from './validate';
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

/** `o[key]` when `o` is an object, else undefined (an absent optional field). */
export const fieldOf = (o: unknown, key: string): unknown => (isPlainObject(o) ? (o as Record<string, unknown>)[key] : undefined);

/** One optional check per field of `o`, each named `name.field`. */
const fieldChecks = (name: string, o: unknown, fields: readonly string[], rule: Rule): Check[] => fields.map((f) => check(`${name}.${f}`, fieldOf(o, f), rule, true));

/** MessagePushConfig (API_CHECKLIST §3.6, §6.9): 0 marks a text field, an object a nested block. */
interface Shape {
  readonly [field: string]: 0 | Shape;
}
const PUSH_CONFIG: Shape = {
  pushTitle: 0,
  pushContent: 0,
  pushData: 0,
  templateId: 0,
  iOSConfig: { threadId: 0, apnsCollapseId: 0, category: 0, richMediaUri: 0 },
  androidConfig: { notificationId: 0, channelIdMi: 0, channelIdHW: 0, channelIdOPPO: 0, typeVivo: 0, googleConfig: { collapseKey: 0, imageUrl: 0, priority: 0 } },
};

/**
 * An optional push config: an object whose text fields are strings. A wrong type is an argument error
 * (33003) here, not an encoder failure once sending (which would read as the transient 30014).
 */
export function pushConfigChecks(name: string, config: unknown, shape: Shape = PUSH_CONFIG): Check[] {
  return [
    check(name, config, Rules.OBJECT, true),
    ...Object.keys(shape).flatMap((f) => {
      const inner = shape[f] as 0 | Shape;
      return inner === 0 ? fieldChecks(name, config, [f], Rules.ONLY_STRING) : pushConfigChecks(`${name}.${f}`, fieldOf(config, f), inner);
    }),
  ];
}

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
    check('config.userIds', fieldOf(a.options, 'userIds'), (v) => Array.isArray(v) && v.every((id) => typeof id === 'string'), true),
    // Typed as R292 asserts them: a wrong type is refused, not dropped with the message sent anyway.
    ...fieldChecks('config', a.options, ['isVoipPush', 'disableNotification', 'canIncludeExpansion'], Rules.BOOLEAN),
    check('config.expansion', fieldOf(a.options, 'expansion'), Rules.OBJECT, true),
    ...pushConfigChecks('config.pushConfig', fieldOf(a.options, 'pushConfig')),
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
  for (const k of ['isVoipPush', 'disableNotification', 'canIncludeExpansion', 'isFilerWhiteBlacklist', 'isStatusMessage', 'isStatus'] as const) {
    if (typeof o[k] === 'boolean') out[k] = o[k];
  }
  if (isPlainObject(o['expansion'])) {
    const expansion: Record<string, string> = {};
    for (const [k, v] of Object.entries(o['expansion'] as Record<string, unknown>)) expansion[k] = String(v);
    out.expansion = expansion;
  }
  if (isPlainObject(o['pushConfig'])) out.pushConfig = o['pushConfig'] as NonNullable<SendOptions['pushConfig']>;
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
