/**
 * When each block was made (`user/block`): every node re-reads the blocks made since its last look and
 * disconnects its own sessions of those users (gateway/blocked-sessions.ts), so a block's kick is not lost when
 * the node that took the call could not publish it and is gone before its broker link came back.
 * 0 = not blocked (unblock resets it); only blocked rows are in the index.
 *
 * Query plans:
 * - blocks made since T: users_blocked_at (partial, blocked_at > 0)
 */
export const version = 22;
export const name = 'user-block-time';
export const sql = `
ALTER TABLE users ADD COLUMN blocked_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX users_blocked_at ON users (blocked_at) WHERE blocked_at > 0;
`;
