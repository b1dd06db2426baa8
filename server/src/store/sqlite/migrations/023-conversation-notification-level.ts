/**
 * A conversation's notification level instead of a do-not-disturb flag (`conversation_states`, migration 004): engine
 * 5.x sets and reads RongCloud's NotificationLevel (-1 notify everything, 0 not set, 1 @ messages only, 2 @ me, 4 @ all,
 * 5 nothing), which a 0/1 flag turned into 33003 or lost. The column was already an integer holding 0 or 1, and those
 * keep their meaning as levels: 1 is what RongCloud maps "do not disturb" to (engine 5.x `trans2NotificationLevel`:
 * OPEN → AT_MESSAGE_NOTIFICATION) and what a 5.x client read from the '1' it was sent; 0 is not set. Only the name
 * changes; the 0/1 clients (2.x, our SDK) get level > 0 as '1' (services/session-state.ts).
 */
export const version = 23;
export const name = 'conversation-notification-level';
export const sql = `
ALTER TABLE conversation_states RENAME COLUMN is_silent TO notification_level;
`;
