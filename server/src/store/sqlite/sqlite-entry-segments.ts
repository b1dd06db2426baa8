/**
 * Per-owner entries packed in segments (migration 013; bench/analysis/p1-private.md rounds 15 and 17).
 *
 * An owner's entries — one per message the owner has in its inbox or sendbox — are kept as `entry_segments`
 * rows: (owner_ref, first_time, last_time, data), `data` being the entries of one move in time order. A move
 * (sqlite-append-writer.ts) writes one row per owner it carries instead of one `entries` row per entry in
 * three B-trees, which is what made the per-owner state three quarters of the store's CPU. An owner's
 * segments never overlap in time: a move takes every pending entry of its owners, and the app clock makes
 * every later entry newer.
 *
 * The readers of one conversation (history, the latest message of the list) follow a chain instead of an
 * index: a segment names, per conversation it holds, the time of the owner's newest entry of that
 * conversation before this segment (`prevTime`; 0 when there is none), and the conversation row's
 * `updated_time` is its newest entry. So a conversation's entries are found newest first, one segment per
 * hop, whatever the owner's other traffic.
 *
 * Layout of `data` (unsigned LEB128 varints; `z` = zigzag for deltas):
 *   version (1), conversation count, per conversation: type, target ref, prevTime;
 *   entry count, per entry: z(message id − previous), z(sentTime − previous), conversation index, flags
 *   (bits 0–1 direction, bit 2 mentioned, bit 3 deleted).
 *
 * `encodeSegment` and `decodeSegment` run on the writer thread too (sqlite-append-worker.ts evaluates their
 * source text), so each is self-contained: no imported values, no other function of this module.
 */

/** One packed entry: [messageId, direction, convType, convTargetRef, sentTime, mentioned, deleted]. */
export type SegmentRow = [number, number, number, number, number, number, number];

/** A conversation of a segment and the time of the owner's newest entry of it before the segment. */
export interface SegmentConversation {
  readonly type: number;
  readonly targetRef: number;
  readonly prevTime: number;
}

export interface DecodedSegment {
  readonly conversations: readonly SegmentConversation[];
  /** In time order; each row's convType/convTargetRef are its conversation's. */
  readonly rows: readonly SegmentRow[];
  /** Per row, the index of its conversation in `conversations`. */
  readonly convIndex: readonly number[];
  /** False when a limit or `upTo` stopped the reading before the last row. */
  readonly complete: boolean;
}

/** Column positions of a SegmentRow. */
export const SEG = { messageId: 0, direction: 1, convType: 2, targetRef: 3, sentTime: 4, mentioned: 5, deleted: 6 } as const;

/**
 * Packs `rows` (one owner's, in time order). `prevTimeOf(type, targetRef, firstTime)` gives, for each
 * conversation, the owner's newest entry time of it before `firstTime` (its first entry here), or 0.
 * `column` is where a row's SegmentRow starts (the writer's held rows lead with the owner: 1), so rows
 * are read in place, not copied. One allocation for the bytes: the varints are written into a buffer
 * sized for the longest encoding (ten bytes a value) and a view of what was written is returned.
 */
export function encodeSegment(
  rows: readonly (readonly number[])[],
  prevTimeOf: (type: number, targetRef: number, firstTime: number) => number,
  column = 0,
): Uint8Array {
  // Conversations in order of first appearance, found by a scan of those seen so far: a segment holds at
  // most a move's rows of one owner (SEGMENT_ROWS), and comparing numbers costs less than a key and a lookup.
  const convs: number[] = [];
  const rowConv: number[] = [];
  for (const row of rows) {
    const type = row[column + 2] as number;
    const target = row[column + 3] as number;
    let at = 0;
    while (at * 3 < convs.length && (convs[at * 3] !== type || convs[at * 3 + 1] !== target)) at++;
    if (at * 3 === convs.length) convs.push(type, target, prevTimeOf(type, target, row[column + 4] as number));
    rowConv.push(at);
  }
  const out = new Uint8Array(10 * (3 + convs.length + 4 * rows.length));
  let n = 0;
  const put = (value: number): void => {
    let v = value;
    while (v >= 128) {
      out[n++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    out[n++] = v;
  };
  const zig = (delta: number): number => (delta < 0 ? -2 * delta - 1 : 2 * delta);
  put(1);
  put(convs.length / 3);
  for (const value of convs) put(value);
  put(rows.length);
  let lastId = 0;
  let lastTime = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as readonly number[];
    const id = row[column] as number;
    const time = row[column + 4] as number;
    put(zig(id - lastId));
    put(zig(time - lastTime));
    put(rowConv[i] as number);
    put(((row[column + 1] as number) & 3) | ((row[column + 5] as number) !== 0 ? 4 : 0) | ((row[column + 6] as number) !== 0 ? 8 : 0));
    lastId = id;
    lastTime = time;
  }
  return out.subarray(0, n);
}

/**
 * Unpacks what encodeSegment packed; throws on bytes it did not write. Only rows after `after`, of
 * `direction` (0: both) and at most `limit` of them are returned, and reading stops at the first row past
 * `upTo` (a pull's page reads no further than it needs, and allocates only the rows it returns), and of one
 * `conversation` when given (a walk along its chain); `complete` says whether every row was read.
 */
export function decodeSegment(
  data: Uint8Array,
  after = -1,
  direction = 0,
  upTo = Number.MAX_SAFE_INTEGER,
  limit = Number.MAX_SAFE_INTEGER,
  conversation?: { readonly type: number; readonly targetRef: number },
): DecodedSegment {
  let at = 0;
  const get = (): number => {
    const first = data[at];
    if (first !== undefined && first < 128) {
      at++;
      return first;
    }
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= data.length) throw new Error('entry segment: truncated');
      const byte = data[at++] as number;
      value += (byte & 127) * scale;
      if (byte < 128) return value;
      scale *= 128;
    }
  };
  const unzig = (v: number): number => (v % 2 === 1 ? -(v + 1) / 2 : v / 2);
  if (get() !== 1) throw new Error('entry segment: unknown version');
  const conversations: SegmentConversation[] = [];
  for (let n = get(); n > 0; n--) conversations.push({ type: get(), targetRef: get(), prevTime: get() });
  const rows: SegmentRow[] = [];
  const convIndex: number[] = [];
  // Only one conversation's rows, when asked (-2: none of this segment's, -1: all).
  const only = conversation === undefined ? -1 : conversations.findIndex((c) => c.type === conversation.type && c.targetRef === conversation.targetRef);
  const wanted = conversation === undefined ? -1 : only < 0 ? -2 : only;
  let id = 0;
  let time = 0;
  for (let n = get(); n > 0; n--) {
    id += unzig(get());
    time += unzig(get());
    const c = get();
    const flags = get();
    const of = conversations[c];
    if (of === undefined) throw new Error('entry segment: bad conversation index');
    if (time > upTo) return { conversations, rows, convIndex, complete: false };
    if (time <= after || (direction !== 0 && (flags & 3) !== direction) || (wanted !== -1 && c !== wanted)) continue;
    rows.push([id, flags & 3, of.type, of.targetRef, time, (flags & 4) !== 0 ? 1 : 0, (flags & 8) !== 0 ? 1 : 0]);
    convIndex.push(c);
    if (rows.length >= limit) return { conversations, rows, convIndex, complete: n === 1 && at === data.length };
  }
  if (at !== data.length) throw new Error('entry segment: trailing bytes');
  return { conversations, rows, convIndex, complete: true };
}

