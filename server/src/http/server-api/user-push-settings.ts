/**
 * A user's push settings (SERVER_API.md §2.1): `user/blockPushPeriod/{set,get,delete}`, daily quiet hours, and
 * `user/remarks/{set,get,del}`, the names the user's push notifications show for other users. This server has no
 * push gateway (docs/server-api-coverage.md, Push): the settings are validated, stored (they survive restarts) and
 * answered, and silence or rename nothing.
 *
 * Parameters as the official SDKs send them (server-sdk-go `UserBlockPushPeriodSetRequest`): `userId`;
 * `startTime` `HH:MM:SS` (24-hour clock); `period` in minutes, 0–1439, 0 meaning "not set" (it clears the setting,
 * as the client SDKs' `0 < spanMins < 1440` leaves no other meaning for it); `level` 0 (notify everything), 1
 * (@ messages only, the default) or 5 (nothing). `get` answers `{code, data:{startTime, period, unPushLevel}}`,
 * `{startTime:"", period:0, unPushLevel:0}` when nothing is set.
 *
 * Remarks (server-sdk-go `UserRemarksSetRequest`, rc-server-sdk python `Remarks`): `set` takes `userId` and
 * `remarks`, a JSON array `[{"id":"user11","remark":"remark1"},…]` (a JSON string in a form body, or the array in
 * a JSON body; the keys in any case, as server-sdk-go's older `sdk` package sends `Id` and `Remark`), at most 100 per call, each `id` a user id and each `remark` 1–64 characters; the whole call is
 * checked before anything is stored. `get` (`userId`, `page` from 1, `size` 1–50, default 50; 0 for either is the
 * default, as server-sdk-go's `sdk` package always sends both and the python SDK requires both) answers
 * `{code, total, users:[{id, remark}]}` by target id; `del` (`userId`, `targetId`) removes one.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ServerApiModule } from './index';
import { checkedJsonValue, type Params } from './params';
import type { PushRemark } from '../../store/user-push-setting-repository';
import { USER_ID_RULE } from './user';

const MAX_PERIOD_MINUTES = 1439;
const QUIET_LEVELS: ReadonlySet<number> = new Set([0, 1, 5]);
const DEFAULT_QUIET_LEVEL = 1;
const START_TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const MAX_REMARKS_PER_CALL = 100;
const MAX_REMARK_CHARS = 64;
const REMARKS_DEFAULT_SIZE = 50;
const REMARKS_MAX_SIZE = 50;

function readStartTime(params: Params): string {
  const startTime = params.requiredString('startTime', { maxLength: 8 });
  if (!START_TIME.test(startTime)) throw apiError(ServerApiErrors.badParameter, 'startTime must be HH:MM:SS (00:00:00 to 23:59:59)');
  return startTime;
}

/**
 * A field of one `remarks` entry by its documented name, or else under another case: server-sdk-go's `sdk` package
 * (`UserRemarksSet`) marshals its `UserRemark{Id, Remark}` without JSON tags, so it sends `{"Id":…,"Remark":…}`.
 */
function entryField(item: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(item, name)) return item[name];
  const key = Object.keys(item).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : item[key];
}

/** `remarks`: the JSON array (or its JSON text), every entry checked; a target given twice keeps its last remark. */
function readRemarks(params: Params): PushRemark[] {
  const raw = params.raw['remarks'];
  let value: unknown = raw;
  if (!Array.isArray(raw)) {
    const text = params.requiredString('remarks');
    try {
      value = JSON.parse(text);
    } catch {
      throw apiError(ServerApiErrors.badParameter, 'remarks must be a JSON array of {"id","remark"}');
    }
  }
  // Parsed from JSON text: its strings are stored one by one, so the body's text rule applies to them too.
  value = checkedJsonValue('remarks', value);
  if (!Array.isArray(value) || value.length === 0) throw apiError(ServerApiErrors.badParameter, 'remarks must be a non-empty JSON array of {"id","remark"}');
  if (value.length > MAX_REMARKS_PER_CALL) throw apiError(ServerApiErrors.badParameter, `remarks accepts at most ${MAX_REMARKS_PER_CALL} entries`);
  return value.map((entry: unknown, index): PushRemark => {
    const item = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
    const id = entryField(item, 'id');
    const remark = entryField(item, 'remark');
    if (typeof id !== 'string' || id === '' || Buffer.byteLength(id, 'utf8') > USER_ID_RULE.maxBytes || !USER_ID_RULE.pattern.test(id)) {
      throw apiError(ServerApiErrors.badParameter, `remarks[${index}].id must be a user id`);
    }
    if (typeof remark !== 'string' || remark === '' || [...remark].length > MAX_REMARK_CHARS) {
      throw apiError(ServerApiErrors.badParameter, `remarks[${index}].remark must be 1 to ${MAX_REMARK_CHARS} characters`);
    }
    return { targetId: id, remark };
  });
}

export const userPushSettingRoutes: ServerApiModule = (ctx) => ({
  'user/blockPushPeriod/set': ({ app, params }) => {
    const userId = params.requiredString('userId', USER_ID_RULE);
    const startTime = readStartTime(params);
    const period = params.integer('period', { min: 0, max: MAX_PERIOD_MINUTES });
    const level = params.integer('level', { min: 0, max: 5, fallback: DEFAULT_QUIET_LEVEL });
    if (!QUIET_LEVELS.has(level)) throw apiError(ServerApiErrors.badParameter, 'level must be 0, 1 or 5');
    return async () => {
      const settings = ctx.store.userPushSettings;
      if (period === 0) await settings.clearQuietHours(app.appKey, userId);
      else await settings.setQuietHours(app.appKey, userId, { startTime, periodMinutes: period, level }, ctx.clock.now());
    };
  },

  'user/blockPushPeriod/get': ({ app, params }) => {
    const userId = params.requiredString('userId', USER_ID_RULE);
    return async () => {
      const hours = await ctx.store.userPushSettings.quietHours(app.appKey, userId);
      return { data: hours === undefined ? { startTime: '', period: 0, unPushLevel: 0 } : { startTime: hours.startTime, period: hours.periodMinutes, unPushLevel: hours.level } };
    };
  },

  'user/blockPushPeriod/delete': ({ app, params }) => {
    const userId = params.requiredString('userId', USER_ID_RULE);
    return async () => {
      await ctx.store.userPushSettings.clearQuietHours(app.appKey, userId);
    };
  },

  'user/remarks/set': ({ app, params }) => {
    const userId = params.requiredString('userId', USER_ID_RULE);
    const remarks = readRemarks(params);
    return async () => {
      await ctx.store.userPushSettings.setRemarks(app.appKey, userId, remarks, ctx.clock.now());
    };
  },

  'user/remarks/get': ({ app, params }) => {
    const userId = params.requiredString('userId', USER_ID_RULE);
    const page = params.integer('page', { min: 1, max: 1_000_000, fallback: 1, zeroIsUnset: true });
    const size = params.integer('size', { min: 1, max: REMARKS_MAX_SIZE, fallback: REMARKS_DEFAULT_SIZE, zeroIsUnset: true });
    return async () => {
      const found = await ctx.store.userPushSettings.remarks(app.appKey, userId, (page - 1) * size, size);
      return { total: found.total, users: found.remarks.map((r) => ({ id: r.targetId, remark: r.remark })) };
    };
  },

  'user/remarks/del': ({ app, params }) => {
    const userId = params.requiredString('userId', USER_ID_RULE);
    const targetId = params.requiredString('targetId', USER_ID_RULE);
    return async () => {
      await ctx.store.userPushSettings.deleteRemark(app.appKey, userId, targetId);
    };
  },
});
