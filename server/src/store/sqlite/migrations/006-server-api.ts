/**
 * Server API state (issue #10): per-user black/white lists, the durable App Server callback queue, and the
 * hours of the message log an App Server deleted.
 *
 * Query plans:
 * - rule checks / pages: user_lists primary key (app_key, owner, kind, user_id)
 * - blacklist of many recipients: user_lists_by_member (app_key, kind, user_id, owner)
 * - blocked listing:    users_blocked (app_key, blocked_until) on the existing users table
 * - stream heads:       callback_queue_by_stream (app_key, kind, id)
 * - trim per app:       callback_queue_by_app (app_key, id)
 */
export const version = 6;
export const name = 'server-api';

export const sql = `
CREATE TABLE user_lists (
  app_key      TEXT    NOT NULL,
  owner        TEXT    NOT NULL,
  -- 'black' or 'white'
  kind         TEXT    NOT NULL,
  user_id      TEXT    NOT NULL,
  created_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, owner, kind, user_id)
) WITHOUT ROWID;
CREATE INDEX user_lists_by_member ON user_lists (app_key, kind, user_id, owner);

CREATE INDEX users_blocked ON users (app_key, blocked_until);

CREATE TABLE callback_queue (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  app_key      TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  content_type TEXT    NOT NULL,
  body         TEXT    NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  not_before   INTEGER NOT NULL,
  created_time INTEGER NOT NULL
);
CREATE INDEX callback_queue_by_stream ON callback_queue (app_key, kind, id);
CREATE INDEX callback_queue_by_app ON callback_queue (app_key, id);

CREATE TABLE message_log_deleted_hours (
  app_key      TEXT    NOT NULL,
  hour_start   INTEGER NOT NULL,
  deleted_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, hour_start)
) WITHOUT ROWID;
`;
