/**
 * Groups (issue #5): groups, members with join times, member gags, whole-group bans and their whitelist, the
 * pre-join shared history marks and read receipts v2. Group messages themselves live in `messages`/`entries`
 * (write diffusion); the two message-scoped tables reference `messages(id)` so retention pruning cascades.
 *
 * Query plans (each O(log n) + result size):
 * - membership / send permission: group_members, group_gags, group_bans, group_ban_whitelist primary keys
 * - members of a group:   group_members primary key range (app_key, group_id)
 * - groups of a user:     group_members_by_user (app_key, user_id)
 * - gags of one scope:    group_gags_by_scope (app_key, group_id, user_id)
 * - pre-join history:     group_shared_by_time (app_key, group_id, sent_time) range scan
 * - readers of a message: group_reads primary key (message_id, …)
 */
export const version = 2;
export const name = 'groups';

export const sql = `
CREATE TABLE chat_groups (
  app_key      TEXT    NOT NULL,
  group_id     TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  created_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, group_id)
);

CREATE TABLE group_members (
  app_key     TEXT    NOT NULL,
  group_id    TEXT    NOT NULL,
  user_id     TEXT    NOT NULL,
  joined_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (app_key, user_id, group_id);

-- group_id '' = the user is muted in every group of the app; until 0 = until lifted
CREATE TABLE group_gags (
  app_key    TEXT    NOT NULL,
  user_id    TEXT    NOT NULL,
  group_id   TEXT    NOT NULL,
  start_time BIGINT NOT NULL,
  until      BIGINT NOT NULL,
  PRIMARY KEY (app_key, user_id, group_id)
);
CREATE INDEX group_gags_by_scope ON group_gags (app_key, group_id, user_id);

CREATE TABLE group_bans (
  app_key  TEXT    NOT NULL,
  group_id TEXT    NOT NULL,
  since    BIGINT NOT NULL,
  PRIMARY KEY (app_key, group_id)
);

CREATE TABLE group_ban_whitelist (
  app_key  TEXT NOT NULL,
  group_id TEXT NOT NULL,
  user_id  TEXT NOT NULL,
  PRIMARY KEY (app_key, group_id, user_id)
);

-- Undirected group messages members who join later may read in history (app option groupHistoryBeforeJoin).
CREATE TABLE group_shared_messages (
  message_id BIGINT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  app_key    TEXT    NOT NULL,
  group_id   TEXT    NOT NULL,
  sent_time  BIGINT NOT NULL
);
CREATE INDEX group_shared_by_time ON group_shared_messages (app_key, group_id, sent_time);

CREATE TABLE group_reads (
  message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id    TEXT    NOT NULL,
  read_time  BIGINT NOT NULL,
  PRIMARY KEY (message_id, user_id)
);
`;
