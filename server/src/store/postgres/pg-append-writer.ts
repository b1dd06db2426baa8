import type { AppendOutcome } from '../message-append-batcher';
import { ownerConversation } from '../owner-conversation';
import { inSavepoint } from './pg-savepoint';
import { blob, storedMessageOf } from '../rows';
import { Direction } from '../store';
import type { AppKey, NewMessage, StoredMessage, UserId } from '../store';
import type { PgDatabase, PgQueryable } from './pg-database';
import { randomUidChars, uidSql } from './pg-uid';
import { noteClock } from './pg-clock-reservations';

const UID_ATTEMPTS = 8;

/**
 * One message in one autocommit statement (the isolation path, run inside a SAVEPOINT): tick, message row
 * with its uid computed in SQL from the ticked time, entries and conversation upserts. A uid collision
 * inserts nothing and the statement is retried with a fresh tick and randomness.
 */
const APPEND_ONE_SQL = `WITH t AS (
    INSERT INTO app_clocks (app_key, last_sent_time) VALUES ($1, $2)
    ON CONFLICT (app_key) DO UPDATE SET last_sent_time = GREATEST(app_clocks.last_sent_time + 1, app_clocks.reserved_time + 1, EXCLUDED.last_sent_time)
    RETURNING last_sent_time AS st),
  v AS (SELECT t.st, ${uidSql('t.st', '$3')} AS uid FROM t),
  m AS (
    INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id,
      object_name, content, flags, config_flag, push_content, push_data, push_ext, extra_content)
    SELECT $1, v.uid, v.st, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM v
    ON CONFLICT (app_key, uid) DO NOTHING RETURNING id, uid, sent_time),
  e AS (
    INSERT INTO entries (message_id, owner, app_key, direction, conv_type, conv_target, sent_time, mentioned)
    SELECT m.id, x.owner, $1, x.direction, x.conv_type, x.conv_target, m.sent_time, x.mentioned
    FROM m, unnest($15::text[], $16::bigint[], $17::bigint[], $18::text[], $19::bigint[]) AS x(owner, direction, conv_type, conv_target, mentioned)),
  c AS (
    INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed)
    SELECT $1, x.owner, x.conv_type, x.conv_target, m.sent_time, 1
    FROM m, unnest($15::text[], $17::bigint[], $18::text[]) AS x(owner, conv_type, conv_target)
    ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET updated_time = EXCLUDED.updated_time, listed = 1)
SELECT v.st AS t, m.id AS id, m.uid AS uid FROM v LEFT JOIN m ON true`;

/**
 * A whole batch in ONE autocommit statement, so each app's clock row lock is held only while PostgreSQL
 * executes and commits it (never across client round trips, the P7 finding) and is taken once per batch.
 *
 * sentTimes: per message today's rule is st = max(floor(now), previous + 1), previous starting at the
 * app's clock L. Unrolled over the k-th message of an app in the batch (k = 1…n):
 *   st_k = k + max(L, mk_k),  mk_k = max over j ≤ k of (now_j − j)
 * which the client computes except for L, the greater of the app's last sentTime and its reserved time (a not-stored
 * message's, reserveTime; the first message is timed after it). L is read by the FOR UPDATE subquery (it waits for a concurrent
 * batch of the app and then returns the committed value, READ COMMITTED re-check), the same row is set to
 * st_n = n + max(L, m) in the same UPDATE, and RETURNING hands L back (the pre-18 way to return the old
 * value). Clock rows are locked in app_key order, so multi-app batches of several nodes cannot deadlock.
 * Clock rows must exist (ensured beforehand): an app without one gets no row here and is retried.
 *
 * No ON CONFLICT on the uid: a collision (never expected: sentTime is unique per app and is the uid's
 * time part) aborts the statement, and the batch goes through the per-message path which retries.
 * Conversation upserts are aggregated per conversation: one statement may not upsert a row twice.
 */
