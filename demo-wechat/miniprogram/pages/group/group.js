/** A group chat: history, unread cleared while open, text and images (members come from your app server). */
const { chatPage } = require('../../utils/chat-page');
const im = require('../../utils/im');

Page(chatPage({ type: im.ConversationType.GROUP }));
