/**
 * Who is typing where (R292 `setTypingStatusListener`): each received `RC:TypSts` refreshes its
 * sender's entry in the conversation; entries expire `expireMs` after their last refresh (checked
 * every 500 ms). Every change — someone starts, types something else, stops — reports the conversations
 * whose list changed, a conversation nobody types in any more with `list: []`; a refresh of the same
 * user and type is no change and is not reported. The expiry also counts the checks themselves (timers run on a
 * monotonic clock): a device clock set back while someone types would otherwise keep them typing for as long.
 */
import type { Clock, TimerId } from '../../platform/platform-adapter';
import type { ImMessage } from './im-message';

export const TYPING_CHECK_MS = 500;
export const DEFAULT_TYPING_EXPIRE_MS = 2000;

export interface TypingUser {
  readonly userId: string;
  readonly timestamp: number;
  /** The object name being typed (`typingContentType`). */
  readonly messageType: string;
}

export interface TypingConversation {
  readonly conversationType: number;
  readonly targetId: string;
  readonly channelId: string;
  readonly list: TypingUser[];
}

/** Clamps the init option `typingExpireTime` to [2000, 6000] ms as the official engine does. */
export function clampTypingExpire(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return DEFAULT_TYPING_EXPIRE_MS;
  return Math.min(6000, Math.max(2000, ms));
}

interface Typer {
  readonly user: TypingUser;
  /** `checks` when it was refreshed. */
  readonly check: number;
}

interface TypingEntry {
  readonly conversationType: number;
  readonly targetId: string;
  readonly users: Map<string, Typer>;
}

export class TypingTracker {
  private readonly conversations = new Map<string, TypingEntry>();
  private timer: TimerId | undefined;
  /** Expiry checks run so far. */
  private checks = 0;

  constructor(
    private readonly clock: Clock,
    private readonly expireMs: number,
    private readonly onChanged: (changed: TypingConversation[]) => void,
  ) {}

  onTyping(message: ImMessage): void {
    const key = `${message.conversationType}#${message.targetId}`;
    let entry = this.conversations.get(key);
    if (!entry) {
      entry = { conversationType: message.conversationType, targetId: message.targetId, users: new Map() };
      this.conversations.set(key, entry);
    }
    const typing = message.content?.['typingContentType'];
    const messageType = typeof typing === 'string' ? typing : '';
    // A repeat of the same user and type only extends it; a new typer or type is appended and reported.
    const changed = entry.users.get(message.senderUserId)?.user.messageType !== messageType;
    if (changed) entry.users.delete(message.senderUserId);
    entry.users.set(message.senderUserId, { user: { userId: message.senderUserId, timestamp: this.clock.now(), messageType }, check: this.checks });
    if (changed) this.onChanged([this.view(entry)]);
    this.ensureTimer();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.conversations.clear();
  }

  private view(entry: TypingEntry): TypingConversation {
    return { conversationType: entry.conversationType, targetId: entry.targetId, channelId: '', list: [...entry.users.values()].map((t) => t.user) };
  }

  private ensureTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, TYPING_CHECK_MS);
  }

  private expire(): void {
    const now = this.clock.now();
    const checks = ++this.checks;
    const changed: TypingConversation[] = [];
    for (const [key, entry] of this.conversations) {
      let removed = false;
      for (const [userId, typer] of entry.users) {
        // By the device clock, or by the checks since the refresh when that clock was set back.
        if (now - typer.user.timestamp >= this.expireMs || (checks - typer.check) * TYPING_CHECK_MS > this.expireMs) {
          entry.users.delete(userId);
          removed = true;
        }
      }
      if (removed) changed.push(this.view(entry));
      if (entry.users.size === 0) this.conversations.delete(key);
    }
    if (changed.length > 0) this.onChanged(changed);
    if (this.conversations.size > 0) this.ensureTimer();
  }
}
