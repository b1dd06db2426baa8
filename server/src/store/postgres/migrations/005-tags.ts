/**
 * Conversation tags, server-kept read positions and sensitive words (issue #7).
 *
 * Query plans:
 * - tag list / limit:       tags primary key (app_key, owner, tag_id)
 * - tags of conversations:  conversation_tags_by_conversation (app_key, owner, conversation_type, target_id)
 * - conversations of a tag: conversation_tags primary key (app_key, owner, tag_id, …)
 * - versions:               owner_versions primary key (app_key, owner, kind)
 * - read positions since:   read_positions_by_version (app_key, owner, version)
 * - sensitive words:        sensitive_words primary key (app_key, word)
 * Message expansions live in messages.extra_content (001), merged in place.
 */
export const version = 5;
export const name = 'tags';

export const sql = `
CREATE TABLE tags (
  app_key      TEXT    NOT NULL,
  owner        TEXT    NOT NULL,
  tag_id       TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  created_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, owner, tag_id)
);

CREATE TABLE conversation_tags (
  app_key           TEXT    NOT NULL,
  owner             TEXT    NOT NULL,
  tag_id            TEXT    NOT NULL,
  conversation_type BIGINT NOT NULL,
  target_id         TEXT    NOT NULL,
  is_top            BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (app_key, owner, tag_id, conversation_type, target_id)
);
CREATE INDEX conversation_tags_by_conversation ON conversation_tags (app_key, owner, conversation_type, target_id);

-- Strictly increasing per owner and kind ('settings': pullUS version; 'read': read positions).
CREATE TABLE owner_versions (
  app_key TEXT    NOT NULL,
  owner   TEXT    NOT NULL,
  kind    TEXT    NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (app_key, owner, kind)
);

CREATE TABLE read_positions (
  app_key           TEXT    NOT NULL,
  owner             TEXT    NOT NULL,
  conversation_type BIGINT NOT NULL,
  target_id         TEXT    NOT NULL,
  read_time         BIGINT NOT NULL,
  version           BIGINT NOT NULL,
  PRIMARY KEY (app_key, owner, conversation_type, target_id)
);
CREATE INDEX read_positions_by_version ON read_positions (app_key, owner, version);

CREATE TABLE read_floors (
  app_key   TEXT    NOT NULL,
  owner     TEXT    NOT NULL,
  read_time BIGINT NOT NULL,
  version   BIGINT NOT NULL,
  PRIMARY KEY (app_key, owner)
);

CREATE TABLE sensitive_words (
  app_key      TEXT    NOT NULL,
  word         TEXT    NOT NULL,
  -- 0 replace, 1 block
  type         BIGINT NOT NULL,
  replace_word TEXT    NOT NULL,
  created_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, word)
);
`;
