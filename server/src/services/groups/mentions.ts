import { decodeUtf8 } from '../wire';
import { FlagBit } from '../message-view';

/** `content.mentionedInfo.type` (PROTOCOL.md §9.6, MentionedType). */
export const MentionedType = { All: 1, Part: 2 } as const;

/**
 * The recipients a group message mentions (status bit 64 is set for them only, PROTOCOL.md §9.3): none unless
 * the sender set the "mentioned" flag (E4 `isMentioned`, L2 sessionId 7, Server API `isMentioned=1`) AND the
 * content carries `mentionedInfo` — type 1 mentions every recipient, type 2 those of `userIdList` that are
 * recipients. The sender is never a recipient, so it is never mentioned itself.
 */
export function mentionedRecipients(flags: number, content: Uint8Array, recipients: readonly string[]): string[] {
  if ((flags & FlagBit.Mentioned) === 0) return [];
  const info = mentionedInfoOf(content);
  if (info === undefined) return [];
  if (info.type === MentionedType.All) return [...recipients];
  if (info.type !== MentionedType.Part) return [];
  const named = new Set(info.userIdList);
  return recipients.filter((userId) => named.has(userId));
}

interface MentionedInfo {
  readonly type: number;
  readonly userIdList: readonly string[];
}

function mentionedInfoOf(content: Uint8Array): MentionedInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8(content));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const info = (parsed as Record<string, unknown>)['mentionedInfo'];
  if (typeof info !== 'object' || info === null) return undefined;
  const record = info as Record<string, unknown>;
  // Clients send the type as a number; some apps build it from strings.
  const type = Number(record['type']);
  const list = Array.isArray(record['userIdList']) ? record['userIdList'].filter((id): id is string => typeof id === 'string') : [];
  return { type, userIdList: list };
}
