/**
 * The cross-node half of a per-node, per-app cache of store data (sensitive words, user lists, chat bans): a
 * change made on one node drops the copies every other node keeps, through one broker topic per app and cache.
 *
 * Invariants (each cache relies on them):
 * - a node subscribes to an app's topic before its first read of that app's data (`watch`, awaited before the
 *   read), so a change published after that read is seen; a failed subscribe is logged and retried by the next
 *   read;
 * - every drop, local or remote, bumps `generation`: a load that started before one answers its caller but is
 *   not cached;
 * - the broker is at-most-once, so a wake-up may be lost: each cache bounds staleness with its own TTL;
 * - `publish` never rejects (a failed publish is logged; the TTL bounds it) and settles once the broker took the
 *   message, so a Server API change answers after the other nodes were told.
 */
import type { Broker, BrokerTopic } from '../broker/broker';
import type { ServerContext } from '../context';

export class AppInvalidation {
  private readonly watched = new Map<string, Promise<void>>();
  private drops = 0;

  /**
   * @param topicOf the app's topic for this cache
   * @param label   names the cache in log lines
   * @param onDrop  drops the app's cached data (`payload`: what the publisher sent, e.g. one owner's id)
   */
  constructor(
    private readonly ctx: ServerContext,
    private readonly broker: Broker | undefined,
    private readonly topicOf: (appKey: string) => BrokerTopic,
    private readonly label: string,
    private readonly onDrop: (appKey: string, payload: Uint8Array) => void,
  ) {}

  /** Changes with every drop: compare it before and after a load to know whether the load may be cached. */
  get generation(): number {
    return this.drops;
  }

  /** Drops on this node now (the change was made here, or another node said so). */
  drop(appKey: string, payload: Uint8Array = EMPTY): void {
    this.drops++;
    this.onDrop(appKey, payload);
  }

  /** Subscribes to the app's topic once; await it before the first read of the app's data. */
  watch(appKey: string): Promise<void> {
    if (this.broker === undefined) return Promise.resolve();
    let watching = this.watched.get(appKey);
    if (watching === undefined) {
      watching = this.broker.subscribe(this.topicOf(appKey), (payload) => this.drop(appKey, payload)).then(
        () => undefined,
        (error: unknown) => {
          this.watched.delete(appKey);
          this.ctx.log.warn(`${this.label}: subscribe failed`, { error: String(error) });
        },
      );
      this.watched.set(appKey, watching);
    }
    return watching;
  }

  /** The app's data changed (after the store write): dropped here at once, then on every other node. */
  async changed(appKey: string, payload: Uint8Array = EMPTY): Promise<void> {
    this.drop(appKey, payload);
    if (this.broker === undefined) return;
    try {
      await this.broker.publish(this.topicOf(appKey), payload);
    } catch (error) {
      this.ctx.log.warn(`${this.label}: invalidation publish failed`, { error: String(error) });
    }
  }
}

const EMPTY = new Uint8Array(0);
