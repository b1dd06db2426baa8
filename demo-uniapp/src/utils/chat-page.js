/**
 * The page options shared by the chat, group and chatroom pages (each page has its own template):
 * history (not for chatrooms), incoming messages of this conversation, unread cleared while the
 * page is open, text and image sending. Methods return promises so the tests can wait for them.
 */
import * as im from './im';

function view(message) {
  return {
    id: message.messageUId || String(message.messageId),
    mine: message.senderUserId === im.currentUserId(),
    sender: message.senderUserId,
    text: im.preview(message),
    image: message.messageType === 'ImageMessage' ? message.content.imageUri : '',
  };
}

export function chatPage(options) {
  return {
    data() {
      return { type: options.type || 0, targetId: '', messages: [], draft: '', progress: 0, error: '' };
    },

    onLoad(query) {
      this.type = options.type || Number(query.type);
      this.targetId = query.targetId;
      uni.setNavigationBarTitle({ title: query.targetId });
      this.offMessage = im.on('message', (message) => {
        if (message.conversationType !== this.type || message.targetId !== this.targetId) return;
        this.append(message);
        if (options.history !== false) im.clearUnread(this.type, this.targetId);
      });
      this.opened = this.open().catch((error) => {
        this.error = error.message;
      });
    },

    onUnload() {
      if (this.offMessage) this.offMessage();
      // Leaving may fail (the session already ended): nothing to tell the user then.
      if (options.onLeave) Promise.resolve(options.onLeave(this.targetId)).catch(() => undefined);
    },

    methods: {
      open() {
        if (options.onEnter) return options.onEnter(this.targetId);
        return im.history(this.type, this.targetId).then((list) => {
          this.messages = list.map(view);
          return im.clearUnread(this.type, this.targetId);
        });
      },

      append(message) {
        const item = view(message);
        if (this.messages.some((m) => m.id === item.id)) return;
        this.messages.push(item);
      },

      send() {
        const text = this.draft.trim();
        if (text === '') return Promise.resolve();
        return im.sendText(this.type, this.targetId, text).then(
          (message) => {
            this.draft = '';
            this.error = '';
            this.append(message);
          },
          (error) => {
            this.error = error.message;
          },
        );
      },

      chooseImage() {
        return new Promise((resolve, reject) =>
          uni.chooseImage({ count: 1, success: (res) => resolve(res.tempFilePaths[0]), fail: reject }),
        )
          .then((path) => im.sendImage(this.type, this.targetId, path, (loaded, total) => {
            this.progress = Math.round((100 * loaded) / total);
          }))
          .then((message) => this.append(message));
      },
    },
  };
}