const APPEND_BATCH_SQL = `WITH a AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS a(app_key, n, m)),
  tick AS (
    UPDATE app_clocks c SET last_sent_time = GREATEST(old.last_sent_time, a.m) + a.n
    FROM (SELECT app_key, GREATEST(last_sent_time, reserved_time) AS last_sent_time FROM app_clocks
      WHERE app_key = ANY($1::text[]) ORDER BY app_key FOR UPDATE) AS old, a
    WHERE c.app_key = old.app_key AND a.app_key = old.app_key
    RETURNING c.app_key, old.last_sent_time AS l),
  x AS (
    SELECT * FROM unnest($4::int[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::bigint[], $11::text[],
      $12::text[], $13::bytea[], $14::bigint[], $15::bigint[], $16::text[], $17::text[], $18::bytea[], $19::text[])
      AS x(i, app_key, k, mk, rnd, from_user_id, conversation_type, target_id, object_name, content, flags, config_flag,
        push_content, push_data, push_ext, extra_content)),
  v AS (SELECT x.*, x.k + GREATEST(tick.l, x.mk) AS st FROM x JOIN tick ON tick.app_key = x.app_key),
  w AS (SELECT v.*, ${uidSql('v.st', 'v.rnd')} AS uid FROM v),
  m AS (
    INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id,
      object_name, content, flags, config_flag, push_content, push_data, push_ext, extra_content)
    SELECT app_key, uid, st, from_user_id, conversation_type, target_id, object_name, content, flags, config_flag,
      push_content, push_data, push_ext, extra_content FROM w ORDER BY i
    RETURNING id, app_key, uid),
  mi AS (SELECT w.i, w.st, w.app_key, m.id FROM m JOIN w ON w.app_key = m.app_key AND w.uid = m.uid),
  y AS (
    SELECT * FROM unnest($20::int[], $21::text[], $22::bigint[], $23::bigint[], $24::text[], $25::bigint[])
      AS y(i, owner, direction, conv_type, conv_target, mentioned)),
  e AS (
    INSERT INTO entries (message_id, owner, app_key, direction, conv_type, conv_target, sent_time, mentioned)
    SELECT mi.id, y.owner, mi.app_key, y.direction, y.conv_type, y.conv_target, mi.st, y.mentioned FROM y JOIN mi ON mi.i = y.i),
  c AS (
    INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed)
    SELECT mi.app_key, y.owner, y.conv_type, y.conv_target, max(mi.st), 1 FROM y JOIN mi ON mi.i = y.i
    GROUP BY mi.app_key, y.owner, y.conv_type, y.conv_target
    ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET updated_time = EXCLUDED.updated_time, listed = 1)
SELECT i, st AS t, uid FROM w`;

const ENSURE_CLOCKS_SQL = 'INSERT INTO app_clocks (app_key, last_sent_time) SELECT k, 0 FROM unnest(?::text[]) AS k ON CONFLICT (app_key) DO NOTHING';

/** A message with its owners resolved (one entry per owner: recipients first, then the sender's sendbox). */
interface Prepared {
  readonly message: NewMessage;
  readonly owners: readonly UserId[];
  readonly directions: readonly number[];
  readonly types: readonly number[];
  readonly targets: readonly string[];
  readonly mentions: readonly number[];
}

function prepare(message: NewMessage): Prepared {
  const mentioned = new Set(message.mentionedUserIds ?? []);
  const byOwner = new Map<UserId, Direction>();
  for (const recipient of message.recipients) byOwner.set(recipient, Direction.Receive);
  if (message.senderSendbox && !byOwner.has(message.fromUserId)) byOwner.set(message.fromUserId, Direction.Send);
  const owners: UserId[] = [];
  const directions: number[] = [];
  const types: number[] = [];
  const targets: string[] = [];
  const mentions: number[] = [];
  for (const [owner, direction] of byOwner) {
    const conversation = ownerConversation(message, owner);
    owners.push(owner);
    directions.push(direction);
    types.push(conversation.type);
    targets.push(conversation.targetId);
    mentions.push(direction === Direction.Receive && mentioned.has(owner) ? 1 : 0);
  }
  return { message, owners, directions, types, targets, mentions };
}


/**
 * Writes group-commit batches of private/group/system appends (pg-message-repository.ts).
 *
 * Fast path: the batch is one statement (APPEND_BATCH_SQL) in autocommit, so every caller's promise
 * resolves after the COMMIT that holds its message. If that statement fails, nothing of it was committed;
 * the batch is written again in one transaction with a SAVEPOINT per message, so a bad message rolls back
 * alone (its clock step included) and fails only its caller. If the transaction itself fails (PostgreSQL
 * unreachable), every caller of the batch gets that error. Both paths assign sentTimes in batch order,
 * exactly as one append at a time would.
 */
export class PgAppendWriter {
  /** Apps whose clock row is known to exist (rows are never deleted). */
  private readonly clocks = new Set<AppKey>();

  constructor(
    private readonly database: PgDatabase,
    private readonly random: () => number,
    /** Per app, a value its clock is known to have reached: raised to the sentTimes this writer commits. */
    private readonly knownClock: Map<AppKey, number> = new Map(),
  ) {}

  async commit(batch: readonly NewMessage[]): Promise<AppendOutcome<StoredMessage>[]> {
    const outcomes: (AppendOutcome<StoredMessage> | undefined)[] = Array.from({ length: batch.length }, () => undefined);
    const prepared: (Prepared | undefined)[] = batch.map((message, i) => {
      try {
        return prepare(message);
      } catch (error) {
        outcomes[i] = { ok: false, error };
        return undefined;
      }
    });
    let fastFailed = false;
    try {
      await this.writeFast(prepared, outcomes);
    } catch {
      fastFailed = true;
    }
    const left = prepared.flatMap((p, i) => (p !== undefined && outcomes[i] === undefined ? [i] : []));
    if (fastFailed || left.length > 0) {
      await this.database.tx(async (q) => {
        for (const i of left) outcomes[i] = await inSavepoint(q, () => this.writeOne(q, prepared[i] as Prepared));
      });
    }
    for (const o of outcomes) if (o?.ok === true) noteClock(this.knownClock, o.value.appKey, o.value.sentTime);
    return outcomes.map((o) => o ?? { ok: false, error: new Error('append: message was not written') });
  }

