/**
 * Per-owner indexes keyed by integers (issue #12 P1). Every private message updates six per-owner B-tree
 * positions (two entries in `entries_sync`, two in `entries_history`, two conversation rows and their
 * `conversations_recent` entries); with the app key and user/target ids as TEXT in every key those index
 * entries are wide and their pages fill and split fast. Here the (app, name) pairs they name — owners and
 * conversation targets — are interned once in `names`, and `entries`/`conversations` carry the integer
 * `names.id` instead (the app is implied by it): the same rows, the same query plans, index entries about half
 * as wide (bench/analysis/p1-private.md round 7: ≈ −40 % store CPU per private message).
 *
 * `names` only grows (an id is never reused or reassigned), so a connection may cache what it read committed.
 * Messages keep their TEXT columns: they are read by uid and time, not by per-owner ranges.
 *
 * Query plans after this migration (each O(log n) + page size):
 * - sync:           entries_sync     (owner_ref, direction, sent_time) range scan per direction
 * - history/latest: entries_history  (owner_ref, conv_type, conv_target_ref, sent_time) range scan
 * - conversations:  conversations_recent (owner_ref, listed, updated_time, type, target_ref) keyset scan
 * - an (app, name)'s ref: names_key (app_key, name) unique
 */
export const version = 11;
export const name = 'name-refs';

export const sql = `
CREATE TABLE names (
  id      INTEGER PRIMARY KEY,
  app_key TEXT    NOT NULL,
  name    TEXT    NOT NULL
);
CREATE UNIQUE INDEX names_key ON names (app_key, name);

INSERT OR IGNORE INTO names (app_key, name)
  SELECT app_key, owner FROM entries
  UNION SELECT app_key, conv_target FROM entries
  UNION SELECT app_key, owner FROM conversations
  UNION SELECT app_key, target_id FROM conversations;

-- One row per (message, owner), as before; owner_ref / conv_target_ref are names.id of (app, owner) and of
-- (app, the conversation's target as the owner sees it).
CREATE TABLE entries_by_ref (
  message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  owner_ref       INTEGER NOT NULL,
  direction       INTEGER NOT NULL,
  conv_type       INTEGER NOT NULL,
  conv_target_ref INTEGER NOT NULL,
  sent_time       INTEGER NOT NULL,
  mentioned       INTEGER NOT NULL,
  deleted         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (message_id, owner_ref)
);
INSERT INTO entries_by_ref (message_id, owner_ref, direction, conv_type, conv_target_ref, sent_time, mentioned, deleted)
  SELECT e.message_id, o.id, e.direction, e.conv_type, t.id, e.sent_time, e.mentioned, e.deleted
  FROM entries e
  JOIN names o ON o.app_key = e.app_key AND o.name = e.owner
  JOIN names t ON t.app_key = e.app_key AND t.name = e.conv_target;
DROP TABLE entries;
ALTER TABLE entries_by_ref RENAME TO entries;
CREATE INDEX entries_sync ON entries (owner_ref, direction, sent_time);
CREATE INDEX entries_history ON entries (owner_ref, conv_type, conv_target_ref, sent_time);

CREATE TABLE conversations_by_ref (
  owner_ref     INTEGER NOT NULL,
  type          INTEGER NOT NULL,
  target_ref    INTEGER NOT NULL,
  -- sentTime of the last message appended to it
  updated_time  INTEGER NOT NULL,
  -- 0 after remove() until the next message
  listed        INTEGER NOT NULL,
  -- clearHistory watermark: messages with sent_time <= it are hidden from this owner
  cleared_up_to INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (owner_ref, type, target_ref)
) WITHOUT ROWID;
INSERT INTO conversations_by_ref (owner_ref, type, target_ref, updated_time, listed, cleared_up_to)
  SELECT o.id, c.type, t.id, c.updated_time, c.listed, c.cleared_up_to
  FROM conversations c
  JOIN names o ON o.app_key = c.app_key AND o.name = c.owner
  JOIN names t ON t.app_key = c.app_key AND t.name = c.target_id;
DROP TABLE conversations;
ALTER TABLE conversations_by_ref RENAME TO conversations;
CREATE INDEX conversations_recent ON conversations (owner_ref, listed, updated_time, type, target_ref);
`;
