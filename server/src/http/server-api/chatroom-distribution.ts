/**
 * `chatroom/message/stopDistribution` / `resumeDistribution` (SERVER_API.md §2.4; rongcloud-sdk
 * `Chatroom.Distribute.stop` / `resume`): `chatroomId` of an existing room → `{code:200}`. What "stopped" means
 * for members and for the App Server is in services/chatroom-distribution.ts.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ChatroomDistribution } from '../../services/chatroom-distribution';
import { chatroomId } from './chatroom';
import type { ServerApiHandler, ServerApiModule } from './index';

export function chatroomDistributionRoutes(distribution: ChatroomDistribution): ServerApiModule {
  return (ctx) => {
    const toggle = (stopped: boolean): ServerApiHandler => ({ app, params }) => {
      const roomId = chatroomId(params);
      return async () => {
        if ((await ctx.store.chatrooms.get(app.appKey, roomId)) === undefined) throw apiError(ServerApiErrors.badParameter, `chatroom ${roomId} does not exist`);
        await distribution.set(app.appKey, roomId, stopped);
      };
    };
    return {
      'chatroom/message/stopDistribution': toggle(true),
      'chatroom/message/resumeDistribution': toggle(false),
    };
  };
}
