/**
 * The demo app: the IM session lives in utils/im.js; pages subscribe to its events. When the server
 * ends the session (signed in elsewhere, blocked, token no longer valid) every page closes and the
 * login page says why.
 */
const config = require('./config');
const im = require('./utils/im');

App({
  globalData: { config: Object.assign({}, config) },
  onLaunch() {
    const saved = wx.getStorageSync('demo:login');
    if (saved && typeof saved === 'object') Object.assign(this.globalData.config, saved);
    im.on('signedOut', () => wx.reLaunch({ url: '/pages/login/login' }));
  },
});
