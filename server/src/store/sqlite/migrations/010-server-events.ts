/**
 * Per-user server events (issue #15, server-event-repository.ts): the engine 5.x `pullEventChange` log.
 *
 * Query plans:
 * - list after a cursor / trim:  server_events primary key (app_key, owner, time)
 * - clock and acknowledged cursor: server_event_cursors primary key (app_key, owner)
 */
export const version = 10;
export const name = 'server-events';

export const sql = `
CREATE TABLE server_events (
  app_key           TEXT    NOT NULL,
  owner             TEXT    NOT NULL,
  time              INTEGER NOT NULL,
  change_type       INTEGER NOT NULL,
  sub_change_type   INTEGER NOT NULL,
  conversation_type INTEGER NOT NULL,
  target_id         TEXT    NOT NULL,
  data              BLOB    NOT NULL,
  PRIMARY KEY (app_key, owner, time)
) WITHOUT ROWID;

CREATE TABLE server_event_cursors (
  app_key    TEXT    NOT NULL,
  owner      TEXT    NOT NULL,
  -- the last time handed out (survives trims, so times are never reused)
  last_time  INTEGER NOT NULL,
  acked_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, owner)
) WITHOUT ROWID;
`;
