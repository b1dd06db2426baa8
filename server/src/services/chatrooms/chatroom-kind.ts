import type { ConversationKind } from '../conversation-kind';
import { optionalFields } from '../send-handlers';
import type { ChatroomService } from './chatroom-service';

/**
 * CHATROOM (4) sends: not in anyone's inbox, no sendbox entry and no multi-device echo — the message goes to
 * the room timeline and members online pull it (chatroom-service.ts). Status topics are sent unstored by
 * other kinds; in a room everything is on the timeline, flagged 0 so it never shows in history.
 */
export function chatroomConversationKind(rooms: ChatroomService): ConversationKind {
  return {
    async send({ port, frame, up, statusTopic }) {
      const { configFlag, pushContent, extraContent } = optionalFields(up);
      return rooms.send(
        {
          appKey: port.info.appKey,
          roomId: frame.targetId,
          fromUserId: port.info.userId,
          objectName: up.classname,
          content: up.content,
          flags: statusTopic ? 0 : up.sessionId,
          ...(configFlag !== undefined ? { configFlag } : {}),
          ...(pushContent !== undefined ? { pushContent } : {}),
          ...(extraContent !== undefined ? { extraContent } : {}),
        },
        'client',
      );
    },
    // Room messages live outside the message store: recalled on the room timeline (recall below), never through it.
    async recallRecipients() {
      return [];
    },
    recall(request) {
      return rooms.recall({
        appKey: request.appKey,
        roomId: request.targetId,
        uid: request.messageUId,
        by: request.by,
        asAdmin: request.asAdmin,
        content: request.content,
        includeSender: request.includeSender,
        ...(request.recallWindowMs !== undefined ? { recallWindowMs: request.recallWindowMs } : {}),
      });
    },
  };
}
