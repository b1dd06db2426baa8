/**
 * Unread counts that agree across devices (issue #7, a Lianxin addition; docs/PROTOCOL-NOTES.md). The server
 * keeps, per user and conversation, up to when the user has read (`lxReadPos`); this module
 * - tells the server when this device clears (`clearUnreadCount` → the conversation, `clearAllUnreadCount` →
 *   everything), with read time 0 = "everything the server already had" (the app's newest stored sentTime,
 *   never a clock reading: a message stored right after the clear stays unread), so messages the server had
 *   are read even if this device has not pulled them yet;
 * - pulls the positions changed since the last version it applied — on every connect, after its own clears and
 *   when the server says they moved (`s_cmd` type 100) — and lowers the local counts to match.
 * Positions only ever lower counts, so the local bookkeeping rules (what counts, recalls, @) stay as they are.
 * A clear that cannot reach the server is kept and sent with the next reconcile, read up to the newest message
 * this device had counted there — not a time estimate, which would mark read what arrived after the clear
 * (and what the user never saw). The official clients never send `lxReadPos`; they keep their local counts.
 */
import { decodeByName, encodeByName } from '../../protocol/messages';
import type { rc } from '../../protocol/messages';
import { ErrorCode, SdkError } from '../../errors';
import type { Logger } from '../logger';
import type { ServiceEngine } from './engine-port';
import type { UserStore } from './user-store';
import { isRecord, storedTime } from './user-store';
import type { UserSession } from './user-session';

/** s_cmd NotifyMsg type the server sends when the user's read positions moved. */
export const READ_POSITIONS_CHANGED = 100;
const MAX_PAGES = 20;
const MAX_PENDING = 1000;

interface PendingItem {
  readonly type: number;
  readonly targetId: string;
  readonly readTime: number;
}

interface Persisted {
  version: number;
  pending: PendingItem[];
  pendingAll: number;
}

function isPersisted(value: unknown): value is Persisted {
  return isRecord(value) && typeof value['version'] === 'number' && Array.isArray(value['pending']) && typeof value['pendingAll'] === 'number';
}

/** What this device knows of its server-side read positions: the version applied, clears not yet sent. */
export class ReadPositionState {
  version = 0;
  pending: PendingItem[] = [];
  /** A clearAll not yet sent (read up to the newest message this device had counted), 0 = none. */
  pendingAll = 0;

  constructor(private readonly store: UserStore) {}

  /** `notAfter`: a version past it is read as none (user-store.ts storedTime): every position is pulled again. */
  async load(notAfter = Number.POSITIVE_INFINITY): Promise<void> {
    const saved = await this.store.readJson<Persisted>('read-positions', { version: 0, pending: [], pendingAll: 0 }, isPersisted);
    this.version = storedTime(saved.version, notAfter);
    // An item the server would refuse (no conversation type: an older layout) would fail every later exchange.
    this.pending = saved.pending.filter(
      (p) => isRecord(p) && Number.isInteger(p.type) && p.type > 0 && typeof p.targetId === 'string' && p.targetId !== '' && typeof p.readTime === 'number',
    );
    this.pendingAll = saved.pendingAll;
  }

  persist(): void {
    void this.store.writeJson('read-positions', { version: this.version, pending: this.pending, pendingAll: this.pendingAll });
  }
}

export interface ReadChange {
  /**
   * Conversations this device cleared: read up to what the server already had; `upTo` = what this device had
   * counted (the local clear's result), kept instead when the server cannot be reached (0: nothing to keep).
   */
  readonly items?: ReadonlyArray<{ readonly type: number; readonly targetId: string; readonly upTo: number }>;
  /** Everything is read (clearAllUnreadCount); `upTo` as for `items`, the newest message this device had counted. */
  readonly clearAll?: { readonly upTo: number };
}

export class ReadPositionSync {
  /** One exchange at a time per session: each starts from the version the previous one stored. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: ServiceEngine,
    private readonly logger: Logger,
  ) {}

  /**
   * Sends `change` (if any) plus pending clears and applies every position changed since the stored version.
   * Rejects when the server could not be reached; the change is then kept as pending.
   */
  sync(session: UserSession, change: ReadChange = {}): Promise<void> {
    const run = this.chain.then(() => this.exchange(session, change));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** `sync` for background triggers (connect, s_cmd): failures are logged, never thrown. */
  reconcile(session: UserSession): void {
    this.sync(session).catch((error: unknown) => this.logger.warn('read position reconcile failed', error));
  }

  private async exchange(session: UserSession, change: ReadChange): Promise<void> {
    const state = session.readPositions;
    const items: rc.IReadPositionItem[] = [
      ...state.pending.map((p) => ({ type: p.type, targetId: p.targetId, readTime: p.readTime })),
      ...(change.items ?? []).map((i) => ({ type: i.type, targetId: i.targetId, readTime: 0 })),
    ];
    let output: rc.ReadPositionOutput;
    try {
      output = await this.query(session, state.version, items, change.clearAll !== undefined, state.pendingAll);
    } catch (error) {
      if (error instanceof SdkError && error.code === ErrorCode.BIZ_ERROR_INVALID_PARAMETER) {
        // Refused as a whole: kept, the same items would be refused at every later exchange.
        this.logger.warn('read positions refused, pending clears dropped', state.pending.length);
        state.pending = [];
        state.pendingAll = 0;
        state.persist();
      } else {
        this.keepPending(session, change);
      }
      throw error;
    }
    state.pending = [];
    state.pendingAll = 0;
    for (let page = 1; ; page += 1) {
      this.apply(session, output);
      if (output.hasMore !== true || page >= MAX_PAGES) break;
      output = await this.query(session, state.version, [], false, 0);
    }
    state.persist();
  }

  private async query(session: UserSession, since: number, items: rc.IReadPositionItem[], clearAll: boolean, floor: number): Promise<rc.ReadPositionOutput> {
    const payload = encodeByName('ReadPositionReq', { since, items, ...(clearAll ? { clearAll: true } : {}), ...(floor > 0 ? { floor } : {}) });
    const ack = await this.engine.query('lxReadPos', session.userId, payload);
    if (ack.status !== 0) throw new SdkError(ack.status);
    return decodeByName('ReadPositionOutput', ack.payload);
  }

  private apply(session: UserSession, output: rc.ReadPositionOutput): void {
    const floor = Number(output.floor ?? 0);
    if (floor > 0) session.unread.clearUpTo(floor);
    for (const item of output.items) {
      const readTime = Number(item.readTime);
      if (readTime > 0) session.unread.clear(Number(item.type), item.targetId, readTime);
    }
    session.readPositions.version = Math.max(session.readPositions.version, Number(output.version));
  }

  private keepPending(session: UserSession, change: ReadChange): void {
    const state = session.readPositions;
    for (const item of change.items ?? []) {
      if (item.upTo > 0) state.pending.push({ type: item.type, targetId: item.targetId, readTime: item.upTo });
    }
    if (state.pending.length > MAX_PENDING) state.pending.splice(0, state.pending.length - MAX_PENDING);
    if (change.clearAll !== undefined) state.pendingAll = Math.max(state.pendingAll, change.clearAll.upTo);
    state.persist();
  }
}
