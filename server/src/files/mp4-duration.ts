/**
 * Duration of an ISO BMFF file (MP4/MOV) from its `moov/mvhd` box, reading only box headers and the
 * mvhd body, wherever `moov` sits (start for "fast start" files, end for camera recordings).
 * Used for the sight rule (34002: longer than the configured limit, 2 min by default).
 */

export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

const MAX_BOXES = 4096;

function u32(b: Uint8Array, at: number): number {
  return (((b[at] as number) << 24) >>> 0) + ((b[at + 1] as number) << 16) + ((b[at + 2] as number) << 8) + (b[at + 3] as number);
}

function u64(b: Uint8Array, at: number): number {
  return u32(b, at) * 0x1_0000_0000 + u32(b, at + 4);
}

function type(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at] as number, b[at + 1] as number, b[at + 2] as number, b[at + 3] as number);
}

/** Finds the first child box of `name` in [start, end); returns its payload range. */
async function findBox(read: RangeReader, start: number, end: number, name: string): Promise<{ start: number; end: number } | undefined> {
  let offset = start;
  for (let i = 0; i < MAX_BOXES && offset + 8 <= end; i++) {
    const header = await read(offset, 16);
    if (header.length < 8) return undefined;
    let size = u32(header, 0);
    let headerSize = 8;
    if (size === 1) {
      if (header.length < 16) return undefined;
      size = u64(header, 8);
      headerSize = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < headerSize || offset + size > end) return undefined;
    if (type(header, 4) === name) return { start: offset + headerSize, end: offset + size };
    offset += size;
  }
  return undefined;
}

/** Seconds, or undefined when the bytes are not a parseable ISO BMFF file. */
export async function mp4DurationSeconds(read: RangeReader, size: number): Promise<number | undefined> {
  const moov = await findBox(read, 0, size, 'moov');
  if (moov === undefined) return undefined;
  const mvhd = await findBox(read, moov.start, moov.end, 'mvhd');
  if (mvhd === undefined) return undefined;
  const body = await read(mvhd.start, 32);
  const version = body[0];
  if (version === 0 && body.length >= 20) {
    const timescale = u32(body, 12);
    return timescale === 0 ? undefined : u32(body, 16) / timescale;
  }
  if (version === 1 && body.length >= 32) {
    const timescale = u32(body, 20);
    return timescale === 0 ? undefined : u64(body, 24) / timescale;
  }
  return undefined;
}
