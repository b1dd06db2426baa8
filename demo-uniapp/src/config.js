/**
 * Where the demo logs in (the login page lets you change all three). Build-time presets:
 * `VITE_LIANXIN_NAVI` (default http://127.0.0.1:8080, what `npm start` at the repository root
 * listens on), `VITE_LIANXIN_APPKEY` (`npm start` prints its development app key). On a phone or a
 * public H5 site navi must be an https URL (on mini-program targets: on a whitelisted domain, see
 * docs/platforms.md).
 */
export const defaults = {
  appKey: import.meta.env.VITE_LIANXIN_APPKEY || '',
  navi: import.meta.env.VITE_LIANXIN_NAVI || 'http://127.0.0.1:8080',
  token: '',
};
