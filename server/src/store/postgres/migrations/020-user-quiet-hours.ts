/** A user's daily push quiet hours of `user/blockPushPeriod/set` (SQLite migration 020): one row per user while set. */
export const version = 20;
export const name = 'user-quiet-hours';
export const sql = `
CREATE TABLE user_quiet_hours (
  app_key        TEXT   NOT NULL,
  user_id        TEXT   NOT NULL,
  start_time     TEXT   NOT NULL,
  period_minutes BIGINT NOT NULL,
  level          BIGINT NOT NULL,
  updated_time   BIGINT NOT NULL,
  PRIMARY KEY (app_key, user_id)
);
`;
