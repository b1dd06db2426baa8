/**
 * A chatroom: joined on open, left on close; shows what is said while you are in, and how many
 * members the room has (on join and on Refresh).
 */
const { chatPage } = require('../../utils/chat-page');
const im = require('../../utils/im');

const page = chatPage({
  type: im.ConversationType.CHATROOM,
  history: false,
  onEnter: (chatroomId) => im.joinChatroom(chatroomId),
  onLeave: (chatroomId) => im.quitChatroom(chatroomId),
});

Page(
  Object.assign({}, page, {
    data: Object.assign({}, page.data, { members: 0 }),

    open() {
      return page.open.call(this).then(() => this.refreshMembers());
    },

    /** The member count from the server (getChatRoomInfo); it stays as it was if that fails. */
    refreshMembers() {
      return im.chatroomMembers(this.data.targetId).then(
        (members) => this.setData({ members }),
        () => undefined,
      );
    },
  }),
);
