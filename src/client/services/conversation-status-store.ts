/**
 * Top / do-not-disturb state per conversation, synced across devices through `pullSeAtts` and
 * `setSeAtt` (PROTOCOL.md §7.5). `version` is the newest update time pulled (the next SessionReq.time).
 * At most MAX_STATUSES conversations are kept (seed 5.7.2); the least recently updated go first.
 * notificationStatus: 1 = DND on, 2 = DND off (default).
 */
import type { rc } from '../../protocol/messages';
import { conversationKey } from './im-message';
import type { UserStore } from './user-store';
import { isRecord, storedTime } from './user-store';

export const MAX_STATUSES = 1000;
const SILENT = 1;
const TOP = 2;

export interface ConversationStatus {
  readonly conversationType: number;
  readonly targetId: string;
  readonly isTop: boolean;
  readonly notificationStatus: 1 | 2;
  readonly updatedTime: number;
}

interface Persisted {
  version: number;
  items: ConversationStatus[];
}

function isPersisted(value: unknown): value is Persisted {
  return isRecord(value) && typeof value['version'] === 'number' && Array.isArray(value['items']);
}

export class ConversationStatusStore {
  private items = new Map<string, ConversationStatus>();
  private versionValue = 0;

  constructor(private readonly store: UserStore) {}

  get version(): number {
    return this.versionValue;
  }

  /** `notAfter`: a version past it is read as none (user-store.ts storedTime): everything is pulled again. */
  async load(notAfter = Number.POSITIVE_INFINITY): Promise<void> {
    const saved = await this.store.readJson<Persisted>('conversation-status', { version: 0, items: [] }, isPersisted);
    this.versionValue = storedTime(saved.version, notAfter);
    this.items = new Map(saved.items.filter(isRecord).map((item) => [conversationKey(item.conversationType, item.targetId), item]));
  }

  get(conversationType: number, targetId: string): ConversationStatus | undefined {
    return this.items.get(conversationKey(conversationType, targetId));
  }

  isMuted(conversationType: number, targetId: string): boolean {
    return this.get(conversationType, targetId)?.notificationStatus === SILENT;
  }

  /** Applies a local change acknowledged by the server. */
  set(conversationType: number, targetId: string, change: { isTop?: boolean; notificationStatus?: 1 | 2 }, updatedTime: number): ConversationStatus {
    const previous = this.get(conversationType, targetId);
    const next: ConversationStatus = {
      conversationType,
      targetId,
      isTop: change.isTop ?? previous?.isTop ?? false,
      notificationStatus: change.notificationStatus ?? previous?.notificationStatus ?? 2,
      updatedTime,
    };
    this.put(next);
    this.persist();
    return next;
  }

  /** Applies a pulled SessionStates; returns the conversations whose top/DND state changed. */
  applyPulled(states: rc.ISessionStates): ConversationStatus[] {
    const changed: ConversationStatus[] = [];
    for (const state of states.state ?? []) {
      const conversationType = Number(state.type);
      const targetId = state.channelId;
      const previous = this.get(conversationType, targetId);
      let isTop = previous?.isTop ?? false;
      let notificationStatus: 1 | 2 = previous?.notificationStatus ?? 2;
      for (const item of state.stateItem ?? []) {
        if (item.sessionStateType === SILENT) notificationStatus = item.value === '1' ? 1 : 2;
        else if (item.sessionStateType === TOP) isTop = item.value === '1';
      }
      const updatedTime = Number(state.time ?? 0);
      const next: ConversationStatus = { conversationType, targetId, isTop, notificationStatus, updatedTime };
      this.put(next);
      this.versionValue = Math.max(this.versionValue, updatedTime);
      if (!previous || previous.isTop !== isTop || previous.notificationStatus !== notificationStatus) changed.push(next);
    }
    this.versionValue = Math.max(this.versionValue, Number(states.version ?? 0));
    this.persist();
    return changed;
  }

  private put(status: ConversationStatus): void {
    const key = conversationKey(status.conversationType, status.targetId);
    this.items.delete(key);
    this.items.set(key, status);
    while (this.items.size > MAX_STATUSES) {
      const oldest = this.items.keys().next();
      if (oldest.done === true) break;
      this.items.delete(oldest.value);
    }
  }

  private persist(): void {
    void this.store.writeJson('conversation-status', { version: this.versionValue, items: [...this.items.values()] });
  }
}

/** SessionStateModifyReq for one conversation (E4 layout: channelId = targetId, "1"/"0" values). */
export function sessionStateChange(conversationType: number, targetId: string, change: { isTop?: boolean; notificationStatus?: 1 | 2 }, now: number): rc.ISessionStateModifyReq {
  const stateItem: rc.ISessionStateItem[] = [];
  if (change.notificationStatus !== undefined) stateItem.push({ sessionStateType: SILENT, value: change.notificationStatus === 1 ? '1' : '0' });
  if (change.isTop !== undefined) stateItem.push({ sessionStateType: TOP, value: change.isTop ? '1' : '0' });
  return { version: now, state: [{ type: conversationType, channelId: targetId, time: now, stateItem }] };
}
