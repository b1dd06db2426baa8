/**
 * One chat page definition for private chats, groups and chatrooms: history (not for chatrooms),
 * incoming messages of this conversation, unread cleared while the page is open, text and image
 * sending. Page methods return promises so the demo's Node test can wait for them.
 */
const im = require('./im');

function view(message) {
  return {
    id: message.messageUId || String(message.messageId),
    mine: message.senderUserId === im.currentUserId(),
    sender: message.senderUserId,
    text: im.preview(message),
    image: message.messageType === 'ImageMessage' ? message.content.imageUri : '',
  };
}

function chatPage(options) {
  return {
    data: { type: options.type, targetId: '', messages: [], draft: '', progress: 0 },

    onLoad(query) {
      const type = options.type || Number(query.type);
      this.setData({ type, targetId: query.targetId });
      wx.setNavigationBarTitle({ title: query.targetId });
      this.offMessage = im.on('message', (message) => {
        if (message.conversationType !== type || message.targetId !== query.targetId) return;
        this.append(message);
        if (options.history !== false) im.clearUnread(type, query.targetId);
      });
      return this.open();
    },

    onUnload() {
      if (this.offMessage) this.offMessage();
      // Leaving may fail (the session already ended): nothing to tell the user then.
      if (options.onLeave) Promise.resolve(options.onLeave(this.data.targetId)).catch(() => undefined);
    },

    open() {
      const { type, targetId } = this.data;
      if (options.onEnter) return options.onEnter(targetId);
      return im.history(type, targetId).then((list) => {
        this.setData({ messages: list.map(view) });
        return im.clearUnread(type, targetId);
      });
    },

    append(message) {
      const item = view(message);
      if (this.data.messages.some((m) => m.id === item.id)) return;
      this.setData({ messages: this.data.messages.concat(item) });
    },

    onDraft(event) {
      this.setData({ draft: event.detail.value });
    },

    send() {
      const text = this.data.draft.trim();
      if (text === '') return Promise.resolve();
      return im.sendText(this.data.type, this.data.targetId, text).then((message) => {
        this.setData({ draft: '' });
        this.append(message);
      });
    },

    chooseImage() {
      return new Promise((resolve, reject) =>
        wx.chooseMedia({ count: 1, mediaType: ['image'], success: (res) => resolve(res.tempFiles[0].tempFilePath), fail: reject }),
      )
        .then((path) => im.sendImage(this.data.type, this.data.targetId, path, (loaded, total) => this.setData({ progress: Math.round((100 * loaded) / total) })))
        .then((message) => this.append(message));
    },
  };
}

module.exports = { chatPage };
