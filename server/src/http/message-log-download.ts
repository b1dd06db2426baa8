/**
 * `GET /message-history/<appKey>/<YYYYMMDDHH>.zip?expires=…&sig=…`: the hourly message log package handed out by
 * `message/history`. Authenticated by the URL signature alone (the App Server may pass the URL to a downloader
 * without API credentials); a wrong, expired or foreign signature is 403, a deleted hour 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { buildHourLog, LOG_DOWNLOAD_PREFIX, parseLogHour, verifyLogDownload } from '../services/message-history-log';

function fail(status: number, message: string): { status: number; body: { code: number; errorMessage: string } } {
  return { status, body: { code: status, errorMessage: message } };
}

export function registerMessageLogDownload(fastify: FastifyInstance, ctx: ServerContext): void {
  fastify.get<{ Params: { appKey: string; file: string }; Querystring: { expires?: string; sig?: string } }>(
    `${LOG_DOWNLOAD_PREFIX}/:appKey/:file`,
    async (request, reply) => {
      const { appKey, file } = request.params;
      const date = /^(\d{10})\.zip$/.exec(file)?.[1];
      const app = ctx.apps.get(appKey);
      const hourStart = date === undefined ? undefined : parseLogHour(date);
      let failure: { status: number; body: { code: number; errorMessage: string } } | undefined;
      if (app === undefined || date === undefined || hourStart === undefined) failure = fail(404, 'not found');
      else if (!verifyLogDownload(app, date, request.query.expires ?? '', request.query.sig ?? '', ctx.clock.now())) failure = fail(403, 'signature invalid or expired');
      const zip = failure === undefined && app !== undefined && hourStart !== undefined ? await buildHourLog(ctx, app.appKey, hourStart) : undefined;
      if (failure === undefined && zip === undefined) failure = fail(404, 'deleted');
      if (failure !== undefined || zip === undefined) {
        const answer = failure ?? fail(404, 'not found');
        return reply.code(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
      }
      return reply
        .code(200)
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${date}.zip"`)
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(zip));
    },
  );
}
