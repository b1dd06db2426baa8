import type { ChatroomMessage, NewChatroomMessage } from '../chatroom-repository';
import type { AppendOutcome } from '../message-append-batcher';
import { inSavepoint } from './pg-savepoint';
import { blob } from '../rows';
import { storedRoomMessageOf } from '../chatroom-rows';
import type { PgDatabase, PgQueryable } from './pg-database';
import { randomUidChars, uidSql } from './pg-uid';

const UID_ATTEMPTS = 8;

// Joins and appends of one room serialize on its row lock (held until COMMIT on every node): a message
// appended after a join commits after it, with a strictly greater sentTime.
//
// One message in one statement (the isolation path, run inside a SAVEPOINT). A uid collision inserts
// nothing (the tick is spent, a harmless gap) and the statement is retried.
const APPEND_ONE_SQL = `WITH t AS (
    UPDATE chatrooms SET timeline_time = GREATEST($1::bigint, timeline_time + 1), active_time = GREATEST(active_time, $1::bigint)
    WHERE app_key = $2 AND room_id = $3 RETURNING timeline_time AS st),
  v AS (SELECT t.st, ${uidSql('t.st', '$4')} AS uid FROM t),
  m AS (
    INSERT INTO chatroom_messages (app_key, room_id, sent_time, uid, from_user_id, object_name, content, flags, config_flag, push_content, extra_content)
    SELECT $2, $3, v.st, v.uid, $5, $6, $7, $8, $9, $10, $11 FROM v
    ON CONFLICT (app_key, uid) DO NOTHING RETURNING uid)
SELECT v.st AS t, m.uid AS uid FROM v LEFT JOIN m ON true`;

/**
 * A batch in ONE autocommit statement: each room's clock row is locked once (in (app, room) order, so
 * batches of several nodes cannot deadlock) and only while PostgreSQL runs and commits the statement.
 * Same unrolled sentTime rule as pg-append-writer.ts: the k-th message of a room in the batch gets
 * k + max(L, mk_k), with mk_k = max over j ≤ k of (now_j − j) computed by the client and L, the room's
 * timeline_time, read under the FOR UPDATE lock and returned by the UPDATE that advances it. A message
 * whose room does not exist gets no row. No ON CONFLICT on the uid: a collision aborts the statement and
 * the batch goes through the per-message path.
 */
const APPEND_BATCH_SQL = `WITH r AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) AS r(app_key, room_id, n, m, latest)),
  tick AS (
    UPDATE chatrooms c SET timeline_time = GREATEST(old.timeline_time, r.m) + r.n, active_time = GREATEST(c.active_time, r.latest)
    FROM (SELECT o.app_key, o.room_id, o.timeline_time FROM chatrooms o JOIN r ON o.app_key = r.app_key AND o.room_id = r.room_id
          ORDER BY o.app_key, o.room_id FOR UPDATE OF o) AS old, r
    WHERE c.app_key = old.app_key AND c.room_id = old.room_id AND r.app_key = old.app_key AND r.room_id = old.room_id
    RETURNING c.app_key, c.room_id, old.timeline_time AS l),
  x AS (
    SELECT * FROM unnest($6::int[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::text[],
      $14::bytea[], $15::bigint[], $16::bigint[], $17::text[], $18::text[])
      AS x(i, app_key, room_id, k, mk, rnd, from_user_id, object_name, content, flags, config_flag, push_content, extra_content)),
  v AS (SELECT x.*, x.k + GREATEST(tick.l, x.mk) AS st FROM x JOIN tick ON tick.app_key = x.app_key AND tick.room_id = x.room_id),
  w AS (SELECT v.*, ${uidSql('v.st', 'v.rnd')} AS uid FROM v),
  m AS (
    INSERT INTO chatroom_messages (app_key, room_id, sent_time, uid, from_user_id, object_name, content, flags, config_flag, push_content, extra_content)
    SELECT app_key, room_id, st, uid, from_user_id, object_name, content, flags, config_flag, push_content, extra_content FROM w ORDER BY i)
SELECT i, st AS t, uid FROM w`;


const missingRoom = (message: NewChatroomMessage): Error => new Error(`chatroom ${message.roomId} does not exist`);

/**
 * Group-commit batches of chatroom timeline appends (pg-chatroom-repository.ts), as pg-append-writer.ts
 * does for private/group messages: one autocommit statement, and if it fails, one transaction with a
 * SAVEPOINT per message so a bad message fails alone; a transaction that fails as a whole (PostgreSQL
 * unreachable) rejects every caller of the batch with its error.
 */
