import * as m001 from './001-initial';
import * as m002 from './002-groups';
import * as m003 from './003-chatrooms';
import * as m004 from './004-conversation-states';
import * as m005 from './005-tags';
import * as m006 from './006-server-api';
import * as m007 from './007-apps';
import * as m009 from './009-push';
import * as m010 from './010-server-events';
import * as m011 from './011-name-refs';
import * as m012 from './012-pending-entries';
import * as m013 from './013-entry-segments';
import * as m014 from './014-derived-entries';
import * as m015 from './015-conversation-lag';
import * as m016 from './016-conversation-type-settings';
import * as m017 from './017-chatroom-destroy';
import * as m018 from './018-chatroom-recall';
import * as m019 from './019-user-chat-bans';
import * as m020 from './020-user-quiet-hours';
import * as m021 from './021-user-push-remarks';
import * as m022 from './022-user-block-time';
import * as m023 from './023-conversation-notification-level';
import * as m024 from './024-app-clock-reservations';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** One or more statements, run with `exec` inside the migration's transaction. */
  readonly sql: string;
}

/** Ascending by version; append new modules here (never edit an applied one). */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m009, m010, m011, m012, m013, m014, m015, m016, m017, m018, m019, m020, m021, m022, m023, m024];
