/**
 * A user's push settings (SERVER_API.md §2.1): `user/blockPushPeriod/{set,get,delete}`, daily quiet hours.
 * This server has no push gateway (docs/server-api-coverage.md, Push): the settings are validated, stored (they
 * survive restarts) and answered, and silence nothing.
 *
 * Parameters as the official SDKs send them (server-sdk-go `UserBlockPushPeriodSetRequest`): `userId`;
 * `startTime` `HH:MM:SS` (24-hour clock); `period` in minutes, 0–1439, 0 meaning "not set" (it clears the setting,
 * as the client SDKs' `0 < spanMins < 1440` leaves no other meaning for it); `level` 0 (notify everything), 1
 * (@ messages only, the default) or 5 (nothing). `get` answers `{code, data:{startTime, period, unPushLevel}}`,
 * `{startTime:"", period:0, unPushLevel:0}` when nothing is set.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ServerApiModule } from './index';
import type { Params } from './params';
import { USER_ID_RULE } from './user';

const MAX_PERIOD_MINUTES = 1439;
const QUIET_LEVELS: ReadonlySet<number> = new Set([0, 1, 5]);
const DEFAULT_QUIET_LEVEL = 1;
const START_TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

function readStartTime(params: Params): string {
  const startTime = params.requiredString('startTime', { maxLength: 8 });
  if (!START_TIME.test(startTime)) throw apiError(ServerApiErrors.badParameter, 'startTime must be HH:MM:SS (00:00:00 to 23:59:59)');
  return startTime;
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
});
