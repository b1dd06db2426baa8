/**
 * Push targeting (issue #10, push-repository.ts): user tags, the record of `push` calls, chatrooms whose member
 * messages are not distributed. Numbered 9 to leave 7 and 8 to the migrations other work adds meanwhile; the
 * runner applies every missing version in ascending order, so gaps are harmless.
 *
 * Query plans:
 * - tags of users / replace:  user_tags primary key (app_key, user_id, tag)
 * - users carrying tags:      user_tags_by_tag (app_key, tag, user_id)
 * - push record by id:        push_records primary key (app_key, id)
 * - newest records:           push_records_by_time (app_key, created_time)
 * - stopped rooms:            chatroom_distribution_stopped primary key (app_key, room_id)
 */
export const version = 9;
export const name = 'push';

export const sql = `
CREATE TABLE user_tags (
  app_key      TEXT    NOT NULL,
  user_id      TEXT    NOT NULL,
  tag          TEXT    NOT NULL,
  -- order the tags were given in
  position     INTEGER NOT NULL,
  created_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, user_id, tag)
) WITHOUT ROWID;
CREATE INDEX user_tags_by_tag ON user_tags (app_key, tag, user_id);

CREATE TABLE push_records (
  app_key         TEXT    NOT NULL,
  id              TEXT    NOT NULL,
  created_time    INTEGER NOT NULL,
  from_user_id    TEXT    NOT NULL,
  platforms       TEXT    NOT NULL,
  audience        TEXT    NOT NULL,
  notification    TEXT    NOT NULL,
  object_name     TEXT,
  recipient_count INTEGER NOT NULL,
  PRIMARY KEY (app_key, id)
) WITHOUT ROWID;
CREATE INDEX push_records_by_time ON push_records (app_key, created_time);

CREATE TABLE chatroom_distribution_stopped (
  app_key      TEXT    NOT NULL,
  room_id      TEXT    NOT NULL,
  stopped_time INTEGER NOT NULL,
  PRIMARY KEY (app_key, room_id)
) WITHOUT ROWID;
`;
