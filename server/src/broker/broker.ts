/**
 * Cross-node pub/sub (STYLE.md §9.6). The broker only moves bytes: routing, kicks and fan-out
 * live once in gateway/ and services/, so every engine behaves the same.
 *
 * Guarantees every engine must give (checked by `broker.contract.ts`):
 * - at-most-once: a message may be lost (durability comes from the Store, notify-then-sync);
 * - a subscription is active once `subscribe` resolves, and receives nothing once its
 *   unsubscribe resolves;
 * - messages published on one topic by one publisher reach a subscriber in publish order;
 * - every subscriber of a topic gets its own copy (mutating it does not affect others);
 * - a throwing `onMessage` does not break delivery to other subscribers or later messages.
 */
export type BrokerTopic =
  /** All sessions of one user, on any node: `user:<appKey>:<userId>`. */
  | `user:${string}`
  | `chatroom:${string}`
  /** One node: targeted commands (comet forwarding, admin). */
  | `node:${string}`
  /** Every node serving an app: its per-node caches of app settings are stale (`app:<appKey>`). */
  | `app:${string}`;

export type Unsubscribe = () => Promise<void>;

export interface Broker {
  /**
   * Resolves with how many subscribers the message reached (Redis: subscribed connections, i.e. nodes;
   * in-memory: subscriptions). 0 means nobody listens on the topic right now.
   */
  publish(topic: BrokerTopic, payload: Uint8Array): Promise<number>;
  subscribe(topic: BrokerTopic, onMessage: (payload: Uint8Array) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
  /**
   * Whether the engine can move messages right now (Redis: both connections ready). Absent = always
   * (in-memory). `/readyz` reports a node whose broker is down as not ready.
   */
  healthy?(): boolean;
  /**
   * Whether `topic` currently has exactly one subscriber and it lives in this process (in-memory engine):
   * that subscriber may then hand its own events to itself without the broker round trip (Hub.toUser).
   * Absent = never (a network broker cannot know who else listens).
   */
  soleLocalSubscriber?(topic: BrokerTopic): boolean;
  /**
   * `listener` runs each time the engine's subscriptions come back after its connection was lost (Redis
   * restarted, network cut): every subscription is active again, and messages published meanwhile may be
   * lost. Services mirroring state through the broker re-read it from the Store then. Absent = never
   * (in-memory). Returns the function that removes the listener.
   */
  onReconnect?(listener: () => void): () => void;
}

export function userTopic(appKey: string, userId: string): BrokerTopic {
  return `user:${appKey}:${userId}`;
}

export function nodeTopic(nodeId: string): BrokerTopic {
  return `node:${nodeId}`;
}

/** One room, on every node that serves members of it: `chatroom:<appKey>:<roomId>`. */
export function chatroomTopic(appKey: string, roomId: string): BrokerTopic {
  return `chatroom:${appKey}:${roomId}`;
}

/**
 * Every node that caches settings of the app: a change made through one node's Server API (sensitive
 * words…) is published here so the others drop their copy at once instead of after their cache time.
 */
export function appTopic(appKey: string): BrokerTopic {
  return `app:${appKey}`;
}

/** The family of a topic (bounded label for metrics). */
export function topicKind(topic: string): 'user' | 'chatroom' | 'node' | 'app' | 'other' {
  const colon = topic.indexOf(':');
  const head = colon < 0 ? topic : topic.slice(0, colon);
  return head === 'user' || head === 'chatroom' || head === 'node' || head === 'app' ? head : 'other';
}
