/**
 * Chatrooms (issue #6): rooms with their clocks, members, the room timeline, KV entries (removals kept as
 * tombstones for incremental pulls), per-user marks and app-wide object-name lists.
 *
 * Query plans:
 * - members by join time:   chatroom_members_by_join (app_key, room_id, join_time, user_id)
 * - rooms of a user:        chatroom_members_by_user (app_key, user_id)
 * - pulls / history / latest: chatroom_messages primary key (app_key, room_id, sent_time) range scan
 * - retention:              chatroom_messages_by_time (sent_time)
 * - pullKV:                 chatroom_entries_by_time (app_key, room_id, updated_time)
 * - idle sweep:             chatrooms_by_activity (app_key, keepalive, active_time)
 */
export const version = 3;
export const name = 'chatrooms';
export const sql = `
CREATE TABLE chatrooms (
  app_key       TEXT    NOT NULL,
  room_id       TEXT    NOT NULL,
  name          TEXT    NOT NULL DEFAULT '',
  created_time  BIGINT NOT NULL,
  active_time   BIGINT NOT NULL,
  timeline_time BIGINT NOT NULL DEFAULT 0,
  kv_time       BIGINT NOT NULL DEFAULT 0,
  -- removals with updated_time <= kv_floor were purged: older cursors get a full list
  kv_floor      BIGINT NOT NULL DEFAULT 0,
  keepalive     BIGINT NOT NULL DEFAULT 0,
  muted         BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (app_key, room_id)
);
CREATE INDEX chatrooms_by_activity ON chatrooms (app_key, keepalive, active_time);

CREATE TABLE chatroom_members (
  app_key   TEXT    NOT NULL,
  room_id   TEXT    NOT NULL,
  user_id   TEXT    NOT NULL,
  join_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, room_id, user_id)
);
CREATE INDEX chatroom_members_by_join ON chatroom_members (app_key, room_id, join_time, user_id);
CREATE INDEX chatroom_members_by_user ON chatroom_members (app_key, user_id);

CREATE TABLE chatroom_messages (
  app_key       TEXT    NOT NULL,
  room_id       TEXT    NOT NULL,
  sent_time     BIGINT NOT NULL,
  uid           TEXT    NOT NULL,
  from_user_id  TEXT    NOT NULL,
  object_name   TEXT    NOT NULL,
  content       BYTEA    NOT NULL,
  flags         BIGINT NOT NULL,
  config_flag   BIGINT,
  push_content  TEXT,
  extra_content TEXT,
  PRIMARY KEY (app_key, room_id, sent_time)
);
CREATE UNIQUE INDEX chatroom_messages_uid ON chatroom_messages (app_key, uid);
CREATE INDEX chatroom_messages_by_time ON chatroom_messages (sent_time);

CREATE TABLE chatroom_entries (
  app_key      TEXT    NOT NULL,
  room_id      TEXT    NOT NULL,
  key          TEXT    NOT NULL,
  value        TEXT    NOT NULL,
  user_id      TEXT    NOT NULL,
  auto_delete  BIGINT NOT NULL,
  overwrite    BIGINT NOT NULL,
  deleted      BIGINT NOT NULL,
  updated_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, room_id, key)
);
CREATE INDEX chatroom_entries_by_time ON chatroom_entries (app_key, room_id, updated_time);

CREATE TABLE chatroom_user_marks (
  app_key TEXT    NOT NULL,
  kind    TEXT    NOT NULL,
  room_id TEXT    NOT NULL,
  user_id TEXT    NOT NULL,
  until   BIGINT NOT NULL,
  since   BIGINT NOT NULL,
  PRIMARY KEY (app_key, kind, room_id, user_id)
);

CREATE TABLE chatroom_app_lists (
  app_key TEXT NOT NULL,
  kind    TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (app_key, kind, value)
);
`;
