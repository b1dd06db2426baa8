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
import { isArray, isNumber, UserStore, WRITE_BEHIND_MS } from './user-store';

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

  /**
   * With `clock`, storage writes are write-behind (WRITE_BEHIND_MS, user-store.ts). `receiptTtl`: how long a
   * group read receipt is kept (init `readReceiptTimeout`, default one day).
   */
  static async open(storage: KeyValueStorage, appKey: string, userId: string, logger: Logger, clock?: Clock, receiptTtl = receiptTtlMs(undefined)): Promise<UserSession> {
    const store = new UserStore(storage, appKey, userId, logger, clock, clock === undefined ? 0 : WRITE_BEHIND_MS);
    const session = new UserSession(store, receiptTtl, clock === undefined ? Date.now : () => clock.now());
    const [inbox, sendbox, seen] = await Promise.all([
      store.readJson('inbox', 0, isNumber),
      store.readJson('sendbox', 0, isNumber),
      store.readJson<unknown[]>('seen', [], isArray),
      session.unread.load(),
      session.statuses.load(),
      session.tags.load(),
      session.readPositions.load(),
      session.receipts.load(),
    ]);
    session.inbox = inbox;
    session.sendbox = sendbox;
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
