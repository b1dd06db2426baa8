/** Events the services emit towards the facade (src/api), which turns them into listener calls. */
import type { ConversationStatus } from './conversation-status-store';
import type { ImMessage } from './im-message';
import type { TypingConversation } from './typing-tracker';

export interface ReceivedEvent {
  readonly message: ImMessage;
  /** Messages still to come in the same pullMsg page. */
  readonly leftCount: number;
  /** More messages follow (this page or a further page). */
  readonly hasMore: boolean;
}

export interface ServiceEvents {
  message: ReceivedEvent;
  typing: TypingConversation[];
  /** The connection's offline-message sync finished (once per connection). */
  offlineFinished: void;
  /** Another device changed top/DND of these conversations. */
  conversationStatus: ConversationStatus[];
  expansionUpdated: { readonly messageUId: string; readonly expansion: Record<string, string> };
  expansionDeleted: { readonly messageUId: string; readonly deletedKeys: string[] };
  /** Another device created, renamed or removed tags (setTagListener). */
  tags: void;
  /** Another device changed which conversations carry which tags (setConversationTagListener). */
  conversationTags: void;
}
