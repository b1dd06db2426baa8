/**
 * Per-owner settings of a whole conversation type (`conversation/type/notification/set`, SERVER_API.md §2.5):
 * the owner's `unpushLevel` for every conversation of the type. A row exists only for a level other than 0
 * (0 = not set, the default).
 *
 * Query plans:
 * - one owner's type: conversation_type_settings primary key (app_key, owner, conversation_type)
 */
export const version = 16;
export const name = 'conversation-type-settings';
export const sql = `
CREATE TABLE conversation_type_settings (
  app_key           TEXT    NOT NULL,
  owner             TEXT    NOT NULL,
  conversation_type INTEGER NOT NULL,
  unpush_level      INTEGER NOT NULL,
  updated_time      INTEGER NOT NULL,
  PRIMARY KEY (app_key, owner, conversation_type)
) WITHOUT ROWID;
`;
