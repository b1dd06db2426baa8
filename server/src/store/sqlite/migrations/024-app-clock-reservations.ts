/**
 * The time reserved on an app's message clock for not-stored messages (MessageRepository.reserveTime), kept apart
 * from `last_sent_time` (the newest stored message, the read-position horizon): appends are timed after both. Written
 * only by a node that shares the file with others; the file's sole writer keeps its reservations in memory.
 */
export const version = 24;
export const name = 'app-clock-reservations';
export const sql = `
ALTER TABLE app_clocks ADD COLUMN reserved_time INTEGER NOT NULL DEFAULT 0;
`;
