/** Log in with an app key, a navi URL and a user token (issued by your app server via the Server API). */
const im = require('../../utils/im');

Page({
  data: { appKey: '', navi: '', token: '', error: '', busy: false },

  onLoad() {
    const { config } = getApp().globalData;
    // After a session the server ended: why (signed in elsewhere, blocked, token no longer valid).
    this.setData({ appKey: config.appKey, navi: config.navi, token: config.token, error: im.takeNotice() });
  },

  onInput(event) {
    this.setData({ [event.currentTarget.dataset.field]: event.detail.value });
  },

  login() {
    const { appKey, navi, token } = this.data;
    this.setData({ busy: true, error: '' });
    return im
      .login({ appKey, navi, token })
      .then(() => {
        wx.setStorageSync('demo:login', { appKey, navi, token });
        wx.redirectTo({ url: '/pages/conversations/conversations' });
      })
      .catch((error) => this.setData({ busy: false, error: error.message }));
  },
});
