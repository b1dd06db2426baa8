/** A private chat; the conversation type and target come from the list (`?type=1&targetId=…`). */
const { chatPage } = require('../../utils/chat-page');

Page(chatPage({}));
