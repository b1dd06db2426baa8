/**
 * Chatroom recall (SQLite migration 018): a `recalled` mark per room message. Looked up by uid through the unique
 * chatroom_messages_uid (app_key, uid) of migration 003; timeline reads leave marked messages out.
 */
export const version = 18;
export const name = 'chatroom-recall';
export const sql = `
ALTER TABLE chatroom_messages ADD COLUMN recalled BIGINT NOT NULL DEFAULT 0;
`;
