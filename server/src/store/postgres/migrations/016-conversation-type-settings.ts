/** Per-owner `unpushLevel` of a whole conversation type (SQLite migration 016); a row only for a level other than 0. */
export const version = 16;
export const name = 'conversation-type-settings';
export const sql = `
CREATE TABLE conversation_type_settings (
  app_key           TEXT   NOT NULL,
  owner             TEXT   NOT NULL,
  conversation_type BIGINT NOT NULL,
  unpush_level      BIGINT NOT NULL,
  updated_time      BIGINT NOT NULL,
  PRIMARY KEY (app_key, owner, conversation_type)
);
`;
