/**
 * Per-user send bans (`user/chat/fb/set`, SERVER_API.md §2.1): one row per banned user and kind (`PERSON`,
 * `GROUP`); lifting a ban deletes the row. `created_time` is the first ban's time: `querylist` pages in ban order.
 *
 * Query plans:
 * - is this user banned (client sends, through the per-node cache): primary key (app_key, kind, user_id)
 * - querylist / the cache's load: user_chat_bans_order (app_key, kind, created_time, user_id)
 */
export const version = 19;
export const name = 'user-chat-bans';
export const sql = `
CREATE TABLE user_chat_bans (
  app_key      TEXT    NOT NULL,
  kind         TEXT    NOT NULL,
  user_id      TEXT    NOT NULL,
  created_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, kind, user_id)
) WITHOUT ROWID;
CREATE INDEX user_chat_bans_order ON user_chat_bans (app_key, kind, created_time, user_id);
`;
