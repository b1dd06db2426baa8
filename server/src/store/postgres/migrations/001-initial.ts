/**
 * Initial schema. Every table is scoped by `app_key` (multi-tenant). Times are ms since the epoch.
 *
 * Query plans this schema exists for (each O(log n) + page size):
 * - sync:          entries_sync     (app_key, owner, direction, sent_time) range scan per direction
 * - history/latest: entries_history (app_key, owner, conv_type, conv_target, sent_time) range scan
 * - get/recall:    messages_uid     (app_key, uid) unique
 * - conversations: conversations_recent (app_key, owner, listed, updated_time, type, target_id) keyset scan
 * - prune:         messages_sent_time (sent_time), entries follow by ON DELETE CASCADE via their primary key
 */
export const version = 1;
export const name = 'initial';

export const sql = `
CREATE TABLE app_clocks (
  app_key        TEXT PRIMARY KEY,
  -- greatest sentTime ever assigned in the app; survives prune so sentTime is never reused
  last_sent_time BIGINT NOT NULL
);

CREATE TABLE messages (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  app_key           TEXT    NOT NULL,
  uid               TEXT    NOT NULL,
  sent_time         BIGINT NOT NULL,
  from_user_id      TEXT    NOT NULL,
  conversation_type BIGINT NOT NULL,
  target_id         TEXT    NOT NULL,
  object_name       TEXT    NOT NULL,
  content           BYTEA    NOT NULL,
  flags             BIGINT NOT NULL,
  config_flag       BIGINT,
  push_content      TEXT,
  push_data         TEXT,
  push_ext          BYTEA,
  extra_content     TEXT,
  recalled          BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX messages_uid ON messages (app_key, uid);
CREATE INDEX messages_sent_time ON messages (sent_time);

-- One row per (message, owner): the message as it appears in that owner's inbox (direction 2) or sendbox (1).
-- It is also what the owner sees in history and the conversation list (conv_* = the owner's view).
CREATE TABLE entries (
  message_id  BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  owner       TEXT    NOT NULL,
  app_key     TEXT    NOT NULL,
  direction   BIGINT NOT NULL,
  conv_type   BIGINT NOT NULL,
  conv_target TEXT    NOT NULL,
  sent_time   BIGINT NOT NULL,
  mentioned   BIGINT NOT NULL,
  deleted     BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (message_id, owner)
);
CREATE INDEX entries_sync ON entries (app_key, owner, direction, sent_time);
CREATE INDEX entries_history ON entries (app_key, owner, conv_type, conv_target, sent_time);

CREATE TABLE conversations (
  app_key       TEXT    NOT NULL,
  owner         TEXT    NOT NULL,
  type          BIGINT NOT NULL,
  target_id     TEXT    NOT NULL,
  -- sentTime of the last message appended to it
  updated_time  BIGINT NOT NULL,
  -- 0 after remove() until the next message
  listed        BIGINT NOT NULL,
  -- clearHistory watermark: messages with sent_time <= it are hidden from this owner
  cleared_up_to BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (app_key, owner, type, target_id)
);
CREATE INDEX conversations_recent ON conversations (app_key, owner, listed, updated_time, type, target_id);

CREATE TABLE users (
  app_key            TEXT    NOT NULL,
  user_id            TEXT    NOT NULL,
  name               TEXT    NOT NULL,
  portrait_uri       TEXT    NOT NULL,
  tokens_valid_after BIGINT NOT NULL DEFAULT 0,
  blocked_until      BIGINT NOT NULL DEFAULT 0,
  created_time       BIGINT NOT NULL,
  PRIMARY KEY (app_key, user_id)
);
`;
