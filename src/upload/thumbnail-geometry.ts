/**
 * Where to cut and how big to draw an image thumbnail, for hosts that draw with a canvas (browser,
 * mini-program canvas). Pure, so every adapter shares one rule:
 *  - an image more elongated than `scale` (long side / short side) is first center-cropped to that
 *    ratio, so a panorama becomes a readable strip instead of a line (the official plugin's rule);
 *  - the result is shrunk (never enlarged) to fit maxWidth × maxHeight, at least 1 × 1 px.
 */
import type { ThumbnailOptions } from '../platform/upload-request';

export interface ThumbnailGeometry {
  /** Source rectangle. */
  readonly sx: number;
  readonly sy: number;
  readonly sw: number;
  readonly sh: number;
  /** Output size. */
  readonly width: number;
  readonly height: number;
}

export function thumbnailGeometry(width: number, height: number, options: ThumbnailOptions): ThumbnailGeometry {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  let sw = w;
  let sh = h;
  const scale = options.scale;
  if (scale !== undefined && scale >= 1) {
    if (w / h > scale) sw = h * scale;
    else if (h / w > scale) sh = w * scale;
  }
  const fit = Math.min(1, options.maxWidth / sw, options.maxHeight / sh);
  return {
    sx: (w - sw) / 2,
    sy: (h - sh) / 2,
    sw,
    sh,
    width: Math.max(1, Math.round(sw * fit)),
    height: Math.max(1, Math.round(sh * fit)),
  };
}

/** `data:image/jpeg;base64,XXXX` → `XXXX` (ImageMessage `content` has no prefix). */
export function stripDataUrl(dataUrl: string): string {
  const comma = dataUrl.indexOf(',');
  return dataUrl.startsWith('data:') && comma >= 0 ? dataUrl.slice(comma + 1) : dataUrl;
}
