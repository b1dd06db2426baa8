/**
 * Send-time media rules of the seed's status table: a SightMessage longer than 2 minutes fails with
 * 34002, a GIFMessage larger than 2 MB with 34003, before anything is sent (RongCloud's SDKs check
 * locally; the Lianxin server applies the same rule to clients that do not).
 *
 * - `duration` of RC:SightMsg is in seconds (API_CHECKLIST §4); more than 120 is refused.
 * - `gifDataSize` of RC:GIFMsg is in BYTES: the seed's Web SDK page says bytes (L3541, and its example
 *   34563 for a 263×246 GIF only makes sense in bytes); its "KB" (L838) is the Server API's message
 *   format page. The limit is navi `gifSize` (KB, default 2048), i.e. 2 MB = 2,097,152 bytes.
 * - 34002/34003 are also the engine's CONVER_GETLIST_ERROR/CONVER_SETOP_ERROR (the numbers collide in
 *   RongCloud's own tables); a send never produces those conversation errors, so in a send callback
 *   the codes mean the media rules.
 */
import { SdkError } from '../../errors';

export const SIGHT_TOO_LONG = 34002;
export const GIF_TOO_LARGE = 34003;
export const MAX_SIGHT_SECONDS = 120;
export const DEFAULT_GIF_SIZE_KB = 2048;

function numeric(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The GIF limit in bytes: navi `gifSize` (KB) when the server sent a positive one, else 2048 KB. */
export function gifLimitBytes(navi: Readonly<Record<string, unknown>> | undefined): number {
  const kb = numeric(navi?.['gifSize']);
  return (kb !== undefined && kb > 0 ? kb : DEFAULT_GIF_SIZE_KB) * 1024;
}

/** Throws SdkError 34002/34003 when the content breaks a media rule; other messages pass untouched. */
export function checkMediaLimits(objectName: string, content: Readonly<Record<string, unknown>>, navi: Readonly<Record<string, unknown>> | undefined): void {
  if (objectName === 'RC:SightMsg') {
    const duration = numeric(content['duration']);
    if (duration !== undefined && duration > MAX_SIGHT_SECONDS) throw new SdkError(SIGHT_TOO_LONG, `sight video is ${duration} s (max ${MAX_SIGHT_SECONDS} s)`);
  } else if (objectName === 'RC:GIFMsg') {
    const size = numeric(content['gifDataSize']);
    const limit = gifLimitBytes(navi);
    if (size !== undefined && size > limit) throw new SdkError(GIF_TOO_LARGE, `GIF is ${size} bytes (max ${limit})`);
  }
}
