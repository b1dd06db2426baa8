/**
 * Push-display remarks (`user/remarks/set`, SERVER_API.md §2.1): the name an owner's push notifications show for
 * another user, one row per (owner, target). Stored and answered only (this server has no push gateway).
 *
 * Query plans:
 * - get (paged by target id) / set / del: primary key (app_key, owner, target_id)
 */
export const version = 21;
export const name = 'user-push-remarks';
export const sql = `
CREATE TABLE user_push_remarks (
  app_key      TEXT    NOT NULL,
  owner        TEXT    NOT NULL,
  target_id    TEXT    NOT NULL,
  remark       TEXT    NOT NULL,
  updated_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, owner, target_id)
) WITHOUT ROWID;
`;
