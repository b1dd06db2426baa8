/**
 * `message/history` and `message/history/delete` (SERVER_API.md §2.2): hourly message log packages, answered
 * `{code, url, date}` with `url` "" when the hour has nothing (no message, or deleted). The package itself is
 * served by http/message-log-download.ts at the signed URL.
 */
import { apiError, ServerApiErrors } from '../../errors';
import { hourHasLog, logDownloadPath, parseLogHour } from '../../services/message-history-log';
import type { ServerApiModule } from './index';
import type { Params } from './params';

function hourOf(params: Params): { date: string; hourStart: number } {
  const date = params.requiredString('date');
  const hourStart = parseLogHour(date);
  if (hourStart === undefined) throw apiError(ServerApiErrors.badParameter, 'date must be YYYYMMDDHH');
  return { date, hourStart };
}

export const messageHistoryRoutes: ServerApiModule = (ctx) => ({
  'message/history': ({ app, params, origin }) => {
    const { date, hourStart } = hourOf(params);
    return async () => {
      const url = (await hourHasLog(ctx, app.appKey, hourStart)) ? `${origin}${logDownloadPath(app, date, ctx.clock.now())}` : '';
      return { url, date };
    };
  },

  'message/history/delete': ({ app, params }) => {
    const { hourStart } = hourOf(params);
    return async () => {
      await ctx.store.messageLog.deleteHour(app.appKey, hourStart, ctx.clock.now());
    };
  },
});
