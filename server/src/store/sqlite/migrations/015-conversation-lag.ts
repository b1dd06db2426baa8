/**
 * Conversation rows written when they are read, not at every move (issue #12 P1; bench/analysis/p1-private.md
 * round 24). A move packs an owner's entries into a segment (migration 013) and, until now, upserted one
 * conversation row per conversation it carried: in P1's shape nearly one upsert per entry, two per message,
 * each moving an entry of `conversations_recent` — half of what the writer thread did per message. As the
 * file's only writer, the writer now keeps the newest time of each conversation its moves carried in memory
 * and writes the rows when a reader of that owner's conversations settles (or when the memory or the work a
 * restart would redo passes a bound), once per conversation however many messages came in between.
 *
 * `conversation_lag` makes that durable: a row per owner whose conversation rows are behind its segments,
 * written by the move that starts the owner's lag (in the same transaction as the segment) and deleted by the
 * one that writes the rows. `since_time` is the first entry time of that move; every entry of the owner from
 * it on is in a segment with `first_time >= since_time`, and every earlier one is in the conversation rows.
 * A process that opens the file writes the rows of every owner listed here from those segments first
 * (sqlite-entry-packer.ts).
 */
export const version = 15;
export const name = 'conversation-lag';

export const sql = `
CREATE TABLE conversation_lag (
  owner_ref  INTEGER PRIMARY KEY,
  since_time INTEGER NOT NULL
);
`;
