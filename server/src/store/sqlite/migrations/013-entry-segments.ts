/**
 * Per-owner entries as packed segments (issue #12 P1; bench/analysis/p1-private.md rounds 15 and 17;
 * sqlite-entry-segments.ts). A move writes one `entry_segments` row per owner it carries — the owner's
 * pending entries in time order, packed — instead of one `entries` row per entry in three B-trees.
 *
 * - pull:           entry_segments (owner_ref, first_time) from the segment holding the cursor on, plus
 *                   entries_pending as before
 * - history/latest: a chain per conversation: conversations.updated_time is the newest entry, each segment
 *                   names the previous one per conversation it holds; one segment per hop
 * - unread counts:  the owner's segments in the retention window, decoded
 * - group receipts: group_recipients (message_id) — the inbox owners of a group message, written with it
 * - prune:          entry_segments_prune (last_time) for segments wholly past the window; entries of a
 *                   segment that straddles it name messages that are gone and are skipped when read
 *
 * The existing entries go back into `entries_pending` (with their deleted flag) and are packed by the move
 * the store makes when it opens; a move never lists a conversation again for entries older than its
 * newest one (sqlite-append-writer.ts), so removed conversations stay removed.
 */
export const version = 13;
export const name = 'entry-segments';

export const sql = `
CREATE TABLE entry_segments (
  owner_ref  INTEGER NOT NULL,
  first_time INTEGER NOT NULL,
  last_time  INTEGER NOT NULL,
  data       BLOB NOT NULL,
  PRIMARY KEY (owner_ref, first_time)
);
CREATE INDEX entry_segments_prune ON entry_segments (last_time);

CREATE TABLE group_recipients (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  -- JSON array of names.id of the owners the message was delivered to (its inbox entries)
  owners     TEXT NOT NULL
);

ALTER TABLE entries_pending ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;

INSERT INTO group_recipients (message_id, owners)
  SELECT e.message_id, json_group_array(e.owner_ref)
  FROM (SELECT message_id, owner_ref, direction FROM entries UNION ALL SELECT message_id, owner_ref, direction FROM entries_pending) e
  JOIN messages m ON m.id = e.message_id
  WHERE m.conversation_type = 3 AND e.direction = 2
  GROUP BY e.message_id;

INSERT INTO entries_pending (message_id, owner_ref, direction, conv_type, conv_target_ref, sent_time, mentioned, deleted)
  SELECT message_id, owner_ref, direction, conv_type, conv_target_ref, sent_time, mentioned, deleted FROM entries;
DROP TABLE entries;
`;
