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
  time              BIGINT  NOT NULL,
  change_type       BIGINT  NOT NULL,
  sub_change_type   BIGINT  NOT NULL,
  conversation_type BIGINT  NOT NULL,
  target_id         TEXT    NOT NULL,
  data              BYTEA   NOT NULL,
  PRIMARY KEY (app_key, owner, time)
);

CREATE TABLE server_event_cursors (
  app_key    TEXT    NOT NULL,
  owner      TEXT    NOT NULL,
  -- the last time handed out (survives trims, so times are never reused)
  last_time  BIGINT  NOT NULL,
  acked_time BIGINT  NOT NULL,
  PRIMARY KEY (app_key, owner)
);
`;
