/**
 * The services' internal message model and its construction from the wire (DownStreamMessage from
 * pull/push/history/conversation list, UpStreamMessage + PUBACK from a multi-device echo). The public
 * v2 `Message` object is made from this in src/api, which adds the v2 `messageType` names.
 */
import { decodeUtf8 } from '../../codec/utf8';
import type { rc } from '../../protocol/messages';
import type { MessagePolicy } from '../../protocol/object-names';
import type { PushConfigInput } from './outgoing';

export const Direction = { Send: 1, Receive: 2 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** UpStreamMessage.sessionId bits (PROTOCOL.md §9.2). */
export const UpFlag = { Persisted: 1, Counted: 2, Mentioned: 4, DisableNotification: 32, CanIncludeExpansion: 64 } as const;
/** DownStreamMessage.status bits (PROTOCOL.md §9.3). */
export const DownFlag = { Retrieved: 2, Persisted: 16, Counted: 32, Mentioned: 64, DisableNotification: 512, CanIncludeExpansion: 1024 } as const;

/** Conversation types whose id travels in DownStreamMessage.groupId. */
const GROUP_ID_TYPES: ReadonlySet<number> = new Set([2, 3, 4, 12]);

/** Policy of an object name: the built-in table or an app registration; undefined for unknown names. */
export type PolicyLookup = (objectName: string) => MessagePolicy | undefined;

export interface ImMessage {
  readonly conversationType: number;
  readonly targetId: string;
  readonly senderUserId: string;
  readonly objectName: string;
  /** Parsed JSON content; undefined when the text was not a JSON object (see `contentText`). */
  readonly content: Record<string, unknown> | undefined;
  readonly contentText: string;
  readonly messageUId: string;
  readonly sentTime: number;
  readonly direction: Direction;
  readonly offline: boolean;
  readonly persisted: boolean;
  readonly counted: boolean;
  readonly status: boolean;
  /** The message @-mentions the receiver (DownStream bit 64) or was sent as an @ message. */
  readonly mentioned: boolean;
  /** Already fetched by another device of this user (DownStream bit 2). */
  readonly retrieved: boolean;
  readonly disableNotification: boolean;
  readonly canIncludeExpansion: boolean;
  readonly expansion: Record<string, string> | null;
  readonly pushContent?: string;
  readonly configFlag?: number;
  /** Made on this device by its own send or recall (not received from the server). */
  readonly local?: true;
  /** A local message's push config as the app gave it (2.9.2 hands it back with a successful send or recall). */
  readonly ownPushConfig?: PushConfigInput;
}

/** JSON object text → object; anything else → undefined. */
export function parseContent(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Expansion wire JSON `{"k":{"v":"value"},…}` → `{k: value}`; null when absent or malformed. */
export function parseExpansion(text: string | null | undefined): Record<string, string> | null {
  if (!text) return null;
  const parsed = parseContent(text);
  if (!parsed) return null;
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(parsed)) {
    if (typeof entry === 'object' && entry !== null && 'v' in entry) out[key] = String((entry as { v: unknown }).v);
    else if (typeof entry === 'string') out[key] = entry;
  }
  return out;
}

/** `{k: value}` → expansion wire JSON. */
export function encodeExpansion(expansion: Readonly<Record<string, string>>): string {
  const wire: Record<string, { v: string }> = {};
  for (const [key, value] of Object.entries(expansion)) wire[key] = { v: String(value) };
  return JSON.stringify(wire);
}

/** `ImMessage` while it is built (the optional fields are added only when present). */
type Building = { -readonly [K in keyof ImMessage]: ImMessage[K] };

export interface WireContext {
  readonly me: string;
  readonly connectedAt: number;
  readonly policyOf: PolicyLookup;
}

/**
 * A DownStreamMessage (pull, s_msg, history, conversation list) as seen by user `ctx.me`. Built as one
 * object literal of a fixed shape (no spread of a flags object per message): E4 ignores the wire
 * bits for names it knows (built-in or registered) and trusts them otherwise.
 */
export function fromDownStream(d: rc.IDownStreamMessage, ctx: WireContext): ImMessage {
  const type = Number(d.type);
  const groupLike = GROUP_ID_TYPES.has(type);
  const fromUserId = d.fromUserId;
  // Sendbox entries carry direction 1; chatroom entries from ourselves carry no direction (§8.7).
  const direction: Direction = d.direction === 1 || (groupLike && fromUserId === ctx.me) ? Direction.Send : Direction.Receive;
  // One-to-one conversations: the peer is in fromUserId for both directions (sendbox rule, §8.3 rule 6).
  const targetId = groupLike ? (d.groupId ?? '') : fromUserId;
  const status = Number(d.status ?? 0);
  const contentText = d.content ? decodeUtf8(d.content) : '';
  const policy = ctx.policyOf(d.classname);
  const sentTime = Number(d.dataTime);
  const extra = d.extraContent;
  const message: Building = {
    conversationType: type,
    targetId,
    senderUserId: direction === Direction.Send ? ctx.me : fromUserId,
    objectName: d.classname,
    content: parseContent(contentText),
    contentText,
    messageUId: d.msgId ?? '',
    sentTime,
    direction,
    offline: sentTime < ctx.connectedAt,
    persisted: policy ? policy.persisted : (status & DownFlag.Persisted) !== 0,
    counted: policy ? policy.counted : (status & DownFlag.Counted) !== 0,
    status: policy ? policy.status : false,
    mentioned: (status & DownFlag.Mentioned) !== 0,
    retrieved: (status & DownFlag.Retrieved) !== 0,
    disableNotification: (status & DownFlag.DisableNotification) !== 0,
    canIncludeExpansion: (status & DownFlag.CanIncludeExpansion) !== 0,
    expansion: extra ? parseExpansion(extra) : null,
  };
  if (d.pushContent) message.pushContent = d.pushContent;
  if (d.configFlag) message.configFlag = d.configFlag;
  return message;
}

export interface EchoInput {
  readonly conversationType: number;
  readonly targetId: string;
  readonly upstream: rc.IUpStreamMessage;
  readonly sentTime: number;
  readonly messageUId: string;
}

/** The user's own message sent from another device (DUP echo + PUBACK, PROTOCOL.md §5.5). */
export function fromEcho(echo: EchoInput, ctx: WireContext): ImMessage {
  const up = echo.upstream;
  const bits = Number(up.sessionId ?? 0);
  const contentText = up.content ? decodeUtf8(up.content) : '';
  const policy = ctx.policyOf(up.classname);
  const message: Building = {
    conversationType: echo.conversationType,
    targetId: echo.targetId,
    senderUserId: ctx.me,
    objectName: up.classname,
    content: parseContent(contentText),
    contentText,
    messageUId: echo.messageUId,
    sentTime: echo.sentTime,
    direction: Direction.Send,
    offline: echo.sentTime < ctx.connectedAt,
    persisted: policy ? policy.persisted : (bits & UpFlag.Persisted) !== 0,
    counted: policy ? policy.counted : (bits & UpFlag.Counted) !== 0,
    status: policy ? policy.status : false,
    mentioned: (bits & UpFlag.Mentioned) !== 0,
    retrieved: false,
    disableNotification: (bits & UpFlag.DisableNotification) !== 0,
    canIncludeExpansion: (bits & UpFlag.CanIncludeExpansion) !== 0,
    expansion: parseExpansion(up.extraContent),
  };
  if (up.pushText) message.pushContent = up.pushText;
  if (up.configFlag) message.configFlag = up.configFlag;
  return message;
}

/** Key of a conversation in local maps and storage. */
export function conversationKey(conversationType: number, targetId: string): string {
  return `${conversationType}_${targetId}`;
}
