/**
 * Where the demo logs in. `npm start` at the repository root runs a development server and prints
 * its app key; on a phone, navi must be an https URL on a domain whitelisted in the mini-program
 * console (see docs/platforms.md). The login page lets you change all three.
 */
module.exports = {
  appKey: '',
  navi: 'http://127.0.0.1:8080',
  token: '',
};
