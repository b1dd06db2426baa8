/**
 * Everything the services remember about one signed-in user: sync cursors, the dedupe uid set,
 * unread counts and conversation statuses (persisted per appKey+user), plus the in-memory-only
 * drafts and latest-message cache. A new user gets a new session, so nothing of the previous user
 * is visible after a switch (seed 2.9.8 / 2.10.3 / 5.7.3 fixes).
 */
import type { Clock, KeyValueStorage } from '../../platform/platform-adapter';
import { ConversationStatusStore } from './conversation-status-store';
import type { ImMessage } from './im-message';
import { ReadPositionState } from './read-position-sync';
import { ReceiptStore, receiptTtlMs } from './receipt-store';
import { RecentUids } from './recent-uids';
import { TagStore } from './tag-store';
import type { Logger } from '../logger';
import { UnreadStore } from './unread-store';
import { isArray, isNumber, storedTime, UserStore, WRITE_BEHIND_MS } from './user-store';

/** How far past the server's time at the connect a stored server time may be (bursts run the server's clocks ahead). */
export const STORED_TIME_SLACK_MS = 3_600_000;

export interface UserSessionOptions {
  readonly storage: KeyValueStorage;
  readonly appKey: string;
  readonly userId: string;
  readonly logger: Logger;
  /** With it, storage writes are write-behind (WRITE_BEHIND_MS, user-store.ts). */
  readonly clock?: Clock;
  /** How long a group read receipt is kept (init `readReceiptTimeout`, default one day). */
  readonly receiptTtl?: number;
  /** Stored server times past it (cursors, read times, versions) are read as none (user-store.ts storedTime). */
  readonly notAfter?: number;
}

export class UserSession {
  readonly seen = new RecentUids();
  readonly unread: UnreadStore;
  readonly statuses: ConversationStatusStore;
  /** Tag definitions and conversation tags (tag-store.ts). */
  readonly tags: TagStore;
  /** The server read-position version applied and clears not sent yet (read-position-sync.ts). */
  readonly readPositions: ReadPositionState;
  /** Group read receipts v1: requests to answer, responses counted (receipt-store.ts). */
  readonly receipts: ReceiptStore;
  /** Drafts live in memory only (seed L1583): lost on reload, invisible to the next user. */
  readonly drafts = new Map<string, string>();
  /** Newest persisted message per conversation seen locally (send, receive), newest wins over the server's. */
  readonly latest = new Map<string, ImMessage>();
  /** Pull cursors: every entry up to these times was delivered. Only pull pages move them (sync.ts). */
  inbox = 0;
  sendbox = 0;

  private constructor(readonly store: UserStore, receiptTtl: number, now: () => number) {
    this.unread = new UnreadStore(store);
    this.statuses = new ConversationStatusStore(store);
    this.tags = new TagStore(store);
    this.readPositions = new ReadPositionState(store);
    this.receipts = new ReceiptStore(store, receiptTtl, now);
  }

  get userId(): string {
    return this.store.userId;
  }

  /** Loads the user's stored state. */
  static async open(options: UserSessionOptions): Promise<UserSession> {
    const { clock } = options;
    const notAfter = options.notAfter ?? Number.POSITIVE_INFINITY;
    const store = new UserStore(options.storage, options.appKey, options.userId, options.logger, clock, clock === undefined ? 0 : WRITE_BEHIND_MS);
    const session = new UserSession(store, options.receiptTtl ?? receiptTtlMs(undefined), clock === undefined ? Date.now : () => clock.now());
    const [inbox, sendbox, seen] = await Promise.all([
      store.readJson('inbox', 0, isNumber),
      store.readJson('sendbox', 0, isNumber),
      store.readJson<unknown[]>('seen', [], isArray),
      session.unread.load(notAfter),
      session.statuses.load(notAfter),
      session.tags.load(notAfter),
      session.readPositions.load(notAfter),
      session.receipts.load(),
    ]);
    // A cursor ahead of the server (not written by this SDK for this server) would hide every message up to it.
    session.inbox = storedTime(inbox, notAfter);
    session.sendbox = storedTime(sendbox, notAfter);
    session.seen.load(seen);
    return session;
  }

  /** Records a delivered uid; false when it was delivered before. Persisted lazily (serialised when the write starts). */
  markSeen(uid: string): boolean {
    if (uid === '') return true;
    const fresh = this.seen.add(uid);
    if (fresh) void this.store.writeJsonText('seen', this.seenJson);
    return fresh;
  }

  private readonly seenJson = (): string => this.seen.toJson();

  saveCursors(): void {
    void this.store.writeJson('inbox', this.inbox);
    void this.store.writeJson('sendbox', this.sendbox);
  }

  async flush(): Promise<void> {
    await Promise.resolve();
    await this.store.flush();
  }
}
