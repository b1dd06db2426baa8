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

/**
 * What differs between conversation types: who may send, who receives, how it is stored. Private,
 * group and chatroom conversations each register one; a type without one is refused with the
 * "not a member" code of that type.
 */
export interface ConversationKind {
  send(request: SendRequest): Promise<SendAck>;
  /** Users besides the original sender who must learn about a recall of `message`. */
  recallRecipients(message: StoredMessage): Promise<readonly string[]>;
}

export type ConversationKinds = ReadonlyMap<number, ConversationKind>;
