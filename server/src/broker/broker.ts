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
  | `node:${string}`;

export type Unsubscribe = () => Promise<void>;

export interface Broker {
  publish(topic: BrokerTopic, payload: Uint8Array): Promise<void>;
  subscribe(topic: BrokerTopic, onMessage: (payload: Uint8Array) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
}

export function userTopic(appKey: string, userId: string): BrokerTopic {
  return `user:${appKey}:${userId}`;
}

export function nodeTopic(nodeId: string): BrokerTopic {
  return `node:${nodeId}`;
}
