/**
 * The seed's media rules for clients that do not check them before sending (the official 2.9.2
 * client does not): RC:SightMsg with `duration` (seconds) over the sight limit is refused with PUBACK
 * status 34002, RC:GIFMsg with `gifDataSize` (bytes: the Web SDK page, seed L3541) over the GIF limit
 * with 34003 — the codes the seed's status table gives these rules, and what our SDK reports locally
 * (src/client/services/media-limits.ts). The limits are the file service's (`--files
 * maxSightSeconds=…,maxGif=…`, defaults 120 s and 2 MB), so upload and send agree.
 *
 * 34002/34003 collide with the engine's CONVER_GETLIST_ERROR/CONVER_SETOP_ERROR; a PUBACK never
 * carries those, so on a send they mean the media rules.
 */
import type { ServerContext } from '../context';
import { DEFAULT_FILE_OPTIONS } from '../files/file-options';
import { PASS, type FilterVerdict, type MessageFilter } from './message-filter-chain';

export const MEDIA_LIMITS_FILTER_NAME = 'media-limits';
export const SightTooLong = 34002;
export const GifTooLarge = 34003;

function numeric(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Order 50: a JSON parse of two object names only, cheaper than every other filter, so it runs first. */
export function mediaLimitsFilter(ctx: Pick<ServerContext, 'files'>): MessageFilter {
  return {
    name: MEDIA_LIMITS_FILTER_NAME,
    order: 50,
    check(message): FilterVerdict {
      if (message.objectName !== 'RC:SightMsg' && message.objectName !== 'RC:GIFMsg') return PASS;
      let content: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(Buffer.from(message.content).toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null) return PASS;
        content = parsed as Record<string, unknown>;
      } catch {
        // Not JSON: nothing to measure; the message is delivered as sent, as any other opaque content.
        return PASS;
      }
      const options = ctx.files?.options ?? DEFAULT_FILE_OPTIONS;
      if (message.objectName === 'RC:SightMsg') {
        const duration = numeric(content['duration']);
        if (duration !== undefined && duration > options.maxSightSeconds) {
          return { action: 'reject', status: SightTooLong, reason: `sight ${duration} s > ${options.maxSightSeconds} s` };
        }
        return PASS;
      }
      const size = numeric(content['gifDataSize']);
      if (size !== undefined && size > options.maxGifBytes) {
        return { action: 'reject', status: GifTooLarge, reason: `GIF ${size} bytes > ${options.maxGifBytes}` };
      }
      return PASS;
    },
  };
}
