/** Push-display remarks of `user/remarks/set` (SQLite migration 021): one row per (owner, target). */
export const version = 21;
export const name = 'user-push-remarks';
export const sql = `
CREATE TABLE user_push_remarks (
  app_key      TEXT   NOT NULL,
  owner        TEXT   NOT NULL,
  target_id    TEXT   NOT NULL,
  remark       TEXT   NOT NULL,
  updated_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, owner, target_id)
);
`;
