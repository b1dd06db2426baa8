/**
 * Chatroom fan-out across nodes (issue #11). Every node that has a room loaded subscribes the broker
 * topic `chatroom:<appKey>:<roomId>`; a node that changes the room (new messages, a join or leave, a
 * KV change, destruction) does its own local work and publishes ONE signal on the room topic, and each
 * other node applies it to its own in-memory room state and its own online members. So a room message
 * costs one publish per flush, not one per member, and each node fans out to its members locally.
 *
 * Signals are wake-ups and membership mirrors; the store stays the truth. The broker is at-most-once, so
 * a node re-reads its rooms from the store when a signal may have been lost: every room it has loaded once
 * its broker subscriptions are back after a lost connection (`onReconnect`), and a room whose signal it
 * failed to publish is announced to the others with `resync` until that publish goes through. A node
 * ignores its own signals (it did the work before publishing).
 */
import { chatroomTopic, type Broker, type Unsubscribe } from '../broker/broker';

export type RoomSignal =
  /** Messages were appended up to `time`; `senders` are their authors (a sole sender is not woken). */
  | { readonly k: 'notify'; readonly time: number; readonly senders: readonly string[] }
  /** A member joined (with its join time) or left (quit, kick, ban, eviction). */
  | { readonly k: 'member'; readonly userId: string; readonly joined: boolean; readonly joinTime?: number }
  /**
   * KV entries changed up to `time`; `except` is the session that wrote them (it applied the change itself), or ''
   * (a Server API change, a leaving member's auto-delete entries): every other session of the members is woken.
   */
  | { readonly k: 'kv'; readonly time: number; readonly except: string }
  /** The room was destroyed at `time`. */
  | { readonly k: 'destroy'; readonly time: number }
  /** The user whitelist changed (reload it from the store). */
  | { readonly k: 'whitelist' }
  /**
   * Pages cached from the store may hold messages that are gone: one was recalled (`uid`), or the room's history
   * was cleared up to a time (no `uid`). Either way every kept page of the room is dropped.
   */
  | { readonly k: 'recall'; readonly uid?: string }
  /** A signal of the room could not be published: re-read the room from the store. */
  | { readonly k: 'resync' };

interface Envelope {
  /** Origin node. */
  readonly o: string;
  readonly s: RoomSignal;
}

export type RoomSignalHandler = (appKey: string, roomId: string, signal: RoomSignal) => void;

/** Longest a room load waits for its topic subscription. */
const WATCH_WAIT_MS = 2000;
/** How often the `resync` of rooms whose signal could not be published is tried again. */
export const RESYNC_RETRY_MS = 1000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function key(appKey: string, roomId: string): string {
  return `${appKey}\u0000${roomId}`;
}

export class RoomRelay {
  private readonly watched = new Map<string, Promise<Unsubscribe>>();
  /** Rooms whose last signal could not be published: the others are told `resync` once the broker takes it. */
  private readonly unsent = new Map<string, { readonly appKey: string; readonly roomId: string }>();
  private retry: NodeJS.Timeout | undefined;
  private readonly stopReconnect: () => void;
  private closed = false;

  /** `onReconnect`: this node's subscriptions are back after a lost broker connection (signals may be lost). */
  constructor(
    private readonly nodeId: string,
    private readonly broker: Broker,
    private readonly onSignal: RoomSignalHandler,
    private readonly onError: (error: unknown, context: string) => void,
    onReconnect: () => void = () => undefined,
  ) {
    this.stopReconnect = broker.onReconnect?.(() => {
      if (this.closed) return;
      onReconnect();
      this.sendResyncs();
    }) ?? (() => undefined);
  }

  /** Subscribes the room topic (idempotent); resolves once signals of other nodes arrive. */
  async watch(appKey: string, roomId: string): Promise<void> {
    if (this.closed) return;
    const k = key(appKey, roomId);
    let sub = this.watched.get(k);
    if (sub === undefined) {
      sub = this.broker.subscribe(chatroomTopic(appKey, roomId), (bytes) => this.receive(appKey, roomId, bytes));
      this.watched.set(k, sub);
      sub.catch((error: unknown) => {
        if (this.watched.get(k) === sub) this.watched.delete(k);
        this.onError(error, 'chatroom subscribe');
      });
    }
    // A broker outage must not hold up joins and pulls on this node: after WATCH_WAIT_MS the room is
    // served locally and the subscription completes whenever the broker is back (signals meanwhile
    // are lost, like any pub/sub message during an outage).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([sub.then(() => undefined, () => undefined), new Promise<void>((resolve) => {
      timer = setTimeout(resolve, WATCH_WAIT_MS);
      timer.unref();
    })]);
    clearTimeout(timer);
  }

  /** Stops receiving the room's signals (room destroyed or unloaded here). */
  async unwatch(appKey: string, roomId: string): Promise<void> {
    const k = key(appKey, roomId);
    const sub = this.watched.get(k);
    if (sub === undefined) return;
    this.watched.delete(k);
    await sub.then((unsubscribe) => unsubscribe()).catch((error: unknown) => this.onError(error, 'chatroom unsubscribe'));
  }

  /**
   * Tells the other nodes serving the room; fire and forget (failures are reported, never thrown). A signal that
   * cannot be published is replaced by a `resync` of the room, tried every RESYNC_RETRY_MS until it goes out.
   */
  publish(appKey: string, roomId: string, signal: RoomSignal): void {
    if (this.closed) return;
    const envelope: Envelope = { o: this.nodeId, s: signal };
    this.broker.publish(chatroomTopic(appKey, roomId), encoder.encode(JSON.stringify(envelope))).catch((error: unknown) => {
      this.onError(error, 'chatroom publish');
      this.unsent.set(key(appKey, roomId), { appKey, roomId });
      this.scheduleResyncs();
    });
  }

  /** Rooms watched on this node. */
  get size(): number {
    return this.watched.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopReconnect();
    clearTimeout(this.retry);
    this.unsent.clear();
    const subs = [...this.watched.values()];
    this.watched.clear();
    await Promise.all(subs.map((sub) => sub.then((unsubscribe) => unsubscribe()).catch(() => undefined)));
  }

  private scheduleResyncs(): void {
    if (this.retry !== undefined || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.sendResyncs();
    }, RESYNC_RETRY_MS);
    this.retry.unref();
  }

  /** Publishes `resync` for every room whose signal was lost here; those that fail again stay for the next try. */
  private sendResyncs(): void {
    if (this.closed) return;
    const envelope = encoder.encode(JSON.stringify({ o: this.nodeId, s: { k: 'resync' } } satisfies Envelope));
    for (const [k, { appKey, roomId }] of [...this.unsent]) {
      this.unsent.delete(k);
      this.broker.publish(chatroomTopic(appKey, roomId), envelope).catch(() => {
        if (this.closed) return;
        if (!this.unsent.has(k)) this.unsent.set(k, { appKey, roomId });
        this.scheduleResyncs();
      });
    }
  }

  private receive(appKey: string, roomId: string, bytes: Uint8Array): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(decoder.decode(bytes)) as Envelope;
    } catch (error) {
      this.onError(error, 'chatroom signal decode');
      return;
    }
    if (envelope.o === this.nodeId || this.closed) return;
    try {
      this.onSignal(appKey, roomId, envelope.s);
    } catch (error) {
      this.onError(error, 'chatroom signal');
    }
  }
}
