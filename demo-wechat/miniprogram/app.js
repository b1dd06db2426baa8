/** The demo app: the IM session lives in utils/im.js; pages subscribe to its events. */
const config = require('./config');

App({
  globalData: { config: Object.assign({}, config) },
  onLaunch() {
    const saved = wx.getStorageSync('demo:login');
    if (saved && typeof saved === 'object') Object.assign(this.globalData.config, saved);
  },
});
