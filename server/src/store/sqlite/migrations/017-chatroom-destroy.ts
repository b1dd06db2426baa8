/**
 * Timed chatroom destruction (`chatroom/create_new`, `chatroom/destroy/set`, SERVER_API.md §2.4): a room's
 * `destroy_type` (0 destroyed when idle, 1 destroyed at a fixed time), `destroy_minutes` as the App Server gave it,
 * and `destroy_at`, the deadline in ms (0 = none). Stored so a restart keeps the deadline; the chatroom sweep
 * destroys the rooms past it.
 *
 * Query plans:
 * - rooms past their deadline: chatrooms_by_destroy (app_key, destroy_at) WHERE destroy_at > 0
 */
export const version = 17;
export const name = 'chatroom-destroy';
export const sql = `
ALTER TABLE chatrooms ADD COLUMN destroy_type INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chatrooms ADD COLUMN destroy_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chatrooms ADD COLUMN destroy_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX chatrooms_by_destroy ON chatrooms (app_key, destroy_at) WHERE destroy_at > 0;
`;
