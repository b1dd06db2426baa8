/**
 * Content types from the bytes, never from the client. Serving policy: only media types a browser
 * renders passively (raster images, audio, video) are served `inline`; everything else, including
 * HTML, SVG, XML and anything unrecognised, goes out as `application/octet-stream` + `attachment`,
 * and every response carries `nosniff` and a `sandbox` CSP (http/files.ts), so a user upload can
 * never run script in the server's origin.
 */

export interface Sniffed {
  /** The Content-Type the object is stored and served with. */
  readonly contentType: string;
  /** Safe to render in place (`Content-Disposition: inline`). */
  readonly inline: boolean;
}

const OCTET: Sniffed = { contentType: 'application/octet-stream', inline: false };

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[offset + i] !== bytes[i]) return false;
  return true;
}

function ascii(head: Uint8Array, offset: number, length: number): string {
  let out = '';
  for (let i = offset; i < offset + length && i < head.length; i++) out += String.fromCharCode(head[i] as number);
  return out;
}

export function isGif(head: Uint8Array): boolean {
  return ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a';
}

/** ISO BMFF (`ftyp` box first): MP4, MOV, M4A, 3GP. */
export function isIsoMedia(head: Uint8Array): boolean {
  return ascii(head, 4, 4) === 'ftyp';
}

export function sniffContentType(head: Uint8Array): Sniffed {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', inline: true };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { contentType: 'image/png', inline: true };
  if (isGif(head)) return { contentType: 'image/gif', inline: true };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return { contentType: 'image/webp', inline: true };
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14) return { contentType: 'image/bmp', inline: true };
  if (isIsoMedia(head)) {
    const brand = ascii(head, 8, 4);
    if (brand === 'M4A ' || brand === 'M4B ') return { contentType: 'audio/mp4', inline: true };
    if (brand === 'qt  ') return { contentType: 'video/quicktime', inline: true };
    if (brand.startsWith('3g')) return { contentType: 'video/3gpp', inline: true };
    return { contentType: 'video/mp4', inline: true };
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return { contentType: 'audio/wav', inline: true };
  if (ascii(head, 0, 4) === 'OggS') return { contentType: 'audio/ogg', inline: true };
  if (ascii(head, 0, 4) === '\x1aE\xdf\xa3') return { contentType: 'video/webm', inline: true };
  if (ascii(head, 0, 6) === '#!AMR\n') return { contentType: 'audio/amr', inline: true };
  if (ascii(head, 0, 3) === 'ID3') return { contentType: 'audio/mpeg', inline: true };
  // ADTS AAC (sync word 0xFFF, layer 0) before MPEG audio frames (layer ≠ 0).
  if (head.length >= 2 && head[0] === 0xff && ((head[1] as number) & 0xf6) === 0xf0) return { contentType: 'audio/aac', inline: true };
  if (head.length >= 2 && head[0] === 0xff && ((head[1] as number) & 0xe0) === 0xe0) return { contentType: 'audio/mpeg', inline: true };
  if (ascii(head, 0, 5) === '%PDF-') return { contentType: 'application/pdf', inline: false };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { contentType: 'application/zip', inline: false };
  return OCTET;
}
