/** When each block was made (SQLite migration 022): blocks made since T, read by every node's re-check. */
export const version = 22;
export const name = 'user-block-time';
export const sql = `
ALTER TABLE users ADD COLUMN blocked_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX users_blocked_at ON users (blocked_at) WHERE blocked_at > 0;
`;
