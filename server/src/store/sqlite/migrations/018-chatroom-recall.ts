/**
 * Chatroom recall (`message/recall` with conversationType 4, a client `recallMsg` naming a room): a room message
 * is marked `recalled` and every read of the timeline (pulls, join history, `qryCHMsg`, the lookup by uid) leaves
 * it out, as `messages.recalled` does for private and group messages. The `RC:RcCmd` is an ordinary room message.
 *
 * Query plans:
 * - recall lookup by uid: chatroom_messages_uid (app_key, uid), the unique index of migration 003 (no new index:
 *   another one would cost every room append a write for nothing)
 * - pulls / history / latest: the primary key range scan as before, `recalled = 0` checked per row
 */
export const version = 18;
export const name = 'chatroom-recall';
export const sql = `
ALTER TABLE chatroom_messages ADD COLUMN recalled INTEGER NOT NULL DEFAULT 0;
`;
