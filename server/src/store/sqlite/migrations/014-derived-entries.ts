/**
 * A private message's two entries derived from its row (issue #12 P1; bench/analysis/p1-private.md round 19).
 * Until now every entry was first written as an `entries_pending` row (migration 012) and packed into the
 * owner's segments by a later move (migration 013); for a private message — the recipient's inbox entry (its
 * conversation: the sender) and the sender's sendbox entry (the recipient), nothing else — those two rows, their
 * index entries and their deletion were a third of the store's write. Such a message is now written with
 * `derived = 1` and no pending rows; the writer packs its entries from its own copy (or, for a process that
 * does not hold one, from the rows themselves), and the pull reads the ones not packed yet from `messages`
 * (sqlite-sync.ts; as the file's only writer, after having the writer pack its owner's, so only from the
 * messages committed since).
 *
 * What is not packed yet needs no table: a move takes every not-yet-packed entry of its owners, so an owner's
 * unpacked derived entries are its derived messages newer than its newest segment. `derived_floor.through`
 * bounds the search: every derived message with a lower or equal id is packed for both owners (written by
 * each move). Existing messages keep `derived = 0`: their entries are pending rows or packed already.
 */
export const version = 14;
export const name = 'derived-entries';

export const sql = `
ALTER TABLE messages ADD COLUMN derived INTEGER NOT NULL DEFAULT 0;
CREATE TABLE derived_floor (
  id      INTEGER PRIMARY KEY CHECK (id = 0),
  through INTEGER NOT NULL
);
INSERT INTO derived_floor (id, through) VALUES (0, COALESCE((SELECT MAX(id) FROM messages), 0));
`;
