/**
 * The time reserved on an app's message clock for not-stored messages (MessageRepository.reserveTime), kept apart
 * from `last_sent_time` (the newest stored message, the read-position horizon): appends are timed after both.
 */
export const version = 24;
export const name = 'app-clock-reservations';
export const sql = `
ALTER TABLE app_clocks ADD COLUMN reserved_time BIGINT NOT NULL DEFAULT 0;
`;
