import * as m001 from './001-initial';
import * as m002 from './002-groups';
import * as m003 from './003-chatrooms';
import * as m004 from './004-conversation-states';
import * as m005 from './005-tags';
import * as m006 from './006-server-api';
import * as m007 from './007-apps';
import * as m009 from './009-push';
import * as m010 from './010-server-events';
import * as m016 from './016-conversation-type-settings';
import * as m017 from './017-chatroom-destroy';
import * as m018 from './018-chatroom-recall';
import * as m019 from './019-user-chat-bans';
import * as m020 from './020-user-quiet-hours';
import * as m021 from './021-user-push-remarks';
import * as m022 from './022-user-block-time';
import * as m023 from './023-conversation-notification-level';
import * as m024 from './024-app-clock-reservations';

/**
 * PostgreSQL schema, numbered like the SQLite one (same tables and index plans; BIGINT times,
 * BYTEA payloads, identity ids). A new repository = one migration file here + one `pg-*.ts`.
 */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  /** One or more statements, run as one simple query inside the migration's transaction. */
  readonly sql: string;
}

/** Ascending by version; append new modules here (never edit an applied one). */
export const PG_MIGRATIONS: readonly PgMigration[] = [m001, m002, m003, m004, m005, m006, m007, m009, m010, m016, m017, m018, m019, m020, m021, m022, m023, m024];
