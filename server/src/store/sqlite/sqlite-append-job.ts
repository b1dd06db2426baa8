/**
 * A message's group-commit job, planned on the caller's thread (sqlite-append-writer.ts runs it on the writer's),
 * and its stored form once committed.
 */
import { UID_ALPHABET } from '../message-uid';
import { ownerConversation } from '../owner-conversation';
import { storedMessageOf } from '../rows';
import { Direction } from '../store';
import type { NewMessage, StoredMessage } from '../store';

/**
 * One message of a group-commit batch as the executor takes it: plain data only (it crosses to the writer
 * thread by structured clone). Everything that does not depend on the app clock is decided here, on the
 * caller's thread: the entry rows and the uid's 35 random bits (so an injected `random` stays in charge).
 */
export interface AppendJob {
  readonly appKey: string;
  /** The caller's clock; sentTime = max(floor(now), app clock + 1). */
  readonly now: number;
  /** The 7 random base32hex characters of the uid (message-uid.ts); the 9 time characters follow sentTime. */
  readonly uidRandom: string;
  readonly fromUserId: string;
  readonly conversationType: number;
  readonly targetId: string;
  readonly objectName: string;
  readonly content: Uint8Array;
  readonly flags: number;
  readonly configFlag: number | null;
  readonly pushContent: string | null;
  readonly pushData: string | null;
  readonly pushExt: Uint8Array | null;
  readonly extraContent: string | null;
  /** One row per owner: [owner, direction, conversation type, conversation target, mentioned]. */
  readonly entries: readonly (readonly [string, number, number, string, 0 | 1])[];
}

/** What the commit assigned to one message. */
export interface AppendCommitted {
  readonly sentTime: number;
  readonly uid: string;
}

/**
 * The uid's 7 random characters, drawn exactly as newMessageUid draws them (one `random()` per character,
 * base32hex), so the executor's time part + this give the uid newMessageUid(sentTime, random) would.
 */
function uidRandomPart(random: () => number): string {
  const codes = RANDOM_CODES;
  for (let i = 0; i < 7; i++) codes[i] = UID_ALPHABET.charCodeAt(Math.min(31, Math.max(0, Math.floor(random() * 32))));
  return String.fromCharCode.apply(null, codes);
}

/** uidRandomPart's character codes, filled in place (one string made from them per message). */
const RANDOM_CODES: number[] = [48, 48, 48, 48, 48, 48, 48];

/**
 * The job for `message`. A recipient always gets its inbox entry; the sender's sendbox entry is dropped when
 * the sender is also a recipient (message to oneself, group message directed to oneself): one row per
 * (message, owner).
 */
export function planAppend(message: NewMessage, random: () => number, reserved?: number): AppendJob {
  return {
    appKey: message.appKey,
    // A time the app reserved for a not-stored message (SqliteMessageRepository.reserveTime): timed after it.
    now: reserved !== undefined && reserved + 1 > message.now ? reserved + 1 : message.now,
    uidRandom: uidRandomPart(random),
    fromUserId: message.fromUserId,
    conversationType: message.conversationType,
    targetId: message.targetId,
    objectName: message.objectName,
    content: message.content,
    flags: message.flags,
    configFlag: message.configFlag ?? null,
    pushContent: message.pushContent ?? null,
    pushData: message.pushData ?? null,
    pushExt: message.pushExt ?? null,
    extraContent: message.extraContent ?? null,
    entries: entryRows(message),
  };
}

function entryRows(message: NewMessage): [string, number, number, string, 0 | 1][] {
  const { recipients, fromUserId } = message;
  const mentioned = message.mentionedUserIds;
  const only = recipients.length === 1 ? recipients[0] : undefined;
  if (only !== undefined && only !== fromUserId && (mentioned === undefined || mentioned.length === 0)) {
    // The private-message case without the sets below.
    const inbox = ownerConversation(message, only);
    const rows: [string, number, number, string, 0 | 1][] = [[only, Direction.Receive, inbox.type, inbox.targetId, 0]];
    if (message.senderSendbox) {
      const sendbox = ownerConversation(message, fromUserId);
      rows.push([fromUserId, Direction.Send, sendbox.type, sendbox.targetId, 0]);
    }
    return rows;
  }
  const mentionedSet = mentioned !== undefined && mentioned.length > 0 ? new Set(mentioned) : undefined;
  const entries: [string, number, number, string, 0 | 1][] = [];
  const owners = new Set<string>();
  for (const recipient of recipients) {
    if (owners.has(recipient)) continue;
    owners.add(recipient);
    const conversation = ownerConversation(message, recipient);
    entries.push([recipient, Direction.Receive, conversation.type, conversation.targetId, mentionedSet?.has(recipient) === true ? 1 : 0]);
  }
  if (message.senderSendbox && !owners.has(fromUserId)) {
    const conversation = ownerConversation(message, fromUserId);
    entries.push([fromUserId, Direction.Send, conversation.type, conversation.targetId, 0]);
  }
  return entries;
}

/** The stored form of `message` once committed as `committed`. */
export function storedMessage(message: NewMessage, committed: AppendCommitted): StoredMessage {
  return storedMessageOf(message, committed.uid, committed.sentTime);
}
