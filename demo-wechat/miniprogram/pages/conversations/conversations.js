/** Conversation list with unread counts; refreshed on show and on every incoming message. */
const im = require('../../utils/im');

const PAGE_OF = { 1: 'chat', 3: 'group' };

Page({
  data: { items: [], total: 0, groupId: '', chatroomId: '', error: '' },

  onLoad() {
    this.offMessage = im.on('message', () => this.refresh());
  },

  onShow() {
    return this.refresh();
  },

  onUnload() {
    if (this.offMessage) this.offMessage();
  },

  /** Never rejects: a failure (the connection dropping, say) shows as the page's error. */
  refresh() {
    return Promise.all([im.conversations(), im.totalUnread()]).then(
      ([list, total]) => {
        const items = list
          .filter((c) => PAGE_OF[c.conversationType] !== undefined)
          .map((c) => ({
            key: `${c.conversationType}:${c.targetId}`,
            type: c.conversationType,
            targetId: c.targetId,
            latest: im.preview(c.latestMessage),
            unread: c.unreadMessageCount,
          }));
        this.setData({ items, total, error: '' });
      },
      (error) => this.setData({ error: error.message }),
    );
  },

  open(event) {
    const { type, targetId } = event.currentTarget.dataset;
    wx.navigateTo({ url: `/pages/${PAGE_OF[type]}/${PAGE_OF[type]}?type=${type}&targetId=${encodeURIComponent(targetId)}` });
  },

  onInput(event) {
    this.setData({ [event.currentTarget.dataset.field]: event.detail.value });
  },

  openGroup() {
    if (this.data.groupId) wx.navigateTo({ url: `/pages/group/group?targetId=${encodeURIComponent(this.data.groupId)}` });
  },

  logout() {
    return Promise.resolve(im.logout()).then(() => wx.reLaunch({ url: '/pages/login/login' }));
  },

  openChatroom() {
    if (this.data.chatroomId) wx.navigateTo({ url: `/pages/chatroom/chatroom?targetId=${encodeURIComponent(this.data.chatroomId)}` });
  },
});
