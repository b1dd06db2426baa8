/**
 * Per-owner rows written behind (issue #12 P1; bench/analysis/p1-private.md rounds 10–11). A message's group
 * commit writes its row and its entries into `entries_pending` — an append-only table whose only index serves
 * the inbox pull — instead of placing each entry in `entries_sync`/`entries_history` and upserting two
 * conversation rows at random places of the per-owner B-trees. The writer moves what is pending to `entries`
 * in index order, and upserts the conversations it implies, in one transaction every few thousand rows
 * (sqlite-append-writer.ts), and whenever a reader of per-owner state asks for it first (SqliteStore's settle).
 * The pending rows are committed with their message, so nothing is lost in a crash: the store moves whatever is
 * pending when it opens.
 *
 * Query plans: the pull reads both tables (pending by `entries_pending_sync`, the rest as before); every other
 * per-owner read or write (history, conversation list and remove, unread counts, delete, clear, prune, group
 * receipts) runs after a move, on `entries` and `conversations` alone.
 */
export const version = 12;
export const name = 'pending-entries';

export const sql = `
CREATE TABLE entries_pending (
  message_id      INTEGER NOT NULL,
  owner_ref       INTEGER NOT NULL,
  direction       INTEGER NOT NULL,
  conv_type       INTEGER NOT NULL,
  conv_target_ref INTEGER NOT NULL,
  sent_time       INTEGER NOT NULL,
  mentioned       INTEGER NOT NULL
);
CREATE INDEX entries_pending_sync ON entries_pending (owner_ref, direction, sent_time);
`;
