/** A chatroom: joined on open, left on close; shows what is said while you are in. */
const { chatPage } = require('../../utils/chat-page');
const im = require('../../utils/im');

Page(
  chatPage({
    type: im.ConversationType.CHATROOM,
    history: false,
    onEnter: (chatroomId) => im.joinChatroom(chatroomId),
    onLeave: (chatroomId) => im.quitChatroom(chatroomId),
  }),
);
