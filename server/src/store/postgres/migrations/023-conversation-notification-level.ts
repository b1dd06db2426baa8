/**
 * A conversation's notification level instead of a do-not-disturb flag (SQLite migration 023): the BIGINT column
 * keeps its 0/1 values, which mean level 0 (not set) and 1 (RongCloud's level for "do not disturb"); only its name
 * changes.
 */
export const version = 23;
export const name = 'conversation-notification-level';
export const sql = `
ALTER TABLE conversation_states RENAME COLUMN is_silent TO notification_level;
`;