export class PgChatroomAppendWriter {
  constructor(
    private readonly database: PgDatabase,
    private readonly random: () => number,
  ) {}

  async commit(batch: readonly NewChatroomMessage[]): Promise<AppendOutcome<ChatroomMessage>[]> {
    const outcomes: (AppendOutcome<ChatroomMessage> | undefined)[] = Array.from({ length: batch.length }, () => undefined);
    try {
      await this.writeFast(batch, outcomes);
      return outcomes.map((o, i) => o ?? { ok: false, error: missingRoom(batch[i] as NewChatroomMessage) });
    } catch {
      outcomes.fill(undefined);
    }
    await this.database.tx(async (q) => {
      for (let i = 0; i < batch.length; i++) outcomes[i] = await inSavepoint(q, () => this.writeOne(q, batch[i] as NewChatroomMessage));
    });
    return outcomes.map((o) => o ?? { ok: false, error: new Error('chatroom append: message was not written') });
  }

  private async writeFast(batch: readonly NewChatroomMessage[], outcomes: (AppendOutcome<ChatroomMessage> | undefined)[]): Promise<void> {
    const rooms = new Map<string, { app: string; room: string; n: number; m: number; latest: number }>();
    const mi: number[] = [], mApp: string[] = [], mRoom: string[] = [], mK: number[] = [], mMk: number[] = [], mRnd: string[] = [];
    const mFrom: string[] = [], mObject: string[] = [], mContent: Buffer[] = [], mFlags: number[] = [];
    const mConfig: (number | null)[] = [], mPushContent: (string | null)[] = [], mExtra: (string | null)[] = [];
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i] as NewChatroomMessage;
      const key = `${message.appKey}\u0000${message.roomId}`;
      const now = Math.floor(message.now);
      const room = rooms.get(key) ?? { app: message.appKey, room: message.roomId, n: 0, m: Number.MIN_SAFE_INTEGER, latest: Number.MIN_SAFE_INTEGER };
      room.n += 1;
      room.m = Math.max(room.m, now - room.n);
      room.latest = Math.max(room.latest, now);
      rooms.set(key, room);
      mi.push(i); mApp.push(message.appKey); mRoom.push(message.roomId); mK.push(room.n); mMk.push(room.m);
      mRnd.push(randomUidChars(this.random)); mFrom.push(message.fromUserId); mObject.push(message.objectName);
      mContent.push(blob(message.content)); mFlags.push(message.flags); mConfig.push(message.configFlag ?? null);
      mPushContent.push(message.pushContent ?? null); mExtra.push(message.extraContent ?? null);
    }
    if (mi.length === 0) return;
    const keys = [...rooms.values()];
    const rows = await this.database.all<{ i: number; t: number; uid: string }>(
      APPEND_BATCH_SQL,
      keys.map((r) => r.app), keys.map((r) => r.room), keys.map((r) => r.n), keys.map((r) => r.m), keys.map((r) => r.latest),
      mi, mApp, mRoom, mK, mMk, mRnd, mFrom, mObject, mContent, mFlags, mConfig, mPushContent, mExtra,
    );
    for (const row of rows) outcomes[row.i] = { ok: true, value: storedRoomMessageOf(batch[row.i] as NewChatroomMessage, row.uid, row.t) };
  }

  private async writeOne(q: PgQueryable, message: NewChatroomMessage): Promise<ChatroomMessage> {
    const now = Math.floor(message.now);
    let row: { t: number; uid: string | null } | undefined;
    for (let attempt = 0; attempt < UID_ATTEMPTS; attempt++) {
      row = await q.get<{ t: number; uid: string | null }>(
        APPEND_ONE_SQL,
        now,
        message.appKey,
        message.roomId,
        randomUidChars(this.random),
        message.fromUserId,
        message.objectName,
        blob(message.content),
        message.flags,
        message.configFlag ?? null,
        message.pushContent ?? null,
        message.extraContent ?? null,
      );
      if (row === undefined) throw missingRoom(message);
      if (row.uid !== null) break;
    }
    if (row === undefined || row.uid === null) throw new Error('could not draw a unique chatroom message uid');
    return storedRoomMessageOf(message, row.uid, row.t);
  }
}
