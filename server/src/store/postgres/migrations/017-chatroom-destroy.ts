/** Timed chatroom destruction (SQLite migration 017): destroy type, minutes and deadline (ms, 0 = none) per room. */
export const version = 17;
export const name = 'chatroom-destroy';
export const sql = `
ALTER TABLE chatrooms ADD COLUMN destroy_type BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chatrooms ADD COLUMN destroy_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chatrooms ADD COLUMN destroy_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX chatrooms_by_destroy ON chatrooms (app_key, destroy_at) WHERE destroy_at > 0;
`;
