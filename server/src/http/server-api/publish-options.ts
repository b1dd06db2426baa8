/**
 * The optional parameters every publish endpoint shares (SERVER_API.md §2.2 "Common optional publish params"),
 * read and validated in one place: `pushContent`, `pushData`, `pushExt` (JSON), `extraContent`,
 * `contentAvailable`, `verifyBlacklist`, `busChannel`, `disableUpdateLastMsg`. The flag-like ones that shape
 * storage (`isPersisted`, `isCounted`, `disablePush`, `expansion`) are in message.ts's `flagsOf`.
 *
 * `contentAvailable` (an iOS silent-push hint) and `disableUpdateLastMsg` are accepted and validated; with no
 * push provider and no per-conversation "last message" override they change nothing yet.
 */
import { apiError, ServerApiErrors } from '../../errors';
import { ExpansionLimit } from '../../services/expansion-filter';
import { encodeMessage, rc } from '../../services/wire';
import { formatExpansionJson } from '../../store/message-expansion-repository';
import { expansionEntries } from './message-expansion';
import type { Params } from './params';

const PUSH_RULE = { maxBytes: 4096 } as const;
const EXTRA_RULE = { maxBytes: 16 * 1024 } as const;

export interface PublishOptions {
  readonly pushContent?: string;
  readonly pushData?: string;
  /** Encoded rc.PushExtra (title, templateId, pushConfigs), as stored for client sends. */
  readonly pushExt?: Uint8Array;
  readonly extraContent?: string;
  readonly contentAvailable: boolean;
  /** Leave out recipients who blacklisted the sender (or, in whitelist mode, did not whitelist it). */
  readonly verifyBlacklist: boolean;
  readonly disableUpdateLastMsg: boolean;
}

/** `pushExt` JSON (`{"title":…,"templateId":…,"pushConfigs":[…],"forceShowPushContent":0}`) → PushExtra bytes. */
export function readPushExt(text: string): Uint8Array {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw apiError(ServerApiErrors.badParameter, 'pushExt must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw apiError(ServerApiErrors.badParameter, 'pushExt must be a JSON object');
  const record = value as Record<string, unknown>;
  const extra: rc.IPushExtra = {};
  if (typeof record['title'] === 'string') extra.title = record['title'];
  if (typeof record['templateId'] === 'string') extra.templateId = record['templateId'];
  if (record['pushConfigs'] !== undefined) extra.pushConfigs = JSON.stringify(record['pushConfigs']);
  return encodeMessage(rc.PushExtra, extra);
}

/**
 * `extraContent`: the message's first expansion, `{"key": "value"}` (SERVER_API.md §2.2; what message/expansion/set
 * takes), at most the 300 keys a message may hold; stored in the wire form `{"key":{"v":"value"}}` that clients read
 * (PROTOCOL.md UpStreamMessage field 11). 1002 when it is not such an object.
 */
function readExtraContent(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw apiError(ServerApiErrors.badParameter, 'extraContent must be JSON');
  }
  return formatExpansionJson(expansionEntries(value, 'extraContent', ExpansionLimit.keysTotal));
}

export function readPublishOptions(params: Params): PublishOptions {
  const pushContent = params.optionalString('pushContent', PUSH_RULE);
  const pushData = params.optionalString('pushData', PUSH_RULE);
  const pushExtText = params.optionalString('pushExt', PUSH_RULE);
  const extraText = params.optionalString('extraContent', EXTRA_RULE);
  const extraContent = extraText === undefined || extraText.trim() === '' ? undefined : readExtraContent(extraText);
  params.optionalString('busChannel', { maxLength: 20 });
  params.integer('count', { min: 0, max: 1_000_000, fallback: 0 });
  return {
    ...(pushContent !== undefined ? { pushContent } : {}),
    ...(pushData !== undefined ? { pushData } : {}),
    ...(pushExtText !== undefined && pushExtText.trim() !== '' ? { pushExt: readPushExt(pushExtText) } : {}),
    ...(extraContent !== undefined ? { extraContent } : {}),
    contentAvailable: params.boolean('contentAvailable', false),
    verifyBlacklist: params.boolean('verifyBlacklist', false),
    disableUpdateLastMsg: params.boolean('disableUpdateLastMsg', false),
  };
}

/** The stored/delivered fields of OutgoingMessage the options carry. */
export function messageFields(options: PublishOptions): { pushContent?: string; pushData?: string; pushExt?: Uint8Array; extraContent?: string } {
  const out: { pushContent?: string; pushData?: string; pushExt?: Uint8Array; extraContent?: string } = {};
  if (options.pushContent !== undefined) out.pushContent = options.pushContent;
  if (options.pushData !== undefined) out.pushData = options.pushData;
  if (options.pushExt !== undefined) out.pushExt = options.pushExt;
  if (options.extraContent !== undefined) out.extraContent = options.extraContent;
  return out;
}
