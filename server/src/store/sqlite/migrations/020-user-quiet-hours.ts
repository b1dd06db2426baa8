/**
 * A user's daily push quiet hours (`user/blockPushPeriod/set`, SERVER_API.md §2.1): one row per user while set.
 * Stored and answered only (this server has no push gateway).
 *
 * Query plans:
 * - get / set / delete: primary key (app_key, user_id)
 */
export const version = 20;
export const name = 'user-quiet-hours';
export const sql = `
CREATE TABLE user_quiet_hours (
  app_key        TEXT    NOT NULL,
  user_id        TEXT    NOT NULL,
  start_time     TEXT    NOT NULL,
  period_minutes INTEGER NOT NULL,
  level          INTEGER NOT NULL,
  updated_time   INTEGER NOT NULL,
  PRIMARY KEY (app_key, user_id)
) WITHOUT ROWID;
`;
