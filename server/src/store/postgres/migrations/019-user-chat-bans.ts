/** Per-user send bans of `user/chat/fb/set` (SQLite migration 019): one row per banned user and kind. */
export const version = 19;
export const name = 'user-chat-bans';
export const sql = `
CREATE TABLE user_chat_bans (
  app_key      TEXT   NOT NULL,
  kind         TEXT   NOT NULL,
  user_id      TEXT   NOT NULL,
  created_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, kind, user_id)
);
CREATE INDEX user_chat_bans_order ON user_chat_bans (app_key, kind, created_time, user_id);
`;
