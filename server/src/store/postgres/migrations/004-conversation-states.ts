/** Conversation top / do-not-disturb state per owner, read by `pullSeAtts` in updatedTime order. */
export const version = 4;
export const name = 'conversation-states';
export const sql = `
CREATE TABLE conversation_states (
  app_key TEXT NOT NULL,
  owner TEXT NOT NULL,
  conversation_type BIGINT NOT NULL,
  target_id TEXT NOT NULL,
  is_top BIGINT NOT NULL DEFAULT 0,
  is_silent BIGINT NOT NULL DEFAULT 0,
  updated_time BIGINT NOT NULL,
  PRIMARY KEY (app_key, owner, conversation_type, target_id)
);
CREATE UNIQUE INDEX conversation_states_by_time ON conversation_states (app_key, owner, updated_time);
`;