  private async writeFast(prepared: readonly (Prepared | undefined)[], outcomes: (AppendOutcome<StoredMessage> | undefined)[]): Promise<void> {
    const apps = new Map<AppKey, { n: number; m: number }>();
    const mi: number[] = [], mApp: string[] = [], mK: number[] = [], mMk: number[] = [], mRnd: string[] = [], mFrom: string[] = [];
    const mType: number[] = [], mTarget: string[] = [], mObject: string[] = [], mContent: Buffer[] = [], mFlags: number[] = [];
    const mConfig: (number | null)[] = [], mPushContent: (string | null)[] = [], mPushData: (string | null)[] = [];
    const mPushExt: (Buffer | null)[] = [], mExtra: (string | null)[] = [];
    const ei: number[] = [], eOwner: string[] = [], eDirection: number[] = [], eType: number[] = [], eTarget: string[] = [], eMention: number[] = [];
    for (let i = 0; i < prepared.length; i++) {
      const p = prepared[i];
      if (p === undefined) continue;
      const message = p.message;
      const app = apps.get(message.appKey) ?? { n: 0, m: Number.MIN_SAFE_INTEGER };
      app.n += 1;
      app.m = Math.max(app.m, Math.floor(message.now) - app.n);
      apps.set(message.appKey, app);
      mi.push(i); mApp.push(message.appKey); mK.push(app.n); mMk.push(app.m); mRnd.push(randomUidChars(this.random));
      mFrom.push(message.fromUserId); mType.push(message.conversationType); mTarget.push(message.targetId);
      mObject.push(message.objectName); mContent.push(blob(message.content)); mFlags.push(message.flags);
      mConfig.push(message.configFlag ?? null); mPushContent.push(message.pushContent ?? null); mPushData.push(message.pushData ?? null);
      mPushExt.push(message.pushExt === undefined ? null : blob(message.pushExt)); mExtra.push(message.extraContent ?? null);
      for (let j = 0; j < p.owners.length; j++) {
        ei.push(i); eOwner.push(p.owners[j] as string); eDirection.push(p.directions[j] as number);
        eType.push(p.types[j] as number); eTarget.push(p.targets[j] as string); eMention.push(p.mentions[j] as number);
      }
    }
    if (mi.length === 0) return;
    const appKeys = [...apps.keys()].sort();
    const unknown = appKeys.filter((key) => !this.clocks.has(key));
    if (unknown.length > 0) {
      await this.database.run(ENSURE_CLOCKS_SQL, unknown);
      for (const key of unknown) this.clocks.add(key);
    }
    const rows = await this.database.all<{ i: number; t: number; uid: string }>(
      APPEND_BATCH_SQL,
      appKeys, appKeys.map((key) => apps.get(key)?.n ?? 0), appKeys.map((key) => apps.get(key)?.m ?? 0),
      mi, mApp, mK, mMk, mRnd, mFrom, mType, mTarget, mObject, mContent, mFlags, mConfig, mPushContent, mPushData, mPushExt, mExtra,
      ei, eOwner, eDirection, eType, eTarget, eMention,
    );
    for (const row of rows) {
      const p = prepared[row.i];
      if (p !== undefined) outcomes[row.i] = { ok: true, value: storedMessageOf(p.message, row.uid, row.t) };
    }
    // An app whose clock row vanished wrote nothing: forget it, the caller retries those messages.
    for (const i of mi) if (outcomes[i] === undefined) this.clocks.delete(prepared[i]?.message.appKey ?? '');
  }

  private async writeOne(q: PgQueryable, p: Prepared): Promise<StoredMessage> {
    const message = p.message;
    let row: { t: number; id: number | null; uid: string | null } | undefined;
    for (let attempt = 0; attempt < UID_ATTEMPTS && (row?.id ?? null) === null; attempt++) {
      row = await q.get<{ t: number; id: number | null; uid: string | null }>(
        APPEND_ONE_SQL,
        message.appKey,
        Math.floor(message.now),
        randomUidChars(this.random),
        message.fromUserId,
        message.conversationType,
        message.targetId,
        message.objectName,
        blob(message.content),
        message.flags,
        message.configFlag ?? null,
        message.pushContent ?? null,
        message.pushData ?? null,
        message.pushExt === undefined ? null : blob(message.pushExt),
        message.extraContent ?? null,
        p.owners,
        p.directions,
        p.types,
        p.targets,
        p.mentions,
      );
    }
    if (row === undefined || row.uid === null) throw new Error(`append: no free messageUId after ${UID_ATTEMPTS} attempts`);
    return storedMessageOf(message, row.uid, row.t);
  }
}
