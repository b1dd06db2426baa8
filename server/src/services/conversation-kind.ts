import type { PublishFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { StoredMessage } from '../store/store';
import type { UpStream } from './send-handlers';

/** One client send, already decoded and validated (topic known, target well-formed, content size ok). */
export interface SendRequest {
  readonly port: SessionPort;
  readonly frame: PublishFrame;
  readonly up: UpStream;
  /** The conversation type the topic addresses. */
  readonly conversationType: number;
  /** A status topic (`ppMsgS`/`pgMsgS`/`chatMsgS`): delivered to online sessions only, never stored or echoed. */
  readonly statusTopic: boolean;
}

export interface SendAck {
  readonly status: number;
  readonly sentTime?: number;
  readonly messageUId?: string;
}

/** A recall of a message kept outside the message store (chatroom timelines), already parsed from its `RC:RcCmd`. */
export interface KindRecallRequest {
  readonly appKey: string;
  /** Who recalls: must be the sender unless `asAdmin`. */
  readonly by: string;
  /** The conversation the command names (the room id for a chatroom). */
  readonly targetId: string;
  readonly messageUId: string;
  /** The `RC:RcCmd` content, stored and delivered as it came. */
  readonly content: Uint8Array;
  /** Server API with `isAdmin`: no sender and no window check. */
  readonly asAdmin: boolean;
  /** The app's recall window (ms) when one applies. */
  readonly recallWindowMs?: number;
  /** The sender's own devices get the `RC:RcCmd` too (a Server API recall: none of them made it). */
  readonly includeSender: boolean;
}

/**
 * What differs between conversation types: who may send, who receives, how it is stored. Private,
 * group and chatroom conversations each register one; a type without one is refused with the
 * "not a member" code of that type.
 */
export interface ConversationKind {
  send(request: SendRequest): Promise<SendAck>;
  /** Users besides the original sender who must learn about a recall of `message`. */
  recallRecipients(message: StoredMessage): Promise<readonly string[]>;
  /** Kinds whose messages live outside the message store recall them themselves (recall.ts routes by type). */
  recall?(request: KindRecallRequest): Promise<SendAck>;
}

export type ConversationKinds = ReadonlyMap<number, ConversationKind>;
