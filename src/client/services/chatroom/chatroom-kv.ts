/**
 * Chatroom KV attributes on the wire (PROTOCOL.md §6.4, §7.6, §8.8): `setKV` / `delKV` with
 * `SetChrmKV` (status bits 1 auto-delete, 2 overwrite, 4 delete; an optional `RC:chrmKVNotiMsg` the
 * server broadcasts to the room), and incremental `pullKV` from the room's KV sync time into the local
 * cache, one pull per room at a time. A notification (`s_cmd` type 2) older than what the cache
 * already holds is skipped, as the official engine does.
 */
import { encodeUtf8 } from '../../../codec/utf8';
import { SdkError } from '../../../errors';
import { decodeByName, encodeByName } from '../../../protocol/messages';
import type { MessageInit } from '../../../protocol/messages';
import type { Logger } from '../../logger';
import type { ServiceEngine } from '../engine-port';
import { ChatroomKvCache, KvChangeType, KvStatus } from './chatroom-kv-cache';
import type { KvChange, KvEntry } from './chatroom-kv-cache';

export const KV_NOTIFY_OBJECT_NAME = 'RC:chrmKVNotiMsg';
export const MAX_KV_KEY_CHARS = 128;
export const MAX_KV_VALUE_CHARS = 4096;
const KEY_PATTERN = /^[A-Za-z0-9+=_-]+$/;
const CHATROOM = 4;

/** Key 1–128 characters of `[A-Za-z0-9+=\-_]` (API_CHECKLIST §3.10). */
export function isValidKvKey(key: unknown): key is string {
  return typeof key === 'string' && key.length >= 1 && key.length <= MAX_KV_KEY_CHARS && KEY_PATTERN.test(key);
}

/** Value 1–4096 characters (counted as code points, as the server counts them). */
export function isValidKvValue(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  return value.length <= MAX_KV_VALUE_CHARS || [...value].length <= MAX_KV_VALUE_CHARS;
}

export interface KvChangeRequest {
  readonly key: string;
  /** Ignored for removals. */
  readonly value: string;
  readonly remove: boolean;
  readonly force: boolean;
  readonly autoDelete: boolean;
  readonly notify: boolean;
  readonly notificationExtra?: string;
}

interface PullState {
  pulling: boolean;
  /** A notification arrived during the pull: pull again afterwards. */
  again: boolean;
}

export class ChatroomKv {
  private readonly caches = new Map<string, ChatroomKvCache>();
  private readonly pulls = new Map<string, PullState>();

  constructor(
    private readonly engine: ServiceEngine,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly onChanges: (changes: KvChange[]) => void,
  ) {}

  /** `setKV` / `delKV`; on success the change is applied to the local cache. Rejects with the server's code. */
  async change(roomId: string, request: KvChangeRequest): Promise<void> {
    const me = this.engine.userId;
    let status = 0;
    if (request.autoDelete) status |= KvStatus.AutoDelete;
    if (request.force) status |= KvStatus.Overwrite;
    if (request.remove) status |= KvStatus.Deleted;
    const value = request.remove ? '' : request.value;
    const input: MessageInit<'SetChrmKV'> = { entry: { key: request.key, value, uid: me, status } };
    if (request.notify) {
      const content = { key: request.key, value, extra: request.notificationExtra ?? '', type: request.remove ? KvChangeType.Delete : KvChangeType.Update };
      input.bNotify = true;
      input.notification = { sessionId: 0, classname: KV_NOTIFY_OBJECT_NAME, content: encodeUtf8(JSON.stringify(content)) };
      input.type = CHATROOM;
    }
    const ack = await this.engine.query(request.remove ? 'delKV' : 'setKV', roomId, encodeByName('SetChrmKV', input));
    if (ack.status !== 0) throw new SdkError(ack.status);
    this.cache(roomId).applyOwn({ key: request.key, value, userId: me, status, timestamp: this.now() });
  }

  /**
   * The attributes to read: a joined room's local copy, or — for a room not joined (2.10.0: readable without
   * joining, API_CHECKLIST §3.10) — the server's, pulled whole now and not kept (no copy, no change events).
   */
  async entries(roomId: string, joined: boolean): Promise<ChatroomKvCache | undefined> {
    if (joined) return this.caches.get(roomId);
    const ack = await this.engine.query('pullKV', roomId, encodeByName('QueryChrmKV', { timestamp: 0 }));
    if (ack.status !== 0) throw new SdkError(ack.status);
    const snapshot = new ChatroomKvCache(roomId);
    snapshot.applyPage(pageOf(ack.payload).entries, true);
    return snapshot;
  }

  /** Who set the visible value of `key` according to the cache (batch pre-checks). */
  ownerOf(roomId: string, key: string): string | undefined {
    return this.caches.get(roomId)?.ownerOf(key);
  }

  /**
   * Pulls changes newer than the cache's sync time. `notifiedTime` (from `s_cmd`) lets a pull be
   * skipped when the cache is already past it; 0 pulls unconditionally. Never rejects.
   */
  async pull(roomId: string, notifiedTime = 0): Promise<void> {
    const cache = this.cache(roomId);
    if (notifiedTime > 0 && cache.syncTime > notifiedTime) return;
    let state = this.pulls.get(roomId);
    if (!state) this.pulls.set(roomId, (state = { pulling: false, again: false }));
    if (state.pulling) {
      state.again = true;
      return;
    }
    state.pulling = true;
    try {
      do {
        state.again = false;
        await this.pullOnce(roomId, cache);
      } while (state.again && this.caches.get(roomId) === cache);
    } catch (error) {
      this.logger.warn(`pullKV ${roomId} failed`, error);
    } finally {
      state.pulling = false;
    }
  }

  /** Forgets a room's attributes (quit, eviction, destruction). */
  reset(roomId: string): void {
    this.caches.delete(roomId);
    this.pulls.delete(roomId);
  }

  resetAll(): void {
    this.caches.clear();
    this.pulls.clear();
  }

  private async pullOnce(roomId: string, cache: ChatroomKvCache): Promise<void> {
    const ack = await this.engine.query('pullKV', roomId, encodeByName('QueryChrmKV', { timestamp: cache.syncTime }));
    // The room was quit meanwhile: its (new) cache must not receive this page.
    if (this.caches.get(roomId) !== cache) return;
    if (ack.status !== 0) {
      this.logger.warn(`pullKV ${roomId} status ${ack.status}`);
      return;
    }
    const page = pageOf(ack.payload);
    const changes = cache.applyPage(page.entries, page.full);
    cache.syncTime = Math.max(cache.syncTime, page.syncTime);
    if (changes.length > 0) this.onChanges(changes);
  }

  private cache(roomId: string): ChatroomKvCache {
    let cache = this.caches.get(roomId);
    if (!cache) this.caches.set(roomId, (cache = new ChatroomKvCache(roomId)));
    return cache;
  }
}

/** A `pullKV` answer (`ChrmKVOutput`). */
function pageOf(payload: Uint8Array): { entries: KvEntry[]; full: boolean; syncTime: number } {
  const out = decodeByName('ChrmKVOutput', payload);
  const entries = out.entries.map((e) => ({
    key: e.key,
    value: e.value,
    userId: e.uid ?? '',
    status: Number(e.status ?? 0),
    timestamp: Number(e.timestamp ?? 0),
  }));
  return { entries, full: out.bFullUpdate === true, syncTime: Number(out.syncTime ?? 0) };
}
