import type { AppKey, NewMessage, Store, StoredMessage, SyncEntry, UserId } from '../store';

/** What each contract part gets: the store under test for the current `it`, fresh and migrated. */
export interface ContractContext {
  readonly store: Store;
  /** Closes the current store and opens the same storage again (migrated), making it the current one. */
  reopen(): Promise<Store>;
}

export const APP: AppKey = 'app-a';
export const OTHER_APP: AppKey = 'app-b';
/** An arbitrary fixed server time; tests pass explicit `now` values around it. */
export const T0 = 1_700_000_000_000;

export const PRIVATE = 1;
export const GROUP = 3;
export const SYSTEM = 6;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(message: StoredMessage): string {
  return decoder.decode(message.content);
}

export interface Draft {
  readonly app?: AppKey;
  readonly now?: number;
  readonly text?: string;
  readonly sendbox?: boolean;
  readonly mentioned?: readonly UserId[];
  readonly recipients?: readonly UserId[];
  readonly objectName?: string;
}

function content(draft: Draft): Uint8Array {
  return utf8(JSON.stringify({ content: draft.text ?? 'hi' }));
}

/** A persisted, counted private message from `from` to `to` (recipients [to], sendbox on by default). */
export function privateMessage(from: UserId, to: UserId, draft: Draft = {}): NewMessage {
  return {
    appKey: draft.app ?? APP,
    fromUserId: from,
    conversationType: PRIVATE,
    targetId: to,
    objectName: draft.objectName ?? 'RC:TxtMsg',
    content: content(draft),
    flags: 3,
    recipients: draft.recipients ?? [to],
    senderSendbox: draft.sendbox ?? true,
    now: draft.now ?? T0,
    ...(draft.mentioned !== undefined && { mentionedUserIds: draft.mentioned }),
  };
}

/** A group message; `members` are the recipients (the sender excluded by the caller, as services do). */
export function groupMessage(from: UserId, groupId: string, members: readonly UserId[], draft: Draft = {}): NewMessage {
  return {
    appKey: draft.app ?? APP,
    fromUserId: from,
    conversationType: GROUP,
    targetId: groupId,
    objectName: draft.objectName ?? 'RC:TxtMsg',
    content: content(draft),
    flags: draft.mentioned === undefined ? 3 : 7,
    recipients: draft.recipients ?? members,
    senderSendbox: draft.sendbox ?? true,
    now: draft.now ?? T0,
    ...(draft.mentioned !== undefined && { mentionedUserIds: draft.mentioned }),
  };
}

/** A system message from `from` (e.g. an admin account) to `to`. */
export function systemMessage(from: UserId, to: UserId, draft: Draft = {}): NewMessage {
  return { ...privateMessage(from, to, { sendbox: false, ...draft }), conversationType: SYSTEM };
}

export function uids(entries: readonly SyncEntry[]): string[] {
  return entries.map((entry) => entry.message.uid);
}

export function times(entries: readonly SyncEntry[]): number[] {
  return entries.map((entry) => entry.message.sentTime);
}

/** Appends sequentially (each awaited) so sentTimes follow the given order. */
export async function appendAll(store: Store, messages: readonly NewMessage[]): Promise<StoredMessage[]> {
  const stored: StoredMessage[] = [];
  for (const message of messages) stored.push(await store.messages.append(message));
  return stored;
}
